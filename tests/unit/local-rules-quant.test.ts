/**
 * The local rules as a quant model (src/core/analysis/local-rules.ts): time-series trend (close vs
 * SMA200, SMA50 vs SMA200) with volatility scaling, abstaining where the two disagree. On
 * constructed series the calls are known by construction; on the real sample they must be causal.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleAnalysis } from '../../src/core/analysis/assemble-analysis.ts';
import type { CalibrationMap } from '../../src/core/analysis/calibration.ts';
import { analyzeWithRules, QUANT_PARAMS, quantSignals } from '../../src/core/analysis/local-rules.ts';
import type { ModelOutput } from '../../src/core/analysis/model-output.ts';
import { verificationFactsFor } from '../../src/core/analysis/verification-facts.ts';
import type { Candle } from '../../src/core/market/candles.ts';
import { computeMarketFacts, computeMarketStreams, factsAt, type MarketFacts } from '../../src/core/market/facts.ts';
import { sp500 } from '../helpers/sample-data.ts';
import { candlesAlongPath } from '../helpers/synthetic.ts';

/** A zigzag path: `legs` legs of `barsPerLeg` bars, alternating +up and -down from `start`. */
function zigzag(start: number, legs: number, barsPerLeg: number, up: number, down: number): [number, number][] {
  const v: [number, number][] = [[0, start]];
  let price = start;
  for (let k = 1; k <= legs; k++) {
    price += k % 2 === 1 ? up : -down;
    v.push([k * barsPerLeg, price]);
  }
  return v;
}

const rulesAt = (candles: readonly Candle[]): { facts: MarketFacts; out: ModelOutput } => {
  const facts = computeMarketFacts(candles);
  return { facts, out: analyzeWithRules(facts, [], 'TEST') };
};

/** A steady climb with pullbacks: 300 bars, +6 then -3 every 10 bars. */
const uptrend = candlesAlongPath(zigzag(100, 30, 10, 6, 3));
/** Its mirror: a steady fall with bounces. */
const downtrend = candlesAlongPath(zigzag(300, 30, 10, -6, -3).map(([i, p]) => [i, p] as [number, number]));
/** Up for 250 bars, then a sharp drop: the close is below SMA200 while SMA50 is still above it. */
const brokenTrend = candlesAlongPath([...zigzag(100, 25, 10, 8, 3).slice(0, -1), [250, 200], [270, 120]]);

describe('the quant model on constructed series', () => {
  it('when the trend is up (close > SMA200, SMA50 > SMA200), then BUY, sized by volatility, stop 2 ATR below, target 2x the risk', () => {
    const { facts, out } = rulesAt(uptrend);
    const { sma50, sma200, atr14 } = facts.indicators;
    assert.ok(sma50 !== null && sma200 !== null && atr14 !== null);
    assert.ok(facts.lastBar.close > sma200 && sma50 > sma200, 'the series is built to trend up');
    const d = out.decision;
    assert.equal(d.action, 'buy', d.rationale);
    const s = quantSignals(facts);
    assert.equal(d.exposure, Math.round(Math.min(1, QUANT_PARAMS.targetVol / (s.volatility as number)) * 1000) / 1000);
    assert.ok(d.exposure > 0 && d.exposure <= 1);
    assert.ok(d.invalidation !== null && d.target !== null && d.entry !== null);
    assert.ok(Math.abs(d.entry - d.invalidation - 2 * atr14) < 1e-6 * d.entry, `stop ${d.invalidation} is 2 ATR below ${d.entry}`);
    assert.ok(Math.abs(d.target - d.entry - 4 * atr14) < 1e-6 * d.entry, `target ${d.target} is 4 ATR above ${d.entry}`);
    assert.equal(d.horizonBars, 5);
    assert.match(d.rationale, /not a language model/);
    const byName = Object.fromEntries(out.experts.map((e) => [e.name, e]));
    assert.equal(byName.trend.stance, 'long');
    assert.equal(byName.breakout.stance, 'long');
    assert.equal(byName.reversal.weight, 0, 'mean reversion is not traded');
    assert.equal(byName.positioning.weight, 0, 'positioning reports the volatility, it sizes nothing by itself');
    assert.equal(out.experts.reduce((a, e) => a + e.weight, 0), 1);
  });

  it('when the trend is down (close < SMA200, SMA50 < SMA200), then SELL with the stop above the entry', () => {
    const { out } = rulesAt(downtrend);
    const d = out.decision;
    assert.equal(d.action, 'sell', d.rationale);
    assert.ok(d.exposure < 0);
    assert.ok(d.invalidation !== null && d.entry !== null && d.target !== null && d.invalidation > d.entry && d.target < d.entry);
  });

  it('when the close has fallen below SMA200 but SMA50 is still above it, then HOLD: the signals disagree and the model claims no edge', () => {
    const { facts, out } = rulesAt(brokenTrend);
    const { sma50, sma200 } = facts.indicators;
    assert.ok(sma50 !== null && sma200 !== null && facts.lastBar.close < sma200 && sma50 > sma200, `close ${facts.lastBar.close}, sma50 ${sma50}, sma200 ${sma200}`);
    assert.equal(out.decision.action, 'hold');
    assert.equal(out.decision.exposure, 0);
    assert.equal(out.decision.invalidation, null);
    assert.match(out.decision.rationale, /disagree/);
  });

  it('when there are fewer than 200 bars, then HOLD: the trend filter cannot be read', () => {
    const { out } = rulesAt(uptrend.slice(0, 150));
    assert.equal(out.decision.action, 'hold');
    assert.match(out.decision.rationale, /sma200 needs 200 bars/);
  });

  it('when the same trend is three times as volatile, then the exposure is a third or less (volatility scaling)', () => {
    // Wide bars around the same path: ATR grows, the annualised volatility with it.
    const wide = uptrend.map((c) => ({ ...c, high: c.high + 6, low: c.low - 6 }));
    const calm = rulesAt(uptrend);
    const wild = rulesAt(wide);
    assert.equal(wild.out.decision.action, 'buy');
    const vWild = quantSignals(wild.facts).volatility as number;
    assert.ok(vWild > QUANT_PARAMS.targetVol, `the wide series is volatile enough to be scaled (${vWild})`);
    assert.ok(Math.abs(wild.out.decision.exposure - QUANT_PARAMS.targetVol / vWild) < 0.001);
    assert.ok(wild.out.decision.exposure < calm.out.decision.exposure);
  });

  it('when the series is flat, then HOLD with every slot flat', () => {
    const flat = uptrend.map((c) => ({ ...c, open: 100, high: 100, low: 100, close: 100 }));
    const { out } = rulesAt(flat);
    assert.equal(out.decision.action, 'hold');
    assert.ok(out.experts.every((e) => e.exposure === 0));
  });

  it('when the raw confidence is read, then it is 0.5 + 0.05 per agreeing moving-average rung, in [0.6, 0.7] for a call', () => {
    for (const series of [uptrend, downtrend]) {
      const { facts, out } = rulesAt(series);
      const s = quantSignals(facts);
      assert.ok(s.rungs >= 2 && s.rungs <= 4);
      assert.equal(out.decision.confidence, Math.round((0.5 + 0.05 * s.rungs) * 1000) / 1000);
    }
  });
});

/** Replace every bar after t with a different, still valid, walk (seeded). */
function scrambleAfter(candles: readonly Candle[], t: number, seed: number): Candle[] {
  let a = seed;
  const rand = (): number => {
    a = (a * 1103515245 + 12345) % 2147483648;
    return a / 2147483648;
  };
  const out = candles.slice(0, t + 1);
  let price = candles[t].close;
  for (let i = t + 1; i < candles.length; i++) {
    const open = price;
    price = Math.max(1, price * (1 + (rand() - 0.5) * 0.1));
    out.push({ time: candles[i].time, open, high: Math.max(open, price) * 1.01, low: Math.min(open, price) * 0.99, close: price, volume: 1e9 });
  }
  return out;
}

describe('the quant model is causal', () => {
  const candles = sp500().slice(0, 2000);
  const streams = computeMarketStreams(candles);
  const bars = [199, 200, 260, 500, 777, 1000, 1234, 1500, 1800, 1990];
  const map: CalibrationMap = {
    version: 1,
    analyzer: 'local',
    model: null,
    promptVersion: 'analyze.v1',
    horizonBars: 5,
    fittedOn: { from: '2000-01-03', to: '2007-12-31', calls: 100, source: 'test', window: 150, step: 5 },
    method: 'test',
    shrinkage: 20,
    baseRate: 0.55,
    bins: [
      { from: 0, to: 0.625, n: 50, hitRate: 0.52 },
      { from: 0.625, to: 1, n: 50, hitRate: 0.58 },
    ],
  };
  const decide = (s: typeof streams, t: number) => {
    const { facts, verify } = verificationFactsFor(s, t, t - 149);
    const out = analyzeWithRules(facts, [], null);
    const analysis = assembleAnalysis(out, {
      id: 'causal',
      createdAt: '2020-01-01T00:00:00.000Z',
      symbol: null,
      timeframe: '1d',
      input: { source: 'ohlcv', bars: t + 1, imageSha256: '0'.repeat(64), chart: { width: 1024, height: 512, renderer: 'chartjs' }, newsCount: 0 },
      facts,
      verify,
      provider: {} as never,
      calibration: map,
    });
    return { proposed: out.decision, decision: analysis.decision };
  };

  it('when every bar after t is replaced, then the proposed and the final (calibrated) decision at t do not change', () => {
    for (const [k, t] of bars.entries()) {
      const altered = computeMarketStreams(scrambleAfter(candles, t, 1000 + k));
      assert.deepStrictEqual(decide(altered, t), decide(streams, t), `bar ${t}`);
    }
  });

  it('when the series is cut at t, then the rules answer exactly as they do reading the full series at t', () => {
    for (const t of bars) {
      assert.deepStrictEqual(analyzeWithRules(computeMarketFacts(candles.slice(0, t + 1)), [], null), analyzeWithRules(factsAt(streams, t), [], null), `bar ${t}`);
    }
  });

  it('when the real sample is read, then the model makes calls both ways and abstains some of the time', () => {
    const actions = new Set<string>();
    for (let t = 199; t < candles.length; t += 20) actions.add(analyzeWithRules(factsAt(streams, t), [], null).decision.action);
    assert.deepEqual([...actions].sort(), ['buy', 'hold', 'sell']);
  });
});
