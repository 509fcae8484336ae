/**
 * Planted claims through the real boundary: POST /v1/analyze with OHLCV, a scripted
 * OpenAI-compatible model (the real SDK against the fake server) answering with claims built to
 * be true or false on that chart, and the verification and policy read back from the answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { Analysis } from '../../src/core/analysis/analysis.ts';
import type { ModelOutput } from '../../src/core/analysis/model-output.ts';
import { verificationFactsFor } from '../../src/core/analysis/verification-facts.ts';
import { formatCandleTime } from '../../src/core/market/candles.ts';
import { computeMarketStreams } from '../../src/core/market/facts.ts';
import { plainHold } from '../../testing/model-replies.ts';
import { type AnalysisApp, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';
import { sp500 } from '../helpers/sample-data.ts';

const all = sp500();
const WINDOW = 150;
let app: AnalysisApp;

before(async () => {
  app = await startAnalysisApp({ store: await openMemoryStore(), openai: true, defaultAnalyzer: 'openai' });
});
after(async () => {
  await app.close();
  await app.store.close();
});

/** The candles up to bar t as CSV, the chart drawing the last WINDOW bars. */
function body(t: number, symbol: string) {
  const rows = all.slice(0, t + 1).map((c) => `${formatCandleTime(c.time)},${c.open},${c.high},${c.low},${c.close},${c.volume ?? ''}`);
  return { symbol, timeframe: '1d', csv: ['time,open,high,low,close,volume', ...rows].join('\n'), chart: { last: WINDOW } };
}

interface Planted {
  output: ModelOutput;
  /** Per claim, in the order the answer lists them (patterns, supports, indicators): true or false. */
  expected: boolean[];
}

/** A BUY at full size resting on the claims below: some true (computed here), some false. */
function plant(t: number, onlyLies: boolean): Planted {
  const streams = computeMarketStreams(all.slice(0, t + 1));
  const { facts, verify } = verificationFactsFor(streams, t, t - WINDOW + 1);
  const out: ModelOutput = { ...plainHold(), patterns: [], levels: { support: [], resistance: [] }, indicators: [] };
  const patterns: boolean[] = [];
  const supports: boolean[] = [];
  const indicators: boolean[] = [];
  // A hit with no hit of the other direction at the same bars, so its opposite is plainly false.
  const hit = verify.patterns.find(
    (h) => h.kind === 'candlestick' && h.direction !== 'neutral' && !verify.patterns.some((o) => o.code === h.code && o.direction !== h.direction && o.startIndex <= h.endIndex && o.endIndex >= h.startIndex),
  );
  if (hit) {
    const opposite = hit.direction === 'bullish' ? 'bearish' : 'bullish';
    out.patterns.push({ name: hit.name, kind: 'candlestick', direction: opposite, start: hit.startTime, end: hit.endTime, confidence: 0.9 });
    patterns.push(false);
    if (!onlyLies) {
      out.patterns.push({ name: hit.name, kind: 'candlestick', direction: hit.direction as 'bullish', start: hit.startTime, end: hit.endTime, confidence: 0.9 });
      patterns.push(true);
    }
  }
  const afterChart = new Date(all[t].time + 7 * 86_400_000).toISOString().slice(0, 10);
  out.patterns.push({ name: 'Hammer', kind: 'candlestick', direction: 'bullish', start: afterChart, end: afterChart, confidence: 0.9 });
  patterns.push(false);
  const support = facts.levels.support[0];
  if (support && !onlyLies) {
    out.levels.support.push(Number(support.price.toFixed(2)));
    supports.push(true);
  }
  const high = Math.max(...all.slice(t - WINDOW + 1, t + 1).map((c) => c.high));
  out.levels.support.push(Number((high * 0.999).toFixed(2)));
  supports.push(false);
  const rsi = facts.indicators.rsi14 ?? 50;
  out.indicators.push({ name: 'RSI(14)', value: Number((rsi > 50 ? rsi - 20 : rsi + 20).toFixed(1)), reading: 'misread' });
  indicators.push(false);
  if (!onlyLies) {
    out.indicators.push({ name: 'SMA 50', value: Number((facts.indicators.sma50 ?? 0).toFixed(2)), reading: 'right' });
    indicators.push(true);
  }
  out.decision = { action: 'buy', exposure: 1, confidence: 0.9, horizonBars: 5, entry: null, invalidation: null, target: null, rationale: 'Strong setup.' };
  return { output: out, expected: [...patterns, ...supports, ...indicators] };
}

async function analyse(t: number, planted: Planted, symbol: string): Promise<Analysis> {
  app.fake?.enqueue({ kind: 'json', body: planted.output });
  const res = await request(app.app).post('/v1/analyze').send(body(t, symbol));
  assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
  return res.body as Analysis;
}

const statusOf = (a: Analysis, name: string) => a.verification.claims.filter((c) => c.claim.includes(name)).map((c) => c.status);

describe('planted claims through POST /v1/analyze and a scripted model', () => {
  const bars = [1500, 2600, 3400, 4200, 5000].map((i) => Math.min(i, all.length - 1));

  test('when true and false claims are mixed, then every false one is flagged and every true one confirmed', async () => {
    let lies = 0;
    let truths = 0;
    for (const t of bars) {
      const planted = plant(t, false);
      const a = await analyse(t, planted, 'SPX-mixed');
      const claims = a.verification.claims.filter((c) => c.kind !== 'regime');
      assert.equal(claims.length, planted.expected.length);
      claims.forEach((c, i) => {
        const day = formatCandleTime(all[t].time);
        if (planted.expected[i]) {
          truths++;
          assert.equal(c.status, 'confirmed', `${day}: true claim "${c.claim}" ${c.status}: ${c.detail}`);
        } else {
          lies++;
          assert.ok(c.status === 'contradicted' || c.status === 'not_found', `${day}: false claim "${c.claim}" ${c.status}: ${c.detail}`);
        }
      });
    }
    assert.ok(lies >= 15 && truths >= 10, `${lies} false and ${truths} true claims planted`);
  });

  test('when every checkable claim under a full-size BUY is false, then the answer is HOLD at exposure 0 and says why', async () => {
    for (const t of bars) {
      const a = await analyse(t, plant(t, true), 'SPX-lies');
      assert.equal(a.decision.action, 'hold', formatCandleTime(all[t].time));
      assert.equal(a.decision.exposure, 0);
      assert.ok(a.verification.adjustments.some((x) => x.field === 'action' && x.to === 'hold'), 'the policy lists what it changed');
      assert.deepEqual(statusOf(a, 'Hammer'), ['contradicted'], 'a date after the chart is contradicted');
    }
  });
});
