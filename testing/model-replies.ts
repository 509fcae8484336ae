import type { ModelOutput } from '../src/core/analysis/model-output.ts';

/**
 * A model answer about the 150 S&P 500 bars up to 2018-06-29 (see tests/llm): a true engulfing,
 * an invented morning star, a correct RSI quote and a misread SMA50, and a buy that leans on the
 * invented pattern.
 */
export function answerWithTrueAndFalseClaims(rsi: number, sma50: number): ModelOutput {
  return {
    regime: { uptrend: 0.5, downtrend: 0.2, sideways: 0.3 },
    experts: [
      { name: 'trend', weight: 0.4, stance: 'long', exposure: 0.5, rationale: 'Above the 50-day average.' },
      { name: 'reversal', weight: 0.2, stance: 'long', exposure: 0.4, rationale: 'Morning star at support.' },
      { name: 'breakout', weight: 0.2, stance: 'flat', exposure: 0, rationale: 'No breakout.' },
      { name: 'positioning', weight: 0.2, stance: 'flat', exposure: 0, rationale: 'Mid-range.' },
    ],
    patterns: [
      { name: 'Bearish Engulfing', kind: 'candlestick', direction: 'bearish', start: '2018-06-12', end: '2018-06-13', confidence: 0.7 },
      { name: 'Morning Star', kind: 'candlestick', direction: 'bullish', start: '2018-06-18', end: '2018-06-20', confidence: 0.8 },
    ],
    levels: { support: [], resistance: [] },
    indicators: [
      { name: 'rsi14', value: Number(rsi.toFixed(2)), reading: 'neutral' },
      { name: 'sma50', value: Number((sma50 * 1.1).toFixed(2)), reading: 'price above it' },
    ],
    news: [{ index: 0, sentiment: 0.4, relevance: 0.5, note: 'mildly positive' }],
    decision: {
      action: 'buy',
      exposure: 0.6,
      confidence: 0.8,
      horizonBars: 5,
      entry: null,
      invalidation: null,
      target: null,
      rationale: 'A morning star just formed at support.',
    },
    risks: ['Trade war headlines.'],
  };
}

/** A well-formed, unremarkable hold. */
export function plainHold(): ModelOutput {
  return {
    regime: { uptrend: 0.3, downtrend: 0.3, sideways: 0.4 },
    experts: [
      { name: 'trend', weight: 0.25, stance: 'flat', exposure: 0, rationale: 'Mixed.' },
      { name: 'reversal', weight: 0.25, stance: 'flat', exposure: 0, rationale: 'Nothing.' },
      { name: 'breakout', weight: 0.25, stance: 'flat', exposure: 0, rationale: 'Nothing.' },
      { name: 'positioning', weight: 0.25, stance: 'flat', exposure: 0, rationale: 'Mid-range.' },
    ],
    patterns: [],
    levels: { support: [], resistance: [] },
    indicators: [],
    news: [],
    decision: { action: 'hold', exposure: 0, confidence: 0.5, horizonBars: 5, entry: null, invalidation: null, target: null, rationale: 'No edge.' },
    risks: [],
  };
}
