import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelOutput, ModelPattern } from '../../src/core/analysis/model-output.ts';
import { verificationFactsFor } from '../../src/core/analysis/verification-facts.ts';
import { resolveIndicatorName, summarize, verifyClaims, verifyIndicator, verifyLevel, verifyPattern } from '../../src/core/analysis/verify.ts';
import { computeMarketStreams } from '../../src/core/market/facts.ts';
import { indexOfDate, sp500 } from '../helpers/sample-data.ts';

// The chart a model would see: the 150 S&P bars up to 2018-06-29.
const all = sp500();
const t = indexOfDate(all, '2018-06-29');
const candles = all.slice(0, t + 1);
const streams = computeMarketStreams(candles);
const { facts, verify } = verificationFactsFor(streams, t, t - 149);

const pattern = (p: Partial<ModelPattern>): ModelPattern => ({
  name: 'Engulfing',
  kind: 'candlestick',
  direction: 'bearish',
  start: null,
  end: null,
  confidence: 0.7,
  ...p,
});

describe('verifying pattern claims against real S&P 500 bars', () => {
  it('when the model names a pattern TA-Lib found on those dates, then confirmed', () => {
    const c = verifyPattern(pattern({ name: 'Bearish Engulfing', start: '2018-06-12', end: '2018-06-13' }), verify);
    assert.equal(c.status, 'confirmed', c.detail);
    assert.match(c.detail, /Engulfing Pattern 2018-06-12\.\.2018-06-13/);
  });

  it('when the same pattern is named three ways, then all three resolve the same', () => {
    for (const name of ['Bearish Engulfing', 'engulfing (bearish)', 'CDLENGULFING']) {
      assert.equal(verifyPattern(pattern({ name, start: '2018-06-12', end: '2018-06-13' }), verify).status, 'confirmed', name);
    }
  });

  it('when the dates are off by a day, then it still overlaps', () => {
    assert.equal(verifyPattern(pattern({ start: '2018-06-13', end: '2018-06-14' }), verify).status, 'confirmed');
  });

  it('when the model gets the direction backwards, then contradicted', () => {
    const c = verifyPattern(pattern({ name: 'Bullish Engulfing', direction: 'bullish', start: '2018-06-12', end: '2018-06-13' }), verify);
    assert.equal(c.status, 'contradicted');
    assert.match(c.detail, /opposite direction/);
  });

  it('when the model invents a pattern on dates where none formed, then not found, with where it really was', () => {
    const c = verifyPattern(pattern({ name: 'Morning Star', direction: 'bullish', start: '2018-06-18', end: '2018-06-20' }), verify);
    assert.equal(c.status, 'not_found');
    assert.match(c.detail, /CDLMORNINGSTAR/);
    const h = verifyPattern(pattern({ name: 'Head and Shoulders', kind: 'chart', start: '2018-02-01', end: '2018-02-02' }), verify);
    assert.equal(h.status, 'not_found');
  });

  it('when the model names a pattern chartlens does not detect, then unverifiable, not a hallucination', () => {
    const c = verifyPattern(pattern({ name: 'Tweezer Bottom', direction: 'bullish' }), verify);
    assert.equal(c.status, 'unverifiable');
  });

  it('when there is no OHLCV (image only), then every claim is unverifiable and says why', () => {
    const c = verifyPattern(pattern({ start: '2018-06-12', end: '2018-06-13' }), null);
    assert.equal(c.status, 'unverifiable');
    assert.match(c.detail, /no OHLCV/);
  });
});

describe('verifying levels and indicator values', () => {
  const close = facts.lastBar.close;

  it('when a claimed support sits on a computed level (as a model rounds it), then confirmed', () => {
    for (const level of facts.levels.support) {
      const c = verifyLevel(Number(level.price.toFixed(1)), 'support', verify);
      assert.equal(c.status, 'confirmed', c.detail);
    }
    for (const level of facts.levels.resistance) {
      const c = verifyLevel(Number(level.price.toFixed(1)), 'resistance', verify);
      assert.equal(c.status, 'confirmed', c.detail);
    }
  });

  it('when a claimed level is far outside anything the chart traded, then contradicted', () => {
    assert.equal(verifyLevel(close * 3, 'resistance', verify).status, 'contradicted');
    assert.equal(verifyLevel(close / 4, 'support', verify).status, 'contradicted');
  });

  it('when "support" is claimed well above the last close, then contradicted (it would be resistance)', () => {
    const c = verifyLevel(close + 3 * verify.atr, 'support', verify);
    assert.equal(c.status, 'contradicted');
    assert.match(c.detail, /cannot be support/);
  });

  it('when a level is inside the range but no swing clusters there, then not found', () => {
    const levels = verify.levels.map((l) => l.price).sort((a, b) => a - b);
    // The widest gap between computed levels, below the close, holds no level by construction.
    let gapMid = Number.NaN;
    let widest = 0;
    for (let i = 1; i < levels.length; i++) {
      if (levels[i] < close && levels[i] - levels[i - 1] > widest) {
        widest = levels[i] - levels[i - 1];
        gapMid = (levels[i] + levels[i - 1]) / 2;
      }
    }
    assert.ok(widest > 2 * 0.5 * verify.atr, 'the sample has a gap wider than the match distance on both sides');
    assert.equal(verifyLevel(gapMid, 'support', verify).status, 'not_found');
  });

  it('when the model quotes RSI correctly, confirmed; a misread value is contradicted', () => {
    const rsi = facts.indicators.rsi14 as number;
    assert.equal(verifyIndicator({ name: 'RSI(14)', value: Number(rsi.toFixed(1)) }, verify).status, 'confirmed');
    assert.equal(verifyIndicator({ name: 'rsi14', value: rsi + 8 }, verify).status, 'contradicted');
    assert.equal(verifyIndicator({ name: 'SMA 50', value: (facts.indicators.sma50 as number) * 1.003 }, verify).status, 'confirmed');
    assert.equal(verifyIndicator({ name: 'sma50', value: (facts.indicators.sma50 as number) * 1.05 }, verify).status, 'contradicted');
    assert.equal(verifyIndicator({ name: 'Ichimoku cloud', value: 3 }, verify).status, 'unverifiable');
  });

  it('when indicator names vary, then they map to the flat names', () => {
    assert.equal(resolveIndicatorName('RSI (14)'), 'rsi14');
    assert.equal(resolveIndicatorName('50-day SMA'), 'sma50');
    assert.equal(resolveIndicatorName('MACD signal'), 'macdSignal');
    assert.equal(resolveIndicatorName('ATR'), 'atr14');
    assert.equal(resolveIndicatorName('Stochastic %K'), 'stochK');
    assert.equal(resolveIndicatorName('bollinger upper'), 'bbUpper');
  });
});

describe('the hallucination rate', () => {
  it('when a model mixes true and fabricated claims, then the rate counts only checkable ones', () => {
    const output: ModelOutput = {
      regime: { uptrend: 0.2, downtrend: 0.2, sideways: 0.6 },
      experts: [],
      patterns: [
        pattern({ name: 'Bearish Engulfing', start: '2018-06-12', end: '2018-06-13' }), // true
        pattern({ name: 'Morning Star', direction: 'bullish', start: '2018-06-18', end: '2018-06-20' }), // invented
        pattern({ name: 'Tweezer Top' }), // uncheckable
      ],
      levels: { support: [facts.levels.support[0].price], resistance: [facts.lastBar.close * 3] },
      indicators: [{ name: 'rsi14', value: facts.indicators.rsi14, reading: 'neutral' }],
      news: [],
      decision: { action: 'hold', exposure: 0, confidence: 0.5, horizonBars: 5, entry: null, invalidation: null, target: null, rationale: '' },
      risks: [],
    };
    const claims = verifyClaims(output, verify);
    const counts = Object.fromEntries(['confirmed', 'not_found', 'contradicted', 'unverifiable'].map((s) => [s, claims.filter((c) => c.status === s).length]));
    const { status, hallucinationRate } = summarize(claims);
    const checkable = counts.confirmed + counts.not_found + counts.contradicted;
    assert.equal(hallucinationRate, Number(((counts.not_found + counts.contradicted) / checkable).toFixed(4)));
    assert.ok(counts.not_found >= 1 && counts.contradicted >= 1 && counts.unverifiable >= 1);
    assert.equal(status, 'partial');
    assert.deepEqual(summarize(verifyClaims(output, null)), { status: 'unverified', hallucinationRate: null });
  });
});
