import { computeLevels, DEFAULT_LEVEL_OPTIONS } from '../market/levels.ts';
import { chartPatternKey, chartPatternsOverWindow, priceUnitAt } from '../market/chart-patterns.ts';
import { factsAt, type MarketFacts, type MarketStreams } from '../market/facts.ts';
import type { VerificationFacts } from './verify.ts';

/** The window's chart patterns are read as states every this many bars. */
const SAMPLE_BARS = 5;

/** Every level, not just the nearest five: a model may cite any zone visible on the chart. */
const ALL_LEVELS = { ...DEFAULT_LEVEL_OPTIONS, maxPerSide: 100 };

/**
 * The facts a claim about a chart of bars [from..t] is checked against: every candlestick hit and
 * every chart pattern seen while those bars printed (as known at each bar, so nothing from after t),
 * all clustered levels at t, and the indicator values at t.
 */
export function verificationFactsFor(streams: MarketStreams, t: number, from: number): { facts: MarketFacts; verify: VerificationFacts } {
  const facts = factsAt(streams, t, from);
  const { candles, indicators } = streams;
  const unit = priceUnitAt(candles, indicators.atr14, t);
  const candlesticks = streams.candlesticks.filter((h) => h.knownAt <= t && h.endIndex >= from);
  // Chart patterns are states at a bar; sampling the window every few bars catches the ones that
  // formed and resolved inside it (a double top confirmed 60 bars ago is no longer "current").
  // Later states win: a pattern first seen forming and later confirmed is kept as confirmed.
  const chart = chartPatternsOverWindow({ candles, pivots: streams.pivots, atr: indicators.atr14, volumeRatio: indicators.volumeRatio20 }, from, t, SAMPLE_BARS);
  // The state at t is already in the facts; detecting it again would be the same work twice.
  for (const p of facts.patterns) if (p.kind === 'chart') chart.set(chartPatternKey(p), p);
  const levels = computeLevels(streams.pivots, t, candles[t].close, unit, ALL_LEVELS);
  return {
    facts,
    verify: {
      candles,
      t,
      window: { from, to: t },
      patterns: [...candlesticks, ...chart.values()],
      levels: [...levels.support, ...levels.resistance],
      topLevels: [...facts.levels.support, ...facts.levels.resistance],
      indicators: facts.indicators,
      atr: unit,
      trend: facts.trend,
    },
  };
}
