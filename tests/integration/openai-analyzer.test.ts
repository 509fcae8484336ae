import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEGRADED_MESSAGES } from '../../src/core/errors.ts';
import { after, before, beforeEach, describe, it } from 'node:test';
import sharp from 'sharp';
import { buildPrompt, fileTemplates } from '../../prompts/loader.ts';
import { LocalRulesAnalyzer } from '../../src/adapters/analyzers/local-rules-analyzer.ts';
import { OpenAIAnalyzer, type OpenAIAnalyzerOptions } from '../../src/adapters/analyzers/openai-analyzer.ts';
import { analyzerRegistry, AnalyzerFailure } from '../../src/ports/analyzer.ts';
import { imageTokens } from '../../src/core/analysis/image-tokens.ts';
import { DEFAULT_PRICES, estimateCostUsd } from '../../src/core/analysis/pricing.ts';
import type { AnalysisRecord, AnalysisStore } from '../../src/ports/analysis-store.ts';
import type { AnalyzerInput } from '../../src/ports/analyzer.ts';
import type { ChartRenderer } from '../../src/ports/chart-renderer.ts';
import { analyzeChart, type AnalyzeCommand } from '../../src/use-cases/analyze-chart.ts';
import { chartOptionsSchema } from '../../src/core/scene/chart-options.ts';
import { type FakeOpenAI, type RecordedRequest, startFakeOpenAI } from '../../testing/fake-openai.ts';
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
    // A budget the first call fits in (its estimated ceiling, and a fifth more), but not the repair.
    fake.enqueue({ kind: 'json', body: plainHold() });
    const probe = await analyzer({ model: 'gpt-4o' }).analyze(input());
    const ceiling = probe.estimate?.maxCostUsd ?? assert.fail('gpt-4o has a price and an image accounting');
    fake.reset();
    fake.enqueue({ kind: 'text', content: 'not json' }, { kind: 'json', body: plainHold() });
    const err = await failure(analyzer({ model: 'gpt-4o', budgetUsd: ceiling * 1.2 }).analyze(input()));
    assert.equal(err.code, 'llm_budget');
    assert.equal(fake.requests.length, 1);
    assert.ok((err.spent.costUsd ?? 0) > 0, 'the first call was paid for');
  });

  it('when the estimate of the first call is over the budget, then it is refused before any request reaches the server', async () => {
    fake.setFallback({ kind: 'json', body: plainHold() });
    const err = await failure(analyzer({ model: 'gpt-4o', budgetUsd: 0.001 }).analyze(input()));
    assert.equal(err.code, 'llm_budget');
    assert.equal(fake.requests.length, 0, 'no request was sent');
    assert.deepEqual(err.spent, { usage: null, costUsd: null, attempts: 0 });
    assert.match(err.upstreamDetail, /could cost up to [\d.e-]+ USD \(\d+ input tokens estimated, 1500 output at most\)/);
    assert.equal(err.message, DEGRADED_MESSAGES.llm_budget);
  });

  it('when the call fits the budget, then it is made and its estimate is reported', async () => {
    fake.enqueue({ kind: 'json', body: plainHold() });
    const r = await analyzer({ model: 'gpt-4o', budgetUsd: 1 }).analyze(input());
    assert.equal(fake.requests.length, 1);
    const e = r.estimate ?? assert.fail('an estimate is reported');
    // The 425 image tokens, the prompt text, the schema and the chat overhead.
    assert.ok(e.inputTokens > 425 + 1000 && e.inputTokens < 425 + 4000, `estimated ${e.inputTokens} input tokens`);
    assert.equal(e.inputCostUsd, estimateCostUsd(e.inputTokens, 0, DEFAULT_PRICES['gpt-4o']));
    assert.equal(e.maxCostUsd, estimateCostUsd(e.inputTokens, 1500, DEFAULT_PRICES['gpt-4o']));
  });

  it('when the model has no image accounting, then there is no estimate and the budget only stops further calls', async () => {
    fake.enqueue({ kind: 'text', content: 'not json' }, { kind: 'json', body: plainHold() });
    const prices = { ...DEFAULT_PRICES, 'llava:13b': { input: 1, cachedInput: 1, output: 1 } };
    const err = await failure(analyzer({ model: 'llava:13b', prices, budgetUsd: 0.0001 }).analyze(input()));
    assert.equal(err.code, 'llm_budget');
    assert.equal(fake.requests.length, 1, 'the first call had no estimate to refuse it by');
    assert.match(err.upstreamDetail, /^spent [\d.e-]+ USD of a 0.0001 USD budget$/);
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

/** A real 1024x512 chart (samples/charts), so that sharp can re-size it. */
const CHART = readFileSync(new URL('../../samples/charts/sp500-2020-light.png', import.meta.url));
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The image part of a recorded request: its detail and the PNG it carries, decoded. */
async function sentImage(req: RecordedRequest): Promise<{ detail: string; png: Buffer; width: number; height: number }> {
  const part = req.body.messages[1].content[1];
  const png = Buffer.from(String(part.image_url.url).replace(/^data:image\/png;base64,/, ''), 'base64');
  const meta = await sharp(png).metadata();
  return { detail: part.image_url.detail, png, width: meta.width ?? 0, height: meta.height ?? 0 };
}

async function chartInput(png: Buffer = CHART): Promise<AnalyzerInput> {
  const meta = await sharp(png).metadata();
  return input({ image: { png, width: meta.width ?? 0, height: meta.height ?? 0, sha256: sha256(png) } });
}

describe('the image each model is sent (imageDetail auto: planned per model)', () => {
  const cases: { model: string; width: number; height: number; detail: 'low' | 'high'; tokens: number | null }[] = [
    // Tile models: 768x384 is still two tiles, so the chart goes as it is.
    { model: 'gpt-4o', width: 1024, height: 512, detail: 'high', tokens: 425 },
    { model: 'gpt-4o-mini', width: 1024, height: 512, detail: 'high', tokens: 14_167 },
    { model: 'gpt-5', width: 1024, height: 512, detail: 'high', tokens: 350 },
    // Patch models pay by the area: down to the 768 px legibility floor.
    { model: 'gpt-4.1-mini', width: 768, height: 384, detail: 'high', tokens: 467 },
    { model: 'gpt-5-mini', width: 768, height: 384, detail: 'high', tokens: 467 },
    { model: 'gpt-4.1-nano-2025-04-14', width: 768, height: 384, detail: 'high', tokens: 709 },
    // Not in the table: as it is, at high, tokens unknown.
    { model: 'llava:13b', width: 1024, height: 512, detail: 'high', tokens: null },
  ];
  for (const c of cases) {
    it(`when the model is ${c.model}, then it is sent ${c.width}x${c.height} at detail ${c.detail}`, async () => {
      fake.enqueue({ kind: 'json', body: plainHold() });
      const r = await analyzer({ model: c.model, imageDetail: 'auto' }).analyze(await chartInput());
      const sent = await sentImage(fake.requests[0]);
      assert.deepEqual({ width: sent.width, height: sent.height, detail: sent.detail }, { width: c.width, height: c.height, detail: c.detail });
      const img = r.image ?? assert.fail('the sent image is reported');
      assert.ok(img.png.equals(sent.png), 'the result carries the exact bytes sent');
      assert.equal(img.sha256, sha256(sent.png));
      assert.deepEqual({ width: img.width, height: img.height, detail: img.detail, tokens: img.tokens }, { width: c.width, height: c.height, detail: c.detail, tokens: c.tokens });
      if (c.width === 1024) assert.ok(sent.png.equals(CHART), 'not re-encoded when the plan keeps the size');
      assert.equal(r.estimate === undefined, c.tokens === null, 'an estimate exactly when the image tokens are known');
    });
  }

  it('when a small chart fits the 512x512 low-detail view of a tile model, then it is sent at low', async () => {
    const small = await sharp(CHART).resize(480, 240).png().toBuffer();
    fake.enqueue({ kind: 'json', body: plainHold() });
    const r = await analyzer({ model: 'gpt-4o', imageDetail: 'auto' }).analyze(await chartInput(small));
    const sent = await sentImage(fake.requests[0]);
    assert.deepEqual([sent.width, sent.height, sent.detail], [480, 240, 'low']);
    assert.equal(r.image?.tokens, 85);
  });

  it('when CHARTLENS_IMAGE_DETAIL is set explicitly, then the chart goes as it is at that detail', async () => {
    fake.enqueue({ kind: 'json', body: plainHold() }, { kind: 'json', body: plainHold() });
    const low = await analyzer({ model: 'gpt-4.1-mini', imageDetail: 'low' }).analyze(await chartInput());
    const high = await analyzer({ model: 'gpt-4o-mini', imageDetail: 'high' }).analyze(await chartInput());
    const [a, b] = await Promise.all(fake.requests.map(sentImage));
    assert.deepEqual([a.width, a.height, a.detail], [1024, 512, 'low']);
    assert.ok(a.png.equals(CHART));
    assert.equal(low.image?.tokens, imageTokens('gpt-4.1-mini', 1024, 512, 'low'));
    assert.deepEqual([b.width, b.height, b.detail], [1024, 512, 'high']);
    assert.equal(high.image?.tokens, 14_167);
  });
});

/** The store as a Map: enough for the use case (no PGlite to start). */
function memoryStore(): AnalysisStore & { records: Map<string, AnalysisRecord> } {
  const records = new Map<string, AnalysisRecord>();
  return {
    records,
    save: async (r) => void records.set(r.id, r),
    get: async (id) => records.get(id) ?? null,
    findByCacheKey: async (key) => [...records.values()].find((r) => r.cacheKey === key && r.analysis.provider.degraded === false) ?? null,
    getImage: async (id) => records.get(id)?.image ?? null,
    list: () => Promise.resolve({ items: [], nextCursor: null }),
    ping: async () => {},
    close: async () => {},
  };
}

describe('analyzeChart with a re-sizing analyzer', () => {
  it('when the model is sent a re-sized chart, then the stored chart is those bytes and the cache key stays the upload\'s', async () => {
    const store = memoryStore();
    const openai = analyzer({ model: 'gpt-4.1-mini', imageDetail: 'auto' });
    const deps = {
      renderer: {} as ChartRenderer,
      analyzers: analyzerRegistry([openai], new LocalRulesAnalyzer(), 'openai'),
      store,
      images: { normalize: async (png: Buffer) => ({ png, width: 1024, height: 512, sha256: sha256(png), originalFormat: 'png' as const, originalWidth: 1024, originalHeight: 512 }) },
      prompts: fileTemplates(),
      deadlineMs: 10_000,
    };
    const cmd: AnalyzeCommand = { symbol: 'SPX', timeframe: '1d', candles: null, image: CHART, news: [], analyzer: 'openai', model: null, chart: chartOptionsSchema.parse({}), request: {} };
    fake.enqueue({ kind: 'json', body: plainHold() });
    const a = await analyzeChart(deps, cmd);
    const sent = await sentImage(fake.requests[0]);
    assert.deepEqual([sent.width, sent.height], [768, 384]);
    const stored = store.records.get(a.id)?.image ?? assert.fail('stored');
    assert.ok(stored.equals(sent.png), 'chart.png is the image the model saw');
    assert.equal(a.provider.image?.sha256, sha256(sent.png));
    assert.deepEqual(a.provider.image && { ...a.provider.image, sha256: undefined }, { width: 768, height: 384, detail: 'high', tokens: 467, sha256: undefined });
    assert.equal(a.input.imageSha256, sha256(CHART), 'input.imageSha256 is the prepared image, the cache key\'s');
    assert.ok(a.provider.estimate && a.provider.estimate.inputTokens > 467);

    const again = await analyzeChart(deps, cmd);
    assert.equal(again.provider.cached, true, 'the same upload finds its answer');
    assert.equal(fake.requests.length, 1);
  });
});
