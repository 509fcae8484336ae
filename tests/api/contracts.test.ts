/**
 * The HTTP contract (src/contracts) against the real app: every body the service answers must parse
 * with its schema, and the schemas are closed (strict objects), so a field added to a response
 * without adding it to the contract fails here.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import request from 'supertest';
import { z } from 'zod';
import {
  type AnalysisBody,
  type AnalyzeRequestBody,
  analysisSchema,
  analyzeNewsSchema,
  analyzeRequestSchema,
  candleRowSchema,
  type ErrorBody,
  errorBodySchema,
  factsRequestSchema,
  factsResponseSchema,
  healthBodySchema,
  readyBodySchema,
  renderRequestSchema,
} from '../../src/contracts/index.ts';
import type { NewsItem } from '../../src/core/analysis/news.ts';
import { formatCandleTime } from '../../src/core/market/candles.ts';
import type { AnalysisStore } from '../../src/ports/analysis-store.ts';
import type { FakeOpenAI } from '../../testing/fake-openai.ts';
import { type AnalysisApp, FAKE_MODEL, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';
import { lastSampleCsv, rowsWith } from '../helpers/candle-rows.ts';
import { pngChart } from '../helpers/image-fixtures.ts';
import { answerWithTrueAndFalseClaims } from '../../testing/model-replies.ts';
import { indexOfDate, sp500 } from '../helpers/sample-data.ts';

const SAMPLE_NEWS: NewsItem[] = JSON.parse(readFileSync(new URL('../../samples/charts/sp500-2020-light.news.json', import.meta.url), 'utf8'));
const readExample = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../docs/examples/${name}`, import.meta.url), 'utf8'));

/** Parse with the schema and fail with zod's readable list of what does not fit. */
function parses<S extends z.ZodType>(schema: S, body: unknown, label: string): z.output<S> {
  const result = schema.safeParse(body);
  assert.ok(result.success, `${label} does not fit its contract:\n${result.success ? '' : z.prettifyError(result.error)}`);
  return result.data;
}

/** The issues of a failed parse, as "path: code" lines, for asserting what was rejected. */
function rejection(schema: z.ZodType, body: unknown): string[] {
  const result = schema.safeParse(body);
  assert.equal(result.success, false, 'expected the contract to reject the body');
  return result.error?.issues.map((i) => `${i.path.join('.')}: ${i.code}`) ?? [];
}

/** An error answer: the status, JSON, the error body contract, and the code. */
function assertErrorBody(res: request.Response, status: number, code: ErrorBody['error']['code']): ErrorBody {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  const body = parses(errorBodySchema, res.body, `${status} ${code}`);
  assert.equal(body.error.code, code);
  return body;
}

/**
 * Paths of objects in a schema that accept unknown keys. A record keyed by an enum is closed by its
 * keys; `unknown` values (an adjustment's from/to) are data, not shapes, and have no type.
 */
function openObjects(schema: z.ZodType): string[] {
  const open: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
    if (typeof node !== 'object' || node === null) return;
    const n = node as Record<string, unknown>;
    const isObject = n.type === 'object' || (Array.isArray(n.type) && n.type.includes('object'));
    const closedByKeys = typeof n.propertyNames === 'object' && n.propertyNames !== null && 'enum' in n.propertyNames;
    if (isObject && n.additionalProperties !== false && !closedByKeys) open.push(path || '(root)');
    for (const [k, v] of Object.entries(n)) walk(v, `${path}/${k}`);
  };
  walk(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }), '');
  return open;
}

/** A unique news item keeps one test's request out of another's cache entry. */
const tag = (label: string): NewsItem => ({ headline: `${label} ${randomUUID()}` });

let store: AnalysisStore;
let local: AnalysisApp;
let withLlm: AnalysisApp;
let fake: FakeOpenAI;

before(async () => {
  store = await openMemoryStore();
  local = await startAnalysisApp({ store });
  withLlm = await startAnalysisApp({ store, openai: true });
  fake = withLlm.fake as FakeOpenAI;
});
after(async () => {
  await withLlm?.close();
  await local?.close();
  await store?.close();
});
beforeEach(() => fake?.reset());

describe('the contract schemas', () => {
  test('when any response schema is walked, then every object in it is closed (a new field must be added to the contract)', () => {
    for (const [name, schema] of Object.entries({ analysisSchema, factsResponseSchema, errorBodySchema, healthBodySchema, readyBodySchema })) {
      assert.deepEqual(openObjects(schema), [], `${name} has objects that accept unknown fields`);
    }
  });

  test('when a request schema meets an unknown top-level field, then it rejects it (typos are a 400, not ignored)', () => {
    for (const schema of [analyzeRequestSchema, renderRequestSchema, factsRequestSchema]) {
      assert.deepEqual(rejection(schema, { csv: 'x', candels: [] }), [': unrecognized_keys']);
    }
  });

  test('when the docs examples are parsed, then both fit the Analysis contract', () => {
    for (const name of ['analysis-local-rules.json', 'analysis-openai-fake-server.json']) {
      parses(analysisSchema, readExample(name), `docs/examples/${name}`);
    }
  });

  test('when the sample rows are parsed, then each fits the documented candle row', () => {
    for (const c of sp500().slice(-5)) parses(candleRowSchema, { ...c, time: formatCandleTime(c.time) }, 'sample row');
    parses(analyzeNewsSchema, SAMPLE_NEWS, 'samples/news');
  });
});

describe('POST /v1/analyze and GET /v1/analyses/:id', () => {
  const body: AnalyzeRequestBody = { symbol: 'SPX', timeframe: '1d', csv: lastSampleCsv(300), news: SAMPLE_NEWS };

  test('when the local rules analyse 300 S&P bars with news, then the answer and its stored copy fit the contract', async () => {
    const req = { ...body, news: [...SAMPLE_NEWS, tag('local')] };
    parses(analyzeRequestSchema, req, 'the request');
    const res = await request(local.app).post('/v1/analyze').send(req);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const a = parses(analysisSchema, res.body, 'POST /v1/analyze (local)');
    assert.equal(a.provider.analyzer, 'local');
    assert.equal(a.provider.kind, 'rules');
    assert.equal(a.provider.degraded, false);
    assert.ok(a.market && a.market.patterns.length > 0, 'the facts carry patterns, so their schema is exercised');

    const got = await request(local.app).get(`/v1/analyses/${a.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(parses(analysisSchema, got.body, 'GET /v1/analyses/:id'), a);

    const again = await request(local.app).post('/v1/analyze').send(req);
    assert.equal(again.status, 200);
    const cached = parses(analysisSchema, again.body, 'POST /v1/analyze (cached)');
    assert.equal(cached.provider.cached, true);
  });

  test('when a field is added to a real answer, at the top or deep inside, then the contract rejects it', async () => {
    const res = await request(local.app).post('/v1/analyze').send({ ...body, news: [tag('extra')] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const a: AnalysisBody = res.body;
    assert.deepEqual(rejection(analysisSchema, { ...a, extra: 1 }), [': unrecognized_keys']);
    assert.deepEqual(rejection(analysisSchema, { ...a, provider: { ...a.provider, region: 'eu' } }), ['provider: unrecognized_keys']);
    assert.ok(a.market);
    const market = { ...a.market, indicators: { ...a.market.indicators, vwap: 1 } };
    assert.ok(rejection(analysisSchema, { ...a, market }).some((i) => i.startsWith('market.indicators')));
    const claims = a.verification.claims.map((c, i) => (i === 0 ? { ...c, score: 1 } : c));
    assert.deepEqual(rejection(analysisSchema, { ...a, verification: { ...a.verification, claims } }), ['verification.claims.0: unrecognized_keys']);
  });

  test('when the OpenAI analyzer is asked for but not configured, then the degraded answer fits the contract', async () => {
    const res = await request(local.app).post('/v1/analyze').send({ ...body, analyzer: 'openai', news: [tag('degraded')] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const a = parses(analysisSchema, res.body, 'POST /v1/analyze (degraded)');
    assert.notEqual(a.provider.degraded, false);
    assert.equal(a.provider.analyzer, 'local');
    assert.equal(a.provider.kind, 'rules');
    assert.equal(typeof a.provider.degradedReason, 'string');
  });

  test('when a model answers through the fake OpenAI server, then usage, adjustments and chart patterns fit the contract', async () => {
    const all = sp500();
    const t = indexOfDate(all, '2018-06-29');
    const candles = all.slice(0, t + 1).map((c) => ({ ...c, time: formatCandleTime(c.time) }));
    const facts = await request(withLlm.app).post('/v1/indicators').send({ candles });
    assert.equal(facts.status, 200, JSON.stringify(facts.body));
    const { rsi14, sma50 } = parses(factsResponseSchema, facts.body, 'POST /v1/indicators').facts.indicators;
    assert.ok(rsi14 !== null && sma50 !== null);
    fake.enqueue({ kind: 'json', body: answerWithTrueAndFalseClaims(rsi14, sma50), usage: { prompt_tokens: 1400, completion_tokens: 260 } });

    const res = await request(withLlm.app)
      .post('/v1/analyze')
      .send({ symbol: 'SPX', timeframe: '1d', candles, analyzer: 'openai', model: FAKE_MODEL, news: [tag('llm')] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const a = parses(analysisSchema, res.body, 'POST /v1/analyze (openai)');
    assert.equal(a.provider.analyzer, 'openai');
    assert.equal(a.provider.kind, 'llm');
    assert.ok(a.provider.usage, 'usage is reported');
    assert.ok(a.verification.adjustments.length > 0, 'the policy adjusted the decision');
    assert.ok(a.market?.patterns.some((p) => p.kind === 'chart'), 'a chart pattern is in the facts');
  });

  test('when a chart image is uploaded, alone or with an OHLCV file, then both answers fit the contract', async () => {
    const alone = await request(local.app).post('/v1/analyze').attach('image', pngChart(), 'chart.png').field('news', JSON.stringify([tag('image')]));
    assert.equal(alone.status, 200, JSON.stringify(alone.body));
    const a = parses(analysisSchema, alone.body, 'POST /v1/analyze (image)');
    assert.equal(a.input.source, 'image');
    // An upload alone is read back from its pixels: the facts are marked as coming from it.
    assert.equal(a.market?.fromImage, true);

    const both = await request(local.app)
      .post('/v1/analyze')
      .attach('image', pngChart(), 'chart.png')
      .attach('ohlcv', Buffer.from(lastSampleCsv(200)), 'ohlcv.csv')
      .field('symbol', 'SPX')
      .field('news', JSON.stringify([tag('image+ohlcv')]));
    assert.equal(both.status, 200, JSON.stringify(both.body));
    assert.equal(parses(analysisSchema, both.body, 'POST /v1/analyze (image+ohlcv)').input.source, 'image+ohlcv');
  });
});

describe('POST /v1/indicators', () => {
  test('when sent JSON rows or raw CSV, then the facts answer fits the contract', async () => {
    const rows = sp500()
      .slice(-300)
      .map((c) => ({ ...c, time: formatCandleTime(c.time) }));
    const json = await request(local.app).post('/v1/indicators').send({ symbol: 'SPX', timeframe: '1d', candles: rows });
    assert.equal(json.status, 200, JSON.stringify(json.body));
    const f = parses(factsResponseSchema, json.body, 'POST /v1/indicators (JSON)');
    assert.equal(f.symbol, 'SPX');
    assert.equal(f.facts.bars, 300);

    const csv = await request(local.app).post('/v1/indicators').type('text/csv').send(lastSampleCsv(50));
    assert.equal(csv.status, 200, JSON.stringify(csv.body));
    const g = parses(factsResponseSchema, csv.body, 'POST /v1/indicators (CSV)');
    assert.equal(g.symbol, null);
    assert.equal(g.facts.indicators.sma200, null);
  });
});

describe('error answers', () => {
  test('when the body is not JSON, then 400 invalid_json fits the error contract', async () => {
    const res = await request(local.app).post('/v1/indicators').type('application/json').send('{"candles": [');
    assertErrorBody(res, 400, 'invalid_json');
  });

  test('when a field is misspelt, then 400 unknown_field names it', async () => {
    const res = await request(local.app).post('/v1/analyze').send({ csv: lastSampleCsv(50), candels: [] });
    assert.deepEqual(assertErrorBody(res, 400, 'unknown_field').error.details, [{ field: 'candels', message: 'unknown field' }]);
  });

  test('when a candle row is broken, then 422 invalid_candles points at its row and field', async () => {
    const res = await request(local.app).post('/v1/indicators').send({ candles: rowsWith(30, 3, { high: 'x' }) });
    const { details } = assertErrorBody(res, 422, 'invalid_candles').error;
    assert.ok(details.some((d) => d.row === 3 && d.field === 'high'), JSON.stringify(details));
  });

  test('when a CSV lacks a column, then 400 invalid_csv points at its line', async () => {
    const res = await request(local.app).post('/v1/indicators').send({ csv: 'date,open,high,low\n2020-01-02,1,2,1\n' });
    assert.equal(assertErrorBody(res, 400, 'invalid_csv').error.details[0].line, 1);
  });

  test('when chart options or news are invalid, then 400 invalid_chart_options and invalid_news', async () => {
    assertErrorBody(await request(local.app).post('/v1/render').send({ csv: lastSampleCsv(50), chart: { width: 10 } }), 400, 'invalid_chart_options');
    assertErrorBody(await request(local.app).post('/v1/analyze').send({ csv: lastSampleCsv(50), news: [{ headline: '' }] }), 400, 'invalid_news');
  });

  test('when an analysis or a route does not exist, then 404 not_found', async () => {
    assertErrorBody(await request(local.app).get(`/v1/analyses/${randomUUID()}`), 404, 'not_found');
    assertErrorBody(await request(local.app).get('/v1/nothing-here'), 404, 'not_found');
  });

  test('when the media type is wrong, then 415 unsupported_media_type', async () => {
    assertErrorBody(await request(local.app).post('/v1/indicators').type('application/xml').send('<candles/>'), 415, 'unsupported_media_type');
  });

  test('when the body is too large or the API key is missing, then 413 payload_too_large and 401 unauthorized', async () => {
    const small = await startAnalysisApp({ store, maxBodyBytes: 1024 });
    const keyed = await startAnalysisApp({ store, apiKeys: ['secret'] });
    try {
      assertErrorBody(await request(small.app).post('/v1/indicators').send({ csv: lastSampleCsv(100) }), 413, 'payload_too_large');
      assertErrorBody(await request(keyed.app).post('/v1/indicators').send({ csv: lastSampleCsv(50) }), 401, 'unauthorized');
    } finally {
      await small.close();
      await keyed.close();
    }
  });
});

describe('health', () => {
  test('when /healthz and /readyz are asked, then both answers fit the contract', async () => {
    parses(healthBodySchema, (await request(local.app).get('/healthz')).body, 'GET /healthz');
    const ready = await request(local.app).get('/readyz');
    assert.equal(ready.status, 200);
    assert.equal(parses(readyBodySchema, ready.body, 'GET /readyz').store, 'ok');
  });
});
