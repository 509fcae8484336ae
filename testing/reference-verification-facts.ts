/**
 * The verification facts as chartlens computed them before issue 12: chart patterns detected from
 * scratch every 5 bars across the window (about 30 detections per analysis). Kept unchanged as the
 * reference that `verificationFactsFor` (one pass over the window) must equal, for the test that
 * proves it and for bench/throughput.ts, which times both in the same run.
 */
import type { VerificationFacts } from '../src/core/analysis/verify.ts';
import { type ChartPatternHit, detectChartPatterns, priceUnitAt } from '../src/core/market/chart-patterns.ts';
import { factsAt, type MarketFacts, type MarketStreams } from '../src/core/market/facts.ts';
import { computeLevels, DEFAULT_LEVEL_OPTIONS } from '../src/core/market/levels.ts';

const ALL_LEVELS = { ...DEFAULT_LEVEL_OPTIONS, maxPerSide: 100 };

/** The old `verificationFactsFor(streams, t, from)`, line for line. */
export function referenceVerificationFacts(streams: MarketStreams, t: number, from: number): { facts: MarketFacts; verify: VerificationFacts } {
  const facts = factsAt(streams, t, from);
  const { candles, indicators } = streams;
  const unit = priceUnitAt(candles, indicators.atr14, t);
  const candlesticks = streams.candlesticks.filter((h) => h.knownAt <= t && h.endIndex >= from);
  const chart = new Map<string, ChartPatternHit>();
  const keep = (hits: readonly ChartPatternHit[]): void => {
    for (const hit of hits) chart.set(`${hit.code}:${hit.startIndex}`, hit);
  };
  for (let bar = Math.max(from, 2); bar < t; bar += 5) {
    keep(detectChartPatterns({ candles, pivots: streams.pivots, atr: indicators.atr14, volumeRatio: indicators.volumeRatio20, t: bar }));
  }
  keep(facts.patterns.filter((p): p is ChartPatternHit => p.kind === 'chart'));
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
