import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import request from 'supertest';
import type { Analysis } from '../../src/core/analysis/analysis.ts';
import type { NewsItem } from '../../src/core/analysis/news.ts';
import { costUsd, DEFAULT_PRICES } from '../../src/core/analysis/pricing.ts';
import { formatCandleTime } from '../../src/core/market/candles.ts';
import type { AnalysisStore } from '../../src/ports/analysis-store.ts';
import type { FakeOpenAI } from '../../testing/fake-openai.ts';
import { type AnalysisApp, FAKE_MODEL, openMemoryStore, sharedRenderer, startAnalysisApp } from '../helpers/analysis-app.ts';
import { createApp } from '../../src/entry/http/create-app.ts';
import { lastSampleCsv, rowsWith } from '../helpers/candle-rows.ts';
import { answerWithTrueAndFalseClaims, plainHold } from '../../testing/model-replies.ts';
import { indexOfDate, sp500 } from '../helpers/sample-data.ts';

const SAMPLE_NEWS: NewsItem[] = JSON.parse(readFileSync(new URL('../../samples/charts/sp500-2020-light.news.json', import.meta.url), 'utf8'));

const ANALYSIS_KEYS = [
  'id',
  'createdAt',
  'symbol',
  'timeframe',
  'input',
  'market',
  'regime',
  'experts',
  'claims',
  'news',
  'risks',
  'decision',
  'proposedDecision',
  'verification',
  'provider',
  'disclaimer',
].sort();

const PROVIDER_KEYS = [
  'analyzer',
  'kind',
  'model',
  'promptVersion',
  'latencyMs',
  'usage',
  'costUsd',
  'cached',
  'degraded',
  'degradedReason',
  'attempts',
  'structuredOutput',
].sort();

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** supertest buffers image/png bodies into a Buffer; this makes sure of it for any type. */
function binary(res: request.Response, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

/** A unique news item: keeps one test's request out of another test's cache entries. */
const tag = (label: string): NewsItem => ({ headline: `${label} ${randomUUID()}` });

/** Checks every field of an Analysis that does not depend on the analyzer's reading. */
function assertFullAnalysis(a: Analysis): void {
  assert.deepEqual(Object.keys(a).sort(), ANALYSIS_KEYS);
  // An LLM answer also reports the image as sent and the pre-call estimate (optional fields).
  const llmOnly = a.provider.kind === 'llm' ? ['estimate', 'image'] : [];
  assert.deepEqual(Object.keys(a.provider).sort(), [...PROVIDER_KEYS, ...llmOnly].sort());
  assert.match(a.id, /^[0-9a-f-]{36}$/);
  assert.ok(!Number.isNaN(Date.parse(a.createdAt)), a.createdAt);
  const r = a.regime;
  assert.ok(Math.abs(r.uptrend + r.downtrend + r.sideways - 1) <= 0.01, `regime sums to 1: ${JSON.stringify(r)}`);
  assert.deepEqual(
    a.experts.map((e) => e.name),
    ['trend', 'reversal', 'breakout', 'positioning'],
  );
  assert.deepEqual(Object.keys(a.claims).sort(), ['indicators', 'levels', 'patterns']);
  assert.ok(Array.isArray(a.risks));
  const d = a.decision;
  assert.ok(['buy', 'sell', 'hold'].includes(d.action), d.action);
  if (d.action === 'buy') assert.ok(d.exposure > 0, `buy with exposure ${d.exposure}`);
  if (d.action === 'sell') assert.ok(d.exposure < 0, `sell with exposure ${d.exposure}`);
  if (d.action === 'hold') assert.equal(d.exposure, 0);
  assert.ok(d.confidence >= 0 && d.confidence <= 1, `confidence ${d.confidence}`);
  if (d.action !== 'hold') {
    assert.ok(d.entry !== null && d.invalidation !== null, 'a trade has an entry and an invalidation');
    if (d.action === 'buy') assert.ok(d.invalidation < d.entry, `buy stop ${d.invalidation} below entry ${d.entry}`);
    else assert.ok(d.invalidation > d.entry, `sell stop ${d.invalidation} above entry ${d.entry}`);
  }
  assert.ok(['buy', 'sell', 'hold'].includes(a.proposedDecision.action));
  const v = a.verification;
  assert.ok(['verified', 'partial', 'unverified'].includes(v.status), v.status);
  assert.ok(v.claims.length > 0, 'at least the regime claim is checked');
  for (const c of v.claims) {
    assert.deepEqual(Object.keys(c).sort(), ['claim', 'detail', 'kind', 'status']);
    assert.ok(['confirmed', 'not_found', 'contradicted', 'unverifiable'].includes(c.status), c.status);
  }
  assert.ok(Array.isArray(v.adjustments));
  assert.equal(a.provider.promptVersion, 'analyze.v1');
  assert.ok(a.provider.latencyMs >= 0);
  assert.match(a.disclaimer, /not investment advice/);
}

function assertError(res: request.Response, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(res.body.error?.code, code, JSON.stringify(res.body));
  assert.equal(typeof res.body.error.message, 'string');
}

let store: AnalysisStore;
let local: AnalysisApp;
let withLlm: AnalysisApp;
let fake: FakeOpenAI;

before(async () => {
  store = await openMemoryStore();
  local = await startAnalysisApp({ store });
  withLlm = await startAnalysisApp({ store, openai: { analyzer: { maxRetries: 1, timeoutMs: 3000 } } });
  fake = withLlm.fake as FakeOpenAI;
});
after(async () => {
  await withLlm?.close();
  await local?.close();
  await store?.close();
});
beforeEach(() => fake?.reset());

describe('POST /v1/analyze with the local rules', () => {
  const body = { symbol: 'SPX', timeframe: '1d', csv: lastSampleCsv(300), news: SAMPLE_NEWS };

  test('when sent the last 300 S&P bars and 3 news items, then 200 with every field of an Analysis, labelled as the local rules, not an LLM', async () => {
    const res = await request(local.app).post('/v1/analyze').send(body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    const a: Analysis = res.body;
    assertFullAnalysis(a);
    assert.equal(a.symbol, 'SPX');
    assert.equal(a.timeframe, '1d');
    assert.deepEqual(a.input.chart, { width: 1024, height: 512, renderer: 'chartjs' });
    assert.equal(a.input.source, 'ohlcv');
    assert.equal(a.input.bars, 300);
    assert.match(a.input.imageSha256, /^[0-9a-f]{64}$/);
    assert.equal(a.input.newsCount, 3);
    assert.ok(a.market, 'market facts are present');
    assert.equal(a.market.bars, 300);
    assert.equal(a.market.lastBar.time, '2020-04-17');
    assert.equal(typeof a.market.indicators.rsi14, 'number');
    assert.deepEqual(
      a.news.map((n) => n.index),
      [0, 1, 2],
    );
    for (const n of a.news) {
      assert.ok(n.sentiment >= -1 && n.sentiment <= 1 && n.relevance >= 0 && n.relevance <= 1);
    }
    assert.notEqual(a.verification.status, 'unverified', 'with OHLCV the regime claim can be checked');
    assert.ok(a.verification.hallucinationRate === null || (a.verification.hallucinationRate >= 0 && a.verification.hallucinationRate <= 1));
    const p = a.provider;
    assert.equal(p.analyzer, 'local');
    assert.equal(p.kind, 'rules', 'the rules are never presented as an LLM');
    assert.equal(p.model, null);
    assert.equal(p.cached, false);
    assert.equal(p.degraded, false);
    assert.equal(p.degradedReason, null);
    assert.equal(p.structuredOutput, null);
  });

  test('when an analysis is fetched by id, then it is the same analysis and its chart is the exact image analysed', async () => {
    const posted = await request(local.app)
      .post('/v1/analyze')
      .send({ ...body, news: [...SAMPLE_NEWS.slice(0, 2), tag('fetch')] });
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    const a: Analysis = posted.body;

    const got = await request(local.app).get(`/v1/analyses/${a.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, a);

    const png = await request(local.app).get(`/v1/analyses/${a.id}/chart.png`).buffer(true).parse(binary);
    assert.equal(png.status, 200);
    assert.equal(png.headers['content-type'], 'image/png');
    assert.ok(Buffer.isBuffer(png.body));
    assert.equal(sha256(png.body), a.input.imageSha256);
    assert.equal(png.body.readUInt32BE(16), 1024, 'the PNG header says 1024 wide');
  });

  test('when an unknown id is asked for, then 404 not_found JSON for the analysis and its chart', async () => {
    assertError(await request(local.app).get(`/v1/analyses/${randomUUID()}`), 404, 'not_found');
    assertError(await request(local.app).get('/v1/analyses/not-a-uuid%27%3B--'), 404, 'not_found');
    assertError(await request(local.app).get(`/v1/analyses/${randomUUID()}/chart.png`), 404, 'not_found');
  });

  test('when the identical request comes again, then it is served from cache with the same id and no cost', async () => {
    const req = { ...body, news: [...SAMPLE_NEWS, tag('cache')] };
    const first = await request(local.app).post('/v1/analyze').send(req);
    assert.equal(first.status, 200);
    assert.equal(first.body.provider.cached, false);
    const second = await request(local.app).post('/v1/analyze').send(req);
    assert.equal(second.status, 200);
    assert.equal(second.body.provider.cached, true);
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.body.provider.costUsd, 0);
    assert.deepEqual(second.body.decision, first.body.decision);
    assert.deepEqual(second.body.market, first.body.market);
  });

  test('when a request differs only in one news headline, then it is not served from cache', async () => {
    const news = [...SAMPLE_NEWS, tag('headline')];
    const first = await request(local.app).post('/v1/analyze').send({ ...body, news });
    assert.equal(first.status, 200);
    const changed = news.map((n, i) => (i === 1 ? { ...n, headline: `${n.headline}!` } : n));
    const second = await request(local.app).post('/v1/analyze').send({ ...body, news: changed });
    assert.equal(second.status, 200);
    assert.equal(second.body.provider.cached, false);
    assert.notEqual(second.body.id, first.body.id);
  });
});

describe('POST /v1/analyze with an OpenAI-compatible model (fake server)', () => {
  // The chart the model sees: the 150 S&P bars up to 2018-06-29, with the whole history before it.
  const all = sp500();
  const t = indexOfDate(all, '2018-06-29');
  const candles = all.slice(0, t + 1).map((c) => ({ ...c, time: formatCandleTime(c.time) }));
  const recent = { symbol: 'SPX', timeframe: '1d', csv: lastSampleCsv(300) };

  test('when the model mixes true and false claims, then each is checked, cost comes from usage, and the policy downgrades the buy', async () => {
    const facts = await request(withLlm.app).post('/v1/indicators').send({ candles });
    assert.equal(facts.status, 200, JSON.stringify(facts.body));
    const { rsi14, sma50 } = facts.body.facts.indicators;
    assert.equal(facts.body.facts.lastBar.time, '2018-06-29');
    const usage = { prompt_tokens: 1400, completion_tokens: 260, cached_tokens: 0 };
    fake.enqueue({ kind: 'json', body: answerWithTrueAndFalseClaims(rsi14, sma50), usage });

    const res = await request(withLlm.app)
      .post('/v1/analyze')
      .send({ symbol: 'SPX', timeframe: '1d', candles, analyzer: 'openai', model: FAKE_MODEL, news: [tag('trade talks')] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const a: Analysis = res.body;
    assertFullAnalysis(a);
    assert.equal(fake.requests.length, 1);
    assert.equal(fake.requests[0].body.model, FAKE_MODEL);
    assert.equal(a.input.bars, t + 1);
    assert.equal(a.market?.lastBar.time, '2018-06-29');

    const p = a.provider;
    assert.equal(p.analyzer, 'openai');
    assert.equal(p.model, FAKE_MODEL);
    assert.equal(p.degraded, false);
    assert.equal(p.cached, false);
    assert.equal(p.structuredOutput, 'json_schema');
    assert.equal(p.attempts, 1);
    assert.deepEqual(p.usage, { inputTokens: 1400, outputTokens: 260, cachedInputTokens: 0 });
    assert.equal(p.costUsd, costUsd({ inputTokens: 1400, outputTokens: 260, cachedInputTokens: 0 }, DEFAULT_PRICES[FAKE_MODEL]));
    assert.ok((p.costUsd ?? 0) > 0);

    const v = a.verification;
    assert.equal(v.status, 'partial');
    assert.ok((v.hallucinationRate ?? 0) > 0, `hallucination rate ${v.hallucinationRate}`);
    const claim = (re: RegExp) => {
      const c = v.claims.find((x) => re.test(x.claim));
      assert.ok(c, `no claim matching ${re} in ${JSON.stringify(v.claims)}`);
      return c;
    };
    assert.equal(claim(/Bearish Engulfing/).status, 'confirmed');
    assert.equal(claim(/Morning Star/).status, 'not_found');
    assert.equal(claim(/^rsi14 = /).status, 'confirmed');
    assert.equal(claim(/^sma50 = /).status, 'contradicted');

    // The buy rests on the invented morning star: the policy must not pass it through unchanged.
    assert.deepEqual(a.proposedDecision, answerWithTrueAndFalseClaims(rsi14, sma50).decision);
    assert.equal(a.proposedDecision.action, 'buy');
    assert.equal(a.decision.action, 'hold', JSON.stringify(v.adjustments));
    assert.equal(a.decision.exposure, 0);
    assert.ok(a.decision.confidence < a.proposedDecision.confidence, 'confidence was cut');
    const actionChange = v.adjustments.find((adj) => adj.field === 'action');
    assert.ok(actionChange, `the action was adjusted: ${JSON.stringify(v.adjustments)}`);
    assert.equal(actionChange.from, 'buy');
    assert.equal(actionChange.to, 'hold');
    assert.match(actionChange.reason, /Morning Star/);
    assert.ok(!a.decision.basis.some((b) => /Morning Star/.test(b)), 'an unconfirmed claim is not part of the basis');
    assert.ok(a.decision.basis.some((b) => /Bearish Engulfing/.test(b)));
  });

  test('when the model keeps answering 500, then 200 with the local analysis, degraded llm_unavailable', async () => {
    fake.setFallback({ kind: 'error', status: 500, headers: { 'retry-after-ms': '10' } });
    const res = await request(withLlm.app)
      .post('/v1/analyze')
      .send({ ...recent, analyzer: 'openai', news: [tag('500')] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const a: Analysis = res.body;
    assertFullAnalysis(a);
    assert.ok(a.market, 'the fallback still has the facts');
    assert.equal(a.provider.degraded && a.provider.degraded.code, 'llm_unavailable');
    assert.equal(a.provider.degradedReason, `llm_unavailable: ${a.provider.degraded && a.provider.degraded.message}`);
    assert.doesNotMatch(JSON.stringify(a.provider), /Internal Server Error|HTML|<html/i, 'upstream text never reaches the caller');
    assert.equal(a.provider.analyzer, 'local');
    assert.equal(a.provider.kind, 'rules', 'the fallback is labelled as the rules');
    assert.equal(a.provider.model, null);
    assert.equal(fake.requests.length, 2, 'one try and one retry');
    assert.equal(a.provider.attempts, 2);
  });

  test('when the model is slower than the deadline, then 200 degraded llm_deadline, answered at the deadline', async () => {
    const hurried = await startAnalysisApp({ store, openai: fake, deadlineMs: 500 });
    fake.setFallback({ kind: 'slow', delayMs: 5000, then: { kind: 'json', body: plainHold() } });
    const started = Date.now();
    const res = await request(hurried.app)
      .post('/v1/analyze')
      .send({ ...recent, analyzer: 'openai', news: [tag('slow')] });
    const took = Date.now() - started;
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.provider.degraded && res.body.provider.degraded.code, 'llm_deadline');
    assert.equal(res.body.provider.degradedReason, `llm_deadline: ${res.body.provider.degraded && res.body.provider.degraded.message}`);
    assert.doesNotMatch(JSON.stringify(res.body.provider), /Internal Server Error|HTML|<html/i, 'upstream text never reaches the caller');
    assert.equal(res.body.provider.analyzer, 'local');
    assert.ok(took < 2000, `answered in ${took} ms`);
    await hurried.close();
  });

  test('when the model refuses, then 200 degraded llm_refusal', async () => {
    fake.enqueue({ kind: 'refusal', refusal: "I can't help with trading decisions." });
    const res = await request(withLlm.app)
      .post('/v1/analyze')
      .send({ ...recent, analyzer: 'openai', news: [tag('refusal')] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.provider.degraded && res.body.provider.degraded.code, 'llm_refusal');
    assert.equal(res.body.provider.degradedReason, `llm_refusal: ${res.body.provider.degraded && res.body.provider.degraded.message}`);
    assert.doesNotMatch(JSON.stringify(res.body.provider), /Internal Server Error|HTML|<html/i, 'upstream text never reaches the caller');
    assert.equal(res.body.provider.analyzer, 'local');
  });

  test('when the model answers invalid JSON twice, then 200 degraded llm_invalid_output after one repair', async () => {
    fake.enqueue({ kind: 'text', content: 'The chart looks bullish to me.' }, { kind: 'text', content: '{"regime": ' });
    const res = await request(withLlm.app)
      .post('/v1/analyze')
      .send({ ...recent, analyzer: 'openai', news: [tag('invalid')] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.provider.degraded && res.body.provider.degraded.code, 'llm_invalid_output');
    assert.equal(res.body.provider.degradedReason, `llm_invalid_output: ${res.body.provider.degraded && res.body.provider.degraded.message}`);
    assert.doesNotMatch(JSON.stringify(res.body.provider), /Internal Server Error|HTML|<html/i, 'upstream text never reaches the caller');
    assert.equal(fake.requests.length, 2);
    assert.ok(res.body.provider.usage.inputTokens > 0, 'what the failed calls spent is still reported');
    assert.ok(res.body.provider.costUsd > 0);
  });

  test('when the identical model request comes twice, then the second is cached and the model is not called again', async () => {
    fake.enqueue({ kind: 'json', body: plainHold() });
    const req = { ...recent, analyzer: 'openai', news: [tag('llm cache')] };
    const first = await request(withLlm.app).post('/v1/analyze').send(req);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.provider.analyzer, 'openai');
    assert.equal(first.body.provider.cached, false);
    assert.ok(first.body.provider.costUsd > 0);
    assert.equal(fake.requests.length, 1);

    const second = await request(withLlm.app).post('/v1/analyze').send(req);
    assert.equal(second.status, 200);
    assert.equal(second.body.provider.cached, true);
    assert.equal(second.body.provider.analyzer, 'openai');
    assert.equal(second.body.id, first.body.id);
    assert.equal(second.body.provider.costUsd, 0);
    assert.equal(fake.requests.length, 1, 'no new request reached the model');
  });

  test('when an answer was degraded, then the identical request is not served from cache but asks the model again', async () => {
    fake.setFallback({ kind: 'error', status: 500, headers: { 'retry-after-ms': '10' } });
    const req = { ...recent, analyzer: 'openai', news: [tag('degraded cache')] };
    const first = await request(withLlm.app).post('/v1/analyze').send(req);
    assert.equal(first.body.provider.degraded.code, 'llm_unavailable');
    const calls = fake.requests.length;
    assert.ok(calls > 0);

    fake.reset();
    fake.enqueue({ kind: 'json', body: plainHold() });
    const second = await request(withLlm.app).post('/v1/analyze').send(req);
    assert.equal(second.status, 200);
    assert.equal(second.body.provider.cached, false);
    assert.equal(second.body.provider.degraded, false, 'the model answered this time');
    assert.equal(second.body.provider.analyzer, 'openai');
    assert.notEqual(second.body.id, first.body.id);
    assert.equal(fake.requests.length, 1, 'the model was called again');
  });

  test('when openai is asked for but none is configured, then 200 with the rules, degraded llm_not_configured', async () => {
    const res = await request(local.app)
      .post('/v1/analyze')
      .send({ ...recent, analyzer: 'openai', news: [tag('not configured')] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assertFullAnalysis(res.body);
    assert.equal(res.body.provider.degraded && res.body.provider.degraded.code, 'llm_not_configured');
    assert.equal(res.body.provider.degradedReason, `llm_not_configured: ${res.body.provider.degraded && res.body.provider.degraded.message}`);
    assert.doesNotMatch(JSON.stringify(res.body.provider), /Internal Server Error|HTML|<html/i, 'upstream text never reaches the caller');
    assert.equal(res.body.provider.analyzer, 'local');
    assert.equal(res.body.provider.model, null);
  });
});

describe('API keys', () => {
  let keyed: AnalysisApp;
  before(async () => {
    keyed = await startAnalysisApp({ store, apiKeys: ['k1', 'k2'] });
  });
  after(() => keyed.close());
  const body = { csv: lastSampleCsv(120) };

  test('when no Authorization header is sent, then 401 unauthorized with WWW-Authenticate', async () => {
    const res = await request(keyed.app).post('/v1/analyze').send(body);
    assertError(res, 401, 'unauthorized');
    assert.match(res.headers['www-authenticate'] ?? '', /^Bearer/);
  });

  test('when the key is wrong, then 401 unauthorized', async () => {
    const res = await request(keyed.app).post('/v1/analyze').set('Authorization', 'Bearer k3').send(body);
    assertError(res, 401, 'unauthorized');
    assert.match(res.headers['www-authenticate'] ?? '', /^Bearer/);
    assertError(await request(keyed.app).get(`/v1/analyses/${randomUUID()}`).set('Authorization', 'k1'), 401, 'unauthorized');
  });

  test('when the second configured key is sent, then /v1/analyze and /v1/indicators answer 200', async () => {
    const a = await request(keyed.app).post('/v1/analyze').set('Authorization', 'Bearer k2').send(body);
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(a.body.provider.analyzer, 'local');
    const i = await request(keyed.app).post('/v1/indicators').set('Authorization', 'Bearer k2').send(body);
    assert.equal(i.status, 200, JSON.stringify(i.body));
    assert.equal(i.body.facts.bars, 120);
  });

  test('when /healthz and /readyz are asked without a key, then they answer', async () => {
    assert.equal((await request(keyed.app).get('/healthz')).status, 200);
    assert.equal((await request(keyed.app).get('/readyz')).status, 200);
  });
});

describe('bad analyze input is a 4xx JSON error with a stable code', () => {
  const csv = lastSampleCsv(60);
  const post = (body: unknown) => request(local.app).post('/v1/analyze').send(body as object);

  test('when 21 news items are sent, then 400 invalid_news', async () => {
    const news = Array.from({ length: 21 }, (_, i) => ({ headline: `Item ${i}` }));
    assertError(await post({ csv, news }), 400, 'invalid_news');
  });

  test('when a headline is 301 characters, then 400 invalid_news naming the item', async () => {
    const res = await post({ csv, news: [{ headline: 'ok' }, { headline: 'h'.repeat(301) }] });
    assertError(res, 400, 'invalid_news');
    assert.ok(res.body.error.details.some((d: { field?: string }) => d.field === 'news.1.headline'), JSON.stringify(res.body));
    assert.equal((await post({ csv, news: [{ headline: 'h'.repeat(300) }] })).status, 200, '300 is allowed');
  });

  test('when a summary is 2001 characters, then 400 invalid_news', async () => {
    assertError(await post({ csv, news: [{ headline: 'ok', summary: 's'.repeat(2001) }] }), 400, 'invalid_news');
  });

  test('when a news item has an unknown field, then 400 invalid_news naming it', async () => {
    const res = await post({ csv, news: [{ headline: 'ok', sentiment: 1 }] });
    assertError(res, 400, 'invalid_news');
    assert.match(JSON.stringify(res.body.error.details), /sentiment/);
  });

  test('when news is not an array, then 400 invalid_news', async () => {
    assertError(await post({ csv, news: { headline: 'ok' } }), 400, 'invalid_news');
    assertError(await post({ csv, news: 'Stocks rally' }), 400, 'invalid_news');
  });

  test('when an unknown top-level field is sent, then 400 unknown_field naming it', async () => {
    const res = await post({ csv, newz: [] });
    assertError(res, 400, 'unknown_field');
    assert.equal(res.body.error.details[0].field, 'newz');
  });

  test('when the analyzer is not local or openai, then 400 invalid_request', async () => {
    assertError(await post({ csv, analyzer: 'gpt' }), 400, 'invalid_request');
  });

  test('when neither candles, csv, an image nor a symbol is sent, then 400 invalid_request; a symbol alone is fetched', async () => {
    assertError(await post({ news: [{ headline: 'ok' }] }), 400, 'invalid_request');
    assertError(await post({}), 400, 'invalid_request');
    // A symbol alone is fetched from the default source, the CSV folder, which has no SPX.
    assertError(await post({ symbol: 'SPX', news: [{ headline: 'ok' }] }), 404, 'unknown_symbol');
  });

  test('when the candles are invalid, then 422 invalid_candles', async () => {
    assertError(await post({ candles: rowsWith(30, 5, { high: 1 }) }), 422, 'invalid_candles');
    assertError(await post({ candles: 'not rows' }), 422, 'invalid_candles');
  });

  test('when the body is a JSON array or not JSON, then 400, never 5xx', async () => {
    assertError(await post([1, 2, 3]), 400, 'invalid_request');
    const res = await request(local.app).post('/v1/analyze').set('Content-Type', 'application/json').send('{"csv": ');
    assertError(res, 400, 'invalid_json');
  });
});

describe('GET /readyz', () => {
  test('when the store answers, then 200 ready', async () => {
    const res = await request(local.app).get('/readyz');
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'ready');
  });

  test('when the store fails, then 503 store_unavailable with a fixed message, and its raw text goes to the log only', async () => {
    const logged: string[] = [];
    const broken = { ...local.deps.store, ping: () => Promise.reject(new Error('connect ECONNREFUSED 10.1.2.3:5432 user=chartlens')) };
    const app = createApp({ config: { maxBodyBytes: 1024 * 1024 }, renderer: sharedRenderer(), analyze: { ...local.deps, store: broken }, log: (m) => logged.push(m) });
    const res = await request(app).get('/readyz');
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, 'store_unavailable');
    assert.doesNotMatch(JSON.stringify(res.body), /ECONNREFUSED|10\.1\.2\.3|user=/);
    assert.ok(logged.some((l) => l.includes('ECONNREFUSED')), 'the operator still sees why');
  });
});

describe('GET /healthz', () => {
  test('when asked, then it reports the Node version it runs on (24 or newer)', async () => {
    const res = await request(local.app).get('/healthz');
    assert.equal(res.status, 200);
    assert.equal(res.body.node, process.version);
    assert.ok(Number(process.versions.node.split('.')[0]) >= 24, `tests run on ${process.version}`);
  });
});
