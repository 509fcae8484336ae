import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelOutput, ModelPattern } from '../../src/core/analysis/model-output.ts';
import { verificationFactsFor } from '../../src/core/analysis/verification-facts.ts';
import { verifyClaims, type VerificationFacts } from '../../src/core/analysis/verify.ts';
import { type Candle, formatCandleTime } from '../../src/core/market/candles.ts';
import { CHART_PATTERN_LABELS, type ChartPatternType, priceUnitAt } from '../../src/core/market/chart-patterns.ts';
import { randomWalkCandles } from '../../src/core/evaluation/synthetic.ts';
import { computeMarketStreams, type MarketStreams } from '../../src/core/market/facts.ts';
import { computeLevels, nearestLevelsFinder } from '../../src/core/market/levels.ts';
import { plainHold } from '../../testing/model-replies.ts';
import { referenceVerificationFacts } from '../../testing/reference-verification-facts.ts';
import { sp500 } from '../helpers/sample-data.ts';
import { candlesAlongPath } from '../helpers/synthetic.ts';

// Issue 12: the window's chart patterns are detected in one pass instead of ~30 detections from
// scratch. The old function is kept in testing/reference-verification-facts.ts; on every series
// and window here both must give the same facts, hit for hit in the same order, and so the same
// verification of any claim.

const WINDOW = 150;

/**
 * Claims that probe every chart-pattern hit (its own span in both directions, and a bar later), a
 * few candlestick ones (their list comes from the streams, untouched), every chart pattern's name
 * at spans across the window, and the levels.
 */
function probingClaims(v: VerificationFacts): ModelOutput {
  const time = (i: number): string => formatCandleTime(v.candles[Math.max(v.window.from, Math.min(v.window.to, i))].time);
  const patterns: ModelPattern[] = [];
  const candlesticks = v.patterns.filter((h) => h.kind === 'candlestick');
  for (const h of [...v.patterns.filter((p) => p.kind === 'chart'), ...candlesticks.slice(-3)]) {
    const kind = h.kind === 'chart' ? 'chart' : 'candlestick';
    for (const direction of ['bullish', 'bearish'] as const) {
      patterns.push({ name: h.name, kind, direction, start: h.startTime, end: h.endTime, confidence: 0.6 });
      patterns.push({ name: h.name, kind, direction, start: time(h.startIndex + 1), end: time(h.endIndex + 1), confidence: 0.6 });
    }
  }
  const step = Math.max(1, Math.floor((v.window.to - v.window.from) / 3));
  for (const code of Object.keys(CHART_PATTERN_LABELS) as ChartPatternType[]) {
    for (let i = v.window.from; i + 10 <= v.window.to; i += step) {
      patterns.push({ name: CHART_PATTERN_LABELS[code], kind: 'chart', direction: 'bearish', start: time(i), end: time(i + 10), confidence: 0.5 });
    }
  }
  const close = v.candles[v.t].close;
  const prices = v.levels.flatMap((l) => [l.price, l.price + 0.2 * v.atr, l.price - 0.6 * v.atr]);
  return {
    ...plainHold(),
    patterns,
    levels: { support: prices.filter((p) => p < close), resistance: prices.filter((p) => p >= close) },
    indicators: [
      { name: 'rsi14', value: v.indicators.rsi14, reading: 'neutral' },
      { name: 'atr14', value: v.indicators.atr14, reading: 'neutral' },
    ],
  };
}

/** Both ways agree on the facts at t over [from..t], and on every probing claim. */
function assertSame(streams: MarketStreams, t: number, from: number, where: string): number {
  const expected = referenceVerificationFacts(streams, t, from);
  const actual = verificationFactsFor(streams, t, from);
  assert.deepStrictEqual(actual, expected, `${where}: the facts differ`);
  const claims = probingClaims(expected.verify);
  assert.deepStrictEqual(verifyClaims(claims, actual.verify), verifyClaims(claims, expected.verify), `${where}: the verification differs`);
  return expected.verify.patterns.filter((p) => p.kind === 'chart').length;
}

function checkWindows(candles: readonly Candle[], label: string, stride: number): number {
  const streams = computeMarketStreams(candles);
  let chartHits = 0;
  for (let t = 5; t < candles.length; t += stride) chartHits += assertSame(streams, t, Math.max(0, t - WINDOW + 1), `${label} t=${t}`);
  return chartHits;
}

describe('chart patterns over the window in one pass: the same facts and verification as detecting every 5 bars', () => {
  const all = sp500();

  it('when replaying the whole S&P 500 sample (streams over 5,104 bars, a window every 101 bars), then every window is identical', () => {
    const hits = checkWindows(all, 'sp500', 101);
    assert.ok(hits > 100, `the windows hold chart patterns to compare (${hits})`);
  });

  it('when analysing 300-bar requests as the API does (the last 150 bars shown), then identical', () => {
    for (let start = 0; start + 300 <= all.length; start += 1601) {
      const candles = all.slice(start, start + 300);
      assertSame(computeMarketStreams(candles), 299, 150, `sp500[${start}..+300]`);
      // The whole 300 bars on the chart, as with chart.last = 300.
      assertSame(computeMarketStreams(candles), 299, 0, `sp500[${start}..+300] whole`);
    }
  });

  it('when the bars are random walks with the sample volatility, then identical', () => {
    for (const seed of [1, 2]) {
      const { candles } = randomWalkCandles(all.slice(0, 600), seed);
      checkWindows(candles, `random walk ${seed}`, 53);
    }
  });

  it('when the bars trace textbook shapes (double top, triangle, flat, no volume), then identical', () => {
    const shapes: [string, Candle[]][] = [
      ['double top', candlesAlongPath([[0, 100], [30, 130], [45, 115], [60, 130], [80, 100], [120, 90]])],
      ['triangle', candlesAlongPath([[0, 100], [20, 140], [35, 110], [50, 135], [62, 116], [74, 131], [84, 121], [90, 127], [110, 150]])],
      ['flat', candlesAlongPath([[0, 100], [80, 100]], 0)],
      ['no volume', candlesAlongPath([[0, 50], [25, 70], [40, 55], [70, 90], [90, 60]]).map(({ volume: _v, ...c }) => c)],
    ];
    for (const [name, candles] of shapes) checkWindows(candles, name, 3);
  });
});

describe('nearestLevelsFinder', () => {
  it('when asked at every bar, then it gives the first support and resistance of computeLevels exactly', () => {
    for (const candles of [sp500().slice(0, 2500), randomWalkCandles(sp500().slice(0, 800), 7).candles]) {
      const { pivots, indicators } = computeMarketStreams(candles);
      const nearest = nearestLevelsFinder(pivots);
      let found = 0;
      for (let t = 0; t < candles.length; t++) {
        const unit = priceUnitAt(candles, indicators.atr14, t);
        const levels = computeLevels(pivots, t, candles[t].close, unit);
        const got = nearest(t, candles[t].close, unit);
        assert.deepStrictEqual(got, { support: levels.support[0], resistance: levels.resistance[0] }, `bar ${t}`);
        if (got.support && got.resistance) found++;
      }
      assert.ok(found > candles.length / 2, 'most bars have levels on both sides');
    }
  });
});
