import assert from 'node:assert/strict';
import { DEGRADED_MESSAGES } from '../../src/core/errors.ts';
import { after, before, beforeEach, describe, it } from 'node:test';
import { buildPrompt } from '../../prompts/loader.ts';
import { OpenAIAnalyzer, type OpenAIAnalyzerOptions } from '../../src/adapters/analyzers/openai-analyzer.ts';
import { AnalyzerFailure } from '../../src/ports/analyzer.ts';
import { DEFAULT_PRICES } from '../../src/core/analysis/pricing.ts';
import type { AnalyzerInput } from '../../src/ports/analyzer.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../../testing/fake-openai.ts';
import { plainHold } from '../../testing/model-replies.ts';

const PNG = Buffer.from('89504e470d0a1a0a', 'hex');

function input(overrides: Partial<AnalyzerInput> = {}): AnalyzerInput {
  return {
    image: { png: PNG, width: 1024, height: 512, sha256: 'x' },
    facts: null,
    symbol: 'SPX',
    timeframe: '1d',
    news: [{ headline: 'Stocks rally' }],
    prompt: buildPrompt({ facts: null, symbol: 'SPX', timeframe: '1d', chartRange: null, news: [{ headline: 'Stocks rally' }] }),
    deadline: Date.now() + 20_000,
    ...overrides,
  };
}

let fake: FakeOpenAI;
const analyzer = (o: Partial<OpenAIAnalyzerOptions> = {}): OpenAIAnalyzer =>
  new OpenAIAnalyzer({
    baseURL: fake.url,
    apiKey: 'test-key',
    model: 'gpt-4o-mini',
    imageDetail: 'high',
    timeoutMs: 5000,
    maxRetries: 2,
    maxOutputTokens: 1500,
    budgetUsd: null,
    prices: { ...DEFAULT_PRICES },
    ...o,
  });

async function failure(p: Promise<unknown>): Promise<AnalyzerFailure> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AnalyzerFailure, `expected AnalyzerFailure, got ${err}`);
    return err;
  }
  assert.fail('expected the analysis to fail');
}

before(async () => {
  fake = await startFakeOpenAI({ apiKey: 'test-key' });
});
after(() => fake.close());
beforeEach(() => fake.reset());

describe('OpenAI-compatible analyzer through the real SDK', () => {
  it('when the model answers valid JSON, then the output, usage and cost come from the API', async () => {
    fake.enqueue({ kind: 'json', body: plainHold(), usage: { prompt_tokens: 1300, completion_tokens: 210, cached_tokens: 300 } });
    const r = await analyzer().analyze(input());
    assert.deepEqual(r.output, plainHold());
    assert.deepEqual(r.usage, { inputTokens: 1300, outputTokens: 210, cachedInputTokens: 300 });
    // gpt-4o-mini: 0.15 / 0.075 cached / 0.60 per 1M tokens.
    assert.equal(r.costUsd, (1000 * 0.15 + 300 * 0.075 + 210 * 0.6) / 1e6);
    assert.equal(r.attempts, 1);
    assert.equal(r.structuredOutput, 'json_schema');
    assert.equal(r.raw, JSON.stringify(plainHold()));
  });

  it('when a request is sent, then it carries the strict schema, the prompt text and the image as a data URL', async () => {
    fake.enqueue({ kind: 'json', body: plainHold() });
    await analyzer({ imageDetail: 'low' }).analyze(input());
    const body = fake.requests[0].body;
    assert.equal(body.model, 'gpt-4o-mini');
    assert.equal(body.response_format.type, 'json_schema');
    assert.equal(body.response_format.json_schema.strict, true);
    assert.equal(body.messages[0].role, 'system');
    const parts = body.messages[1].content;
    assert.equal(parts[0].type, 'text');
    assert.match(parts[0].text, /UNTRUSTED_NEWS/);
    assert.equal(parts[1].image_url.url, `data:image/png;base64,${PNG.toString('base64')}`);
    assert.equal(parts[1].image_url.detail, 'low');
    assert.equal(body.max_completion_tokens, 1500);
    assert.equal(fake.requests[0].headers.authorization, 'Bearer test-key');
  });

  it('when the reply is not JSON, then one repair call quotes the error and its answer is used', async () => {
    fake.enqueue({ kind: 'text', content: 'Sure! Here is my analysis: the chart looks bullish.' }, { kind: 'json', body: plainHold() });
    const r = await analyzer().analyze(input());
    assert.deepEqual(r.output, plainHold());
    assert.equal(fake.requests.length, 2);
    const repair = fake.requests[1].body.messages;
    assert.equal(repair.at(-2).role, 'assistant');
    assert.match(repair.at(-2).content, /looks bullish/);
    assert.match(repair.at(-1).content, /not valid JSON/);
    assert.deepEqual(r.usage, { inputTokens: 2510, outputTokens: 400, cachedInputTokens: 0 }, 'usage adds both calls');
  });

  it('when the JSON breaks the schema twice, then it fails as invalid output after exactly one repair', async () => {
    const broken = { ...plainHold(), decision: { ...plainHold().decision, action: 'moon', confidence: 3 } };
    fake.enqueue({ kind: 'json', body: broken }, { kind: 'json', body: broken });
    const err = await failure(analyzer().analyze(input()));
    assert.equal(err.code, 'llm_invalid_output');
    assert.match(err.upstreamDetail, /decision\.action/, 'the validation errors are kept for the log');
    assert.equal(err.message, DEGRADED_MESSAGES.llm_invalid_output, 'the caller sees the fixed sentence only');
    assert.equal(fake.requests.length, 2);
    assert.match(fake.requests[1].body.messages.at(-1).content, /decision\.confidence/);
    assert.equal(err.spent.attempts, 2);
    assert.ok(err.spent.usage && err.spent.usage.inputTokens > 0, 'what was spent is reported');
  });

  it('when the reply is cut off at the token limit, then it is repaired', async () => {
    fake.enqueue({ kind: 'text', content: JSON.stringify(plainHold()).slice(0, 80), finishReason: 'length' }, { kind: 'json', body: plainHold() });
    const r = await analyzer().analyze(input());
    assert.equal(r.output.decision.action, 'hold');
    assert.equal(fake.requests.length, 2);
  });

  it('when rate limited with Retry-After, then the SDK waits and retries, and attempts count both', async () => {
    fake.enqueue({ kind: 'error', status: 429, headers: { 'retry-after': '1' } }, { kind: 'json', body: plainHold() });
    const started = Date.now();
    const r = await analyzer().analyze(input());
    assert.ok(Date.now() - started >= 900, 'waited about the Retry-After second');
    assert.equal(r.attempts, 2);
    assert.equal(fake.requests.length, 2);
  });

  it('when the server keeps failing with 500, then it gives up as unavailable after its retries', async () => {
    fake.setFallback({ kind: 'error', status: 500, headers: { 'retry-after-ms': '10' } });
    const err = await failure(analyzer({ maxRetries: 2 }).analyze(input()));
    assert.equal(err.code, 'llm_unavailable');
    assert.equal(fake.requests.length, 3);
    assert.equal(err.spent.attempts, 3);
  });

  it('when the model is slower than the deadline, then it fails at the deadline, not when the model answers', async () => {
    fake.enqueue({ kind: 'slow', delayMs: 5000, then: { kind: 'json', body: plainHold() } });
    const started = Date.now();
    const err = await failure(analyzer().analyze(input({ deadline: Date.now() + 400 })));
    assert.equal(err.code, 'llm_deadline');
    assert.ok(Date.now() - started < 2500);
  });

  it('when one attempt is slower than the per-attempt timeout, then it is a timeout', async () => {
    fake.setFallback({ kind: 'hang' });
    const err = await failure(analyzer({ timeoutMs: 200, maxRetries: 0 }).analyze(input()));
    assert.equal(err.code, 'llm_timeout');
  });

  it('when our own code throws inside the adapter (a TypeError), then it is a bug, not a degraded upstream failure', async () => {
    fake.enqueue({ kind: 'json', body: plainHold() });
    const broken = input({ image: { png: null as unknown as Buffer, width: 1024, height: 512, sha256: 'x' } });
    await assert.rejects(analyzer().analyze(broken), (err: unknown) => err instanceof TypeError && !(err instanceof AnalyzerFailure));
  });

  it('when the model refuses, then it fails as a refusal with the model\'s words kept for the log', async () => {
    fake.enqueue({ kind: 'refusal', refusal: "I can't help with trading decisions." });
    const err = await failure(analyzer().analyze(input()));
    assert.equal(err.code, 'llm_refusal');
    assert.match(err.upstreamDetail, /trading decisions/);
    assert.doesNotMatch(err.message, /trading decisions/);
  });

  it('when the server refuses json_schema, then json_object is used and remembered for that model', async () => {
    const a = analyzer();
    fake.setFallback({ kind: 'reject_response_format', formats: ['json_schema'], then: { kind: 'json', body: plainHold() } });
    const r = await a.analyze(input());
    assert.equal(r.structuredOutput, 'json_object');
    assert.deepEqual(fake.requests.map((q) => q.body.response_format?.type), ['json_schema', 'json_object']);
    assert.match(fake.requests[1].body.messages[0].content, /JSON schema exactly/);
    fake.requests.length = 0;
    await a.analyze(input());
    assert.deepEqual(fake.requests.map((q) => q.body.response_format?.type), ['json_object'], 'starts where it worked');
    assert.equal(a.modeFor('gpt-4o-mini'), 'json_object');
    assert.equal(a.modeFor('another-model'), 'json_schema');
  });

  it('when the server refuses both response formats, then the schema goes in the prompt alone', async () => {
    fake.setFallback({ kind: 'reject_response_format', formats: ['json_schema', 'json_object'], then: { kind: 'text', content: `\`\`\`json\n${JSON.stringify(plainHold())}\n\`\`\`` } });
    const r = await analyzer().analyze(input());
    assert.equal(r.structuredOutput, 'prompt');
    assert.equal(fake.requests.at(-1)?.body.response_format, undefined);
    assert.equal(r.output.decision.action, 'hold', 'a fenced reply is still read');
  });

  it('when the key is wrong, then it fails as an auth problem without retrying', async () => {
    const err = await failure(analyzer({ apiKey: 'wrong' }).analyze(input()));
    assert.equal(err.code, 'llm_auth');
    assert.equal(fake.requests.length, 1);
  });

  it('when the budget is spent by the first answer, then no repair call is made', async () => {
    fake.enqueue({ kind: 'text', content: 'not json' }, { kind: 'json', body: plainHold() });
    const err = await failure(analyzer({ model: 'gpt-4o', budgetUsd: 0.000001 }).analyze(input()));
    assert.equal(err.code, 'llm_budget');
    assert.equal(fake.requests.length, 1);
  });

  it('when the model is not in the price table, then cost is null but usage is still reported', async () => {
    fake.enqueue({ kind: 'json', body: plainHold() });
    const r = await analyzer({ model: 'llava:13b' }).analyze(input());
    assert.equal(r.costUsd, null);
    assert.equal(r.usage?.inputTokens, 1255);
  });

  it('when 32 analyses run at once against a 200 ms model, then they overlap instead of queueing', async () => {
    const slowFake = await startFakeOpenAI({ apiKey: 'test-key', latencyMs: 200 });
    try {
      slowFake.setFallback({ kind: 'json', body: plainHold() });
      const b = new OpenAIAnalyzer({
        baseURL: slowFake.url,
        apiKey: 'test-key',
        model: 'gpt-4o-mini',
        imageDetail: 'high',
        timeoutMs: 5000,
        maxRetries: 0,
        maxOutputTokens: 1500,
        budgetUsd: null,
        prices: DEFAULT_PRICES,
      });
      const started = Date.now();
      await Promise.all(Array.from({ length: 32 }, () => b.analyze(input())));
      assert.ok(Date.now() - started < 3000, 'not 32 x 200 ms');
      assert.equal(slowFake.requests.length, 32);
    } finally {
      await slowFake.close();
    }
  });
});
