import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { LengthFinishReasonError } from 'openai/core/error';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { startFakeOpenAI, type FakeOpenAI } from '../../testing/fake-openai.ts';

const TINY_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

function params(extra: Partial<ChatCompletionCreateParamsNonStreaming> = {}): ChatCompletionCreateParamsNonStreaming {
  return {
    model: 'gpt-fake-1',
    messages: [
      { role: 'system', content: 'You read charts.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Analyse this chart.' },
          { type: 'image_url', image_url: { url: TINY_PNG } },
        ],
      },
    ],
    ...extra,
  };
}

const JSON_SCHEMA_FORMAT = {
  type: 'json_schema',
  json_schema: {
    name: 'analysis',
    strict: true,
    schema: {
      type: 'object',
      properties: { trend: { type: 'string' } },
      required: ['trend'],
      additionalProperties: false,
    },
  },
} as const;

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('fake OpenAI server with the real openai SDK', () => {
  let fake: FakeOpenAI;
  const client = (opts: { maxRetries?: number; timeout?: number; apiKey?: string } = {}) =>
    new OpenAI({ baseURL: fake.url, apiKey: opts.apiKey ?? 'test', maxRetries: opts.maxRetries ?? 0, timeout: opts.timeout ?? 10_000 });

  before(async () => {
    fake = await startFakeOpenAI();
  });
  afterEach(() => fake.reset());
  after(() => fake.close());

  test('a json reply parses, echoes the model, reports usage and the request id', async () => {
    fake.enqueue({ kind: 'json', body: { trend: 'up', confidence: 0.7 } });
    const { data, request_id } = await client().chat.completions.create(params()).withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.match(data.id, /^chatcmpl-fake-\d+$/);
    assert.equal(data.model, 'gpt-fake-1');
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.equal(data.choices[0].message.role, 'assistant');
    assert.equal(data.choices[0].message.refusal, null);
    assert.deepEqual(JSON.parse(data.choices[0].message.content ?? ''), { trend: 'up', confidence: 0.7 });
    // default usage: 1000 + 255 per image_url part, 200 completion tokens
    assert.equal(data.usage?.prompt_tokens, 1255);
    assert.equal(data.usage?.completion_tokens, 200);
    assert.equal(data.usage?.total_tokens, 1455);
    assert.equal(data.usage?.prompt_tokens_details?.cached_tokens, 0);
    assert.match(request_id ?? '', /^req_fake_\d+$/);
    assert.equal((data as { _request_id?: string | null })._request_id, request_id); // non-enumerable, from x-request-id

    assert.equal(fake.requests.length, 1);
    const rec = fake.requests[0];
    assert.equal(rec.method, 'POST');
    assert.equal(rec.path, '/v1/chat/completions');
    assert.equal(rec.headers.authorization, 'Bearer test');
    assert.equal(rec.body.model, 'gpt-fake-1');
    assert.equal(rec.body.messages.length, 2);
  });

  test('explicit usage, including cached tokens, is reported as given', async () => {
    fake.enqueue({ kind: 'json', body: {}, usage: { prompt_tokens: 10, completion_tokens: 3, cached_tokens: 8 } });
    const res = await client().chat.completions.create(params());
    assert.deepEqual(
      [res.usage?.prompt_tokens, res.usage?.completion_tokens, res.usage?.total_tokens, res.usage?.prompt_tokens_details?.cached_tokens],
      [10, 3, 13, 8],
    );
  });

  test('a 429 with retry-after: 1 is retried by the SDK after about a second', async () => {
    fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '1' } }, { kind: 'json', body: { ok: true } });
    const t0 = Date.now();
    const res = await client({ maxRetries: 2 }).chat.completions.create(params());
    const elapsed = Date.now() - t0;
    assert.deepEqual(JSON.parse(res.choices[0].message.content ?? ''), { ok: true });
    assert.ok(elapsed >= 900, `retry came after ${elapsed} ms`);
    assert.equal(fake.requests.length, 2);
    assert.ok(fake.requests[1].receivedAt - fake.requests[0].receivedAt >= 900);
  });

  test('a 429 with retry-after-ms is honoured too, and exhausting retries raises RateLimitError', async () => {
    fake.setFallback({ kind: 'error', status: 429, headers: { 'retry-after-ms': '20' } });
    const t0 = Date.now();
    await assert.rejects(client({ maxRetries: 2 }).chat.completions.create(params()), (err: unknown) => {
      assert.ok(err instanceof OpenAI.RateLimitError);
      assert.equal(err.status, 429);
      assert.equal(err.code, 'rate_limit_exceeded');
      assert.match(err.requestID ?? '', /^req_fake_\d+$/);
      return true;
    });
    assert.ok(Date.now() - t0 < 900, 'retry-after-ms: 20 should not back off for seconds');
    assert.equal(fake.requests.length, 3);
  });

  test('a 500 is retried, then surfaces as InternalServerError when retries are exhausted', async () => {
    fake.enqueue({ kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'json', body: { unused: true } });
    await assert.rejects(client({ maxRetries: 1 }).chat.completions.create(params()), (err: unknown) => {
      assert.ok(err instanceof OpenAI.InternalServerError);
      assert.equal(err.status, 500);
      assert.match(err.message, /^500 fake-openai: error 500/);
      return true;
    });
    assert.equal(fake.requests.length, 2);
  });

  test('a refusal comes through as message.refusal with null content', async () => {
    fake.enqueue({ kind: 'refusal', refusal: "I'm sorry, I can't help with that." });
    const res = await client().chat.completions.create(params({ response_format: JSON_SCHEMA_FORMAT }));
    assert.equal(res.choices[0].message.content, null);
    assert.equal(res.choices[0].message.refusal, "I'm sorry, I can't help with that.");
    assert.equal(res.choices[0].finish_reason, 'stop');
  });

  test('a text reply is passed through raw; finishReason length makes the SDK parse() helper throw', async () => {
    fake.enqueue({ kind: 'text', content: 'not { json' }, { kind: 'text', content: '{"trend": "u', finishReason: 'length' });
    const raw = await client().chat.completions.create(params());
    assert.equal(raw.choices[0].message.content, 'not { json');
    await assert.rejects(
      client().chat.completions.parse(params({ response_format: JSON_SCHEMA_FORMAT })),
      (err: unknown) => err instanceof LengthFinishReasonError,
    );
  });

  test('a slow reply longer than the SDK timeout raises APIConnectionTimeoutError', async () => {
    fake.enqueue({ kind: 'slow', delayMs: 3000, then: { kind: 'json', body: {} } });
    const t0 = Date.now();
    await assert.rejects(client({ timeout: 150 }).chat.completions.create(params()), (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIConnectionTimeoutError, String(err));
      return true;
    });
    assert.ok(Date.now() - t0 < 1500);
  });

  test('a slow reply shorter than the timeout arrives', async () => {
    fake.enqueue({ kind: 'slow', delayMs: 100, then: { kind: 'json', body: { late: true } } });
    const t0 = Date.now();
    const res = await client().chat.completions.create(params());
    assert.ok(Date.now() - t0 >= 90);
    assert.deepEqual(JSON.parse(res.choices[0].message.content ?? ''), { late: true });
  });

  test('reject_response_format answers 400 naming response_format, then the fallback format succeeds', async () => {
    fake.setFallback({ kind: 'reject_response_format', formats: ['json_schema'], then: { kind: 'json', body: { trend: 'flat' } } });
    await assert.rejects(client({ maxRetries: 2 }).chat.completions.create(params({ response_format: JSON_SCHEMA_FORMAT })), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.equal(err.status, 400);
      assert.match(err.message, /response_format/);
      assert.equal(err.param, 'response_format');
      assert.equal(err.type, 'invalid_request_error');
      return true;
    });
    assert.equal(fake.requests.length, 1, 'a 400 is not retried');
    const res = await client().chat.completions.create(params({ response_format: { type: 'json_object' } }));
    assert.deepEqual(JSON.parse(res.choices[0].message.content ?? ''), { trend: 'flat' });
    assert.equal(fake.requests[1].body.response_format.type, 'json_object');
  });

  test('a fallback function sees the request and queued replies take precedence', async () => {
    fake.setFallback((req) => ({ kind: 'json', body: { model: req.body.model } }));
    fake.enqueue({ kind: 'json', body: { first: true } });
    const a = await client().chat.completions.create(params());
    const b = await client().chat.completions.create(params({ model: 'other' }));
    assert.deepEqual(JSON.parse(a.choices[0].message.content ?? ''), { first: true });
    assert.deepEqual(JSON.parse(b.choices[0].message.content ?? ''), { model: 'other' });
  });

  test('with nothing queued the SDK gets a non-retried 500', async () => {
    await assert.rejects(client({ maxRetries: 2 }).chat.completions.create(params()), (err: unknown) => {
      assert.ok(err instanceof OpenAI.InternalServerError);
      assert.match(err.message, /no reply queued/);
      return true;
    });
    assert.equal(fake.requests.length, 1);
  });

  test('protocol errors over raw HTTP: unknown route 404, malformed JSON 400, stream 400 — all recorded', async () => {
    fake.setFallback({ kind: 'json', body: {} });
    const base = fake.url;
    const r404 = await fetch(`${base}/models`);
    assert.equal(r404.status, 404);
    assert.equal(r404.headers.get('content-type'), 'application/json');
    assert.match(r404.headers.get('x-request-id') ?? '', /^req_fake_\d+$/);
    const e404 = (await r404.json()) as { error: Record<string, unknown> };
    assert.deepEqual(Object.keys(e404.error).sort(), ['code', 'message', 'param', 'type']);

    const bad = await fetch(`${base}/chat/completions`, { method: 'POST', body: '{"model": ', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.ok(((await bad.json()) as { error: { message: string } }).error.message.length > 0);

    await assert.rejects(
      client().chat.completions.create({ ...params(), stream: true }),
      (err: unknown) => err instanceof OpenAI.BadRequestError,
    );

    assert.equal(fake.requests.length, 3);
    assert.equal(fake.requests[0].method, 'GET');
    assert.equal(fake.requests[1].body, '{"model": ');
    assert.equal(fake.requests[2].body.stream, true);
  });
});

describe('fake OpenAI server options', () => {
  test('a wrong API key gets AuthenticationError; the right one works', async () => {
    const fake = await startFakeOpenAI({ apiKey: 'sk-right' });
    try {
      fake.setFallback({ kind: 'json', body: { ok: true } });
      const wrong = new OpenAI({ baseURL: fake.url, apiKey: 'sk-wrong', maxRetries: 2 });
      await assert.rejects(wrong.chat.completions.create(params()), (err: unknown) => {
        assert.ok(err instanceof OpenAI.AuthenticationError);
        assert.equal(err.status, 401);
        assert.equal(err.code, 'invalid_api_key');
        return true;
      });
      assert.equal(fake.requests.length, 1, 'a 401 is not retried');
      const right = new OpenAI({ baseURL: fake.url, apiKey: 'sk-right', maxRetries: 0 });
      const res = await right.chat.completions.create(params());
      assert.deepEqual(JSON.parse(res.choices[0].message.content ?? ''), { ok: true });
    } finally {
      await fake.close();
    }
  });

  test('32 concurrent requests with latencyMs 200 are not serialised', async () => {
    const fake = await startFakeOpenAI({ latencyMs: 200 });
    try {
      fake.setFallback((req) => ({ kind: 'json', body: { i: req.body.metadata.i } }));
      const openai = new OpenAI({ baseURL: fake.url, apiKey: 'test', maxRetries: 0 });
      const t0 = Date.now();
      const results = await Promise.all(
        Array.from({ length: 32 }, (_, i) => openai.chat.completions.create(params({ metadata: { i: String(i) } }))),
      );
      const elapsed = Date.now() - t0;
      assert.ok(elapsed >= 190, `latency not applied (${elapsed} ms)`);
      assert.ok(elapsed < 2000, `32 requests took ${elapsed} ms`);
      assert.deepEqual(
        results.map((r) => JSON.parse(r.choices[0].message.content ?? '').i),
        Array.from({ length: 32 }, (_, i) => String(i)),
      );
      assert.equal(fake.requests.length, 32);
      assert.equal(new Set(results.map((r) => r.id)).size, 32);
    } finally {
      await fake.close();
    }
  });

  test('close() ends a hanging request and resolves promptly', async () => {
    const fake = await startFakeOpenAI();
    fake.enqueue({ kind: 'hang' });
    const openai = new OpenAI({ baseURL: fake.url, apiKey: 'test', maxRetries: 0 });
    const pending = openai.chat.completions.create(params());
    const settled = pending.then(
      () => 'resolved',
      (err: unknown) => err,
    );
    await waitFor(() => fake.requests.length === 1);
    const t0 = Date.now();
    await fake.close();
    assert.ok(Date.now() - t0 < 500, `close took ${Date.now() - t0} ms`);
    const outcome = await settled;
    assert.ok(outcome instanceof OpenAI.APIConnectionError, `expected a connection error, got ${String(outcome)}`);
    await fake.close(); // idempotent
  });
});
