import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Analysis } from '../../src/core/analysis/analysis.ts';
import { assembleAnalysis } from '../../src/core/analysis/assemble-analysis.ts';
import { analyzeWithRules } from '../../src/core/analysis/local-rules.ts';
import type { ModelOutput } from '../../src/core/analysis/model-output.ts';
import { closesAreFlat, factsAreFlat } from '../../src/core/analysis/policy/degenerate.ts';
import { roundPrice } from '../../src/core/analysis/policy/prices.ts';
import { verificationFactsFor } from '../../src/core/analysis/verification-facts.ts';
import type { Candle } from '../../src/core/market/candles.ts';
import { computeMarketStreams } from '../../src/core/market/facts.ts';
import { indexOfDate, sp500 } from '../helpers/sample-data.ts';

const WINDOW = 150;

/** The rules' answer and the assembled analysis of a series at its last bar, as the service builds them. */
function analyse(candles: readonly Candle[], model?: (rules: ModelOutput) => ModelOutput): { rules: ModelOutput; analysis: Analysis } {
  const streams = computeMarketStreams(candles);
  const t = candles.length - 1;
  const { facts, verify } = verificationFactsFor(streams, t, t - WINDOW + 1);
  const rules = analyzeWithRules(facts, [], 'TEST');
  const analysis = assembleAnalysis(model ? model(rules) : rules, {
    id: 'degenerate',
    createdAt: '2020-01-01T00:00:00.000Z',
    symbol: 'TEST',
    timeframe: '1d',
    input: { source: 'ohlcv', bars: candles.length, imageSha256: '0'.repeat(64), chart: { width: 1024, height: 512, renderer: 'chartjs' }, newsCount: 0 },
    facts,
    verify,
    provider: {} as never,
  });
  return { rules, analysis };
}

const sample = sp500();
const end = indexOfDate(sample, '2018-06-29');
const slice = sample.slice(end - 299, end + 1);
const scale = (candles: readonly Candle[], k: number): Candle[] =>
  candles.map((c) => ({ ...c, open: c.open * k, high: c.high * k, low: c.low * k, close: c.close * k }));
/** The real bars' times and volumes with every price set to `price`. */
const constant = (price: number): Candle[] => slice.map((c) => ({ ...c, open: price, high: price, low: price, close: price }));
/** Every close equal, but the bars still have ranges (so ATR is not 0). */
const closesOnly = (price: number): Candle[] =>
  slice.map((c, i) => ({ ...c, open: price, close: price, high: price * (1.01 + 0.005 * (i % 3)), low: price * (0.99 - 0.005 * (i % 2)) }));

/** An LLM-style buy on whatever it was shown: oversold RSI, full size. */
const llmBuy = (rules: ModelOutput): ModelOutput => ({
  ...rules,
  experts: rules.experts.map((e) => ({ ...e, exposure: 0.8, stance: 'long' as const })),
  decision: { ...rules.decision, action: 'buy', exposure: 1, confidence: 0.8, invalidation: null, target: null, rationale: 'RSI 0.0 is oversold: buy.' },
});

const near = (actual: number | null, expected: number | null, rel = 1e-7): void => {
  assert.ok(actual !== null && expected !== null, `${actual} vs ${expected}`);
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} is not ${expected} (relative ${rel})`);
};

describe('flat series: no "RSI 0.0 is oversold, BUY", and no trade from an LLM', () => {
  const series: [string, Candle[]][] = [
    ['a constant series (every price 100)', constant(100)],
    ['a constant series near 1e-6 (every price 2.5e-6)', constant(2.5e-6)],
    ['a series whose closes are all equal while highs and lows move (ATR is not 0)', closesOnly(100)],
  ];
  for (const [name, candles] of series) {
    it(`when ${name}, then the rules HOLD and say the series is flat`, () => {
      const { rules, analysis } = analyse(candles);
      assert.equal(rules.decision.action, 'hold', rules.decision.rationale);
      assert.equal(rules.decision.exposure, 0);
      assert.ok(rules.experts.every((e) => e.exposure === 0 && e.stance === 'flat'), JSON.stringify(rules.experts));
      assert.doesNotMatch(JSON.stringify(rules), /oversold|overbought/);
      assert.match(rules.decision.rationale, /flat/);
      assert.ok(rules.risks.some((r) => /flat/.test(r)));
      assert.equal(analysis.decision.action, 'hold');
    });

    it(`when ${name} and a model proposes a full-size buy, then the policy turns it into HOLD, saying why`, () => {
      const { analysis } = analyse(candles, llmBuy);
      assert.equal(analysis.proposedDecision.action, 'buy');
      assert.equal(analysis.decision.action, 'hold');
      assert.equal(analysis.decision.exposure, 0);
      const first = analysis.verification.adjustments.find((a) => a.field === 'action');
      assert.match(first?.reason ?? '', /the series is flat/, JSON.stringify(analysis.verification.adjustments));
    });
  }

  it('when a real series is checked, then it is not flat', () => {
    const streams = computeMarketStreams(slice);
    const { facts } = verificationFactsFor(streams, slice.length - 1, slice.length - WINDOW);
    assert.equal(factsAreFlat(facts), null);
    assert.equal(closesAreFlat(slice.map((c) => c.close)), false);
    assert.equal(closesAreFlat([5, 5, 5]), true);
    assert.equal(closesAreFlat([5]), false, 'one bar says nothing');
  });
});

describe('prices near 1e-6 keep their precision (a real S&P slice scaled by 1e-9)', () => {
  const k = 1e-9;
  const real = analyse(slice);
  const tiny = analyse(scale(slice, k));

  it('when the rules list levels and trade prices, then they are the real ones scaled, not 0', () => {
    const levels = [...tiny.rules.levels.support, ...tiny.rules.levels.resistance];
    const realLevels = [...real.rules.levels.support, ...real.rules.levels.resistance];
    assert.equal(levels.length, realLevels.length);
    assert.ok(levels.length > 0);
    levels.forEach((p, i) => near(p, realLevels[i] * k, 1e-6));
    for (const field of ['entry', 'invalidation', 'target'] as const) {
      const v = tiny.rules.decision[field];
      assert.ok(v !== null && v > 0, `${field} ${v}`);
      near(v, (real.rules.decision[field] as number) * k, 1e-6);
    }
  });

  it('when the analysis is assembled, then the final entry, stop and target keep their digits and sides', () => {
    const d = tiny.analysis.decision;
    const r = real.analysis.decision;
    assert.equal(d.action, r.action);
    for (const field of ['entry', 'invalidation', 'target'] as const) near(d[field], (r[field] as number) * k, 1e-6);
    near(d.riskReward, r.riskReward, 1e-4);
  });

  it('when the scaled levels are verified, then they fare as the real ones do (rounding no longer makes them 0)', () => {
    const statuses = (a: Analysis): string[] => a.verification.claims.filter((c) => c.kind === 'level').map((c) => c.status);
    assert.deepEqual(statuses(tiny.analysis), statuses(real.analysis));
    assert.ok(!statuses(tiny.analysis).includes('contradicted'), JSON.stringify(tiny.analysis.verification.claims));
  });

  it('when a model gives a wrong-side stop at 1e-6 prices, then the repaired stop is 1.5 ATR below, to 8 digits', () => {
    const { analysis } = analyse(scale(slice, k), (rules) => ({
      ...rules,
      decision: { ...rules.decision, action: 'buy', exposure: 0.5, invalidation: rules.decision.entry! * 1.01, target: null },
    }));
    const entry = analysis.decision.entry!;
    const atr = analysis.market!.indicators.atr14!;
    assert.equal(analysis.decision.action, 'buy', JSON.stringify(analysis.verification.adjustments));
    near(analysis.decision.invalidation, entry - 1.5 * atr, 1e-7);
    assert.ok(analysis.verification.adjustments.some((a) => a.field === 'invalidation' && /must sit below/.test(a.reason)));
  });

  it('when prices are rounded, then significant digits are kept at any scale', () => {
    assert.equal(roundPrice(2679.588133456), 2679.5881);
    assert.equal(roundPrice(2.679588133456e-6), 2.6795881e-6);
    assert.equal(roundPrice(97.000000001), 97);
    assert.equal(roundPrice(0), 0);
    assert.equal(roundPrice(-1.23456789123e-9), -1.2345679e-9);
  });
});
