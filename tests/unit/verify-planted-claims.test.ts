/**
 * A planted-claims audit of the verifier on real S&P 500 windows: true claims built from what was
 * computed, false ones built to be wrong in the ways models are wrong (a pattern where there is
 * none, the opposite direction, a date after the chart, a random level, a misread indicator, a
 * wrong regime). It prints the shares the README quotes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { VerifiedClaim } from '../../src/core/analysis/analysis.ts';
import type { ModelOutput } from '../../src/core/analysis/model-output.ts';
import { verificationFactsFor } from '../../src/core/analysis/verification-facts.ts';
import { type VerificationFacts, verifyIndicator, verifyLevel, verifyPattern, verifyRegime } from '../../src/core/analysis/verify.ts';
import { seededRandom } from '../../src/core/evaluation/backtest-metrics.ts';
import { formatCandleTime } from '../../src/core/market/candles.ts';
import { computeMarketStreams } from '../../src/core/market/facts.ts';
import { sp500 } from '../helpers/sample-data.ts';

const all = sp500();
const streams = computeMarketStreams(all);
const random = seededRandom(2026);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];

interface Tally {
  n: number;
  confirmed: number;
  flagged: number;
  unverifiable: number;
}
const tally = (): Tally => ({ n: 0, confirmed: 0, flagged: 0, unverifiable: 0 });
function count(t: Tally, c: VerifiedClaim): void {
  t.n++;
  if (c.status === 'confirmed') t.confirmed++;
  else if (c.status === 'unverifiable') t.unverifiable++;
  else t.flagged++;
}

const regimeOf = (top: 'uptrend' | 'downtrend' | 'sideways'): ModelOutput['regime'] => ({
  uptrend: top === 'uptrend' ? 0.6 : 0.2,
  downtrend: top === 'downtrend' ? 0.6 : 0.2,
  sideways: top === 'sideways' ? 0.6 : 0.2,
});

function plant(f: VerificationFacts, truth: Tally, lies: Tally, falseConfirmed: string[]): void {
  const { candles, window } = f;
  const day = (i: number): string => formatCandleTime(candles[i].time);
  const signals = f.patterns.filter((h) => h.kind === 'candlestick' && h.direction !== 'neutral' && h.endIndex >= window.from);
  if (signals.length > 0) {
    const h = pick(signals);
    count(truth, verifyPattern({ kind: 'candlestick', confidence: 0.6, name: h.name, direction: h.direction as 'bullish', start: h.startTime, end: h.endTime }, f));
    // The opposite direction at the real bars.
    const opposite = h.direction === 'bullish' ? 'bearish' : 'bullish';
    const o = verifyPattern({ kind: 'candlestick', confidence: 0.6, name: h.name, direction: opposite, start: h.startTime, end: h.endTime }, f);
    count(lies, o);
    if (o.status === 'confirmed') falseConfirmed.push(`opposite ${h.name} ${h.endTime}: ${o.detail}`);
    // The same pattern on bars where it is not.
    const free = [];
    for (let i = window.from + 2; i <= window.to - 2; i++) {
      if (!f.patterns.some((p) => p.code === h.code && p.startIndex <= i + 2 && p.endIndex >= i - 2)) free.push(i);
    }
    if (free.length > 0) {
      const i = pick(free);
      const w = verifyPattern({ kind: 'candlestick', confidence: 0.6, name: h.name, direction: h.direction as 'bullish', start: day(i), end: day(i) }, f);
      count(lies, w);
      if (w.status === 'confirmed') falseConfirmed.push(`misplaced ${h.name} ${day(i)}: ${w.detail}`);
    }
    // A date after the chart ends.
    const after = new Date(candles[window.to].time + 5 * 86_400_000).toISOString().slice(0, 10);
    count(lies, verifyPattern({ kind: 'candlestick', confidence: 0.6, name: h.name, direction: h.direction as 'bullish', start: after, end: after }, f));
  }
  // Levels: a computed one is true, a uniformly random one on its side is almost always false.
  const close = candles[f.t].close;
  const top = f.topLevels;
  if (top.length > 0) {
    const l = pick(top);
    count(truth, verifyLevel(Number(l.price.toFixed(2)), l.price < close ? 'support' : 'resistance', f));
  }
  let low = Infinity;
  let high = -Infinity;
  for (let i = window.from; i <= window.to; i++) {
    low = Math.min(low, candles[i].low);
    high = Math.max(high, candles[i].high);
  }
  // A random level is a lie only when it is not near a computed level by chance (0.5 ATR clear).
  const support = low + random() * (close - low);
  if (!f.levels.some((l) => Math.abs(l.price - support) < 0.5 * f.atr)) {
    const s = verifyLevel(support, 'support', f);
    count(lies, s);
    if (s.status === 'confirmed') falseConfirmed.push(`random support ${support.toFixed(2)}: ${s.detail}`);
  }
  // Indicators: the computed value is true; 20% off (or 15 points for oscillators) is false.
  for (const name of ['rsi14', 'sma50', 'macd'] as const) {
    const v = f.indicators[name];
    if (v === null) continue;
    count(truth, verifyIndicator({ name, value: Number(v.toFixed(2)) }, f));
    // A misreading: 15 RSI points, or 20% of the value and at least 0.2 ATR for prices and MACD.
    const wrong = name === 'rsi14' ? v + (v > 50 ? -15 : 15) : v + Math.sign(v || 1) * Math.max(0.2 * Math.abs(v), 0.2 * f.atr);
    const c = verifyIndicator({ name, value: wrong }, f);
    count(lies, c);
    if (c.status === 'confirmed') falseConfirmed.push(`${name} ${wrong}: ${c.detail}`);
  }
  // The regime: the computed one when it is clear, and a different one.
  const p = f.trend.probabilities;
  const ranked = (Object.entries(p) as ['uptrend' | 'downtrend' | 'sideways', number][]).sort((a, b) => b[1] - a[1]);
  if (ranked[0][1] >= 0.5 && ranked[0][1] - ranked[1][1] >= 0.1) {
    count(truth, verifyRegime(regimeOf(ranked[0][0]), f));
    const r = verifyRegime(regimeOf(ranked[1][0]), f);
    count(lies, r);
    if (r.status === 'confirmed') falseConfirmed.push(`regime ${ranked[1][0]}: ${r.detail}`);
  }
}

describe('planted claims on real S&P 500 charts', () => {
  test('when true and false claims are planted on 40 windows, then false ones are flagged and true ones confirmed', () => {
    const truth = tally();
    const lies = tally();
    const falseConfirmed: string[] = [];
    for (let t = 400; t < all.length; t += Math.floor((all.length - 400) / 40)) {
      const { verify } = verificationFactsFor(streams, t, t - 149);
      plant(verify, truth, lies, falseConfirmed);
    }
    const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(1)}%`;
    console.log(
      `planted claims: ${lies.n} false, ${pct(lies.flagged, lies.n)} flagged, ${lies.confirmed} confirmed, ${lies.unverifiable} unverifiable; ` +
        `${truth.n} true, ${pct(truth.confirmed, truth.n)} confirmed`,
    );
    for (const f of falseConfirmed) console.log(`  false but confirmed: ${f}`);
    assert.ok(lies.flagged / lies.n >= 0.95, `${pct(lies.flagged, lies.n)} of false claims flagged`);
    assert.ok(falseConfirmed.length <= Math.ceil(lies.n * 0.02), `${falseConfirmed.length} false claims confirmed`);
    assert.ok(truth.confirmed / truth.n >= 0.95, `${pct(truth.confirmed, truth.n)} of true claims confirmed`);
  });
});
