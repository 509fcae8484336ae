import type { ChartRequest } from './chart-options.ts';
import type { MarketFacts } from '../market/facts.ts';
import type { Candle } from '../market/candles.ts';
import { INDICATOR_NAMES, type IndicatorSeries } from '../market/indicators.ts';

/** The visible slice of a chart request, with pattern indexes moved into the slice's coordinates. */
export interface ChartWindow {
  candles: readonly Candle[];
  indicators: IndicatorSeries;
  patterns: { label: string; direction: string; kind: string; start: number; end: number }[];
  levels: { price: number; side: 'support' | 'resistance'; touches: number }[];
}

/** Short on-chart label for a pattern (the full name is in the API response). */
function shortLabel(name: string): string {
  return name.replace(/ Pattern$/, '').replace(/\s*\(.*\)$/, '');
}

/** Cut the request to its last `options.last` bars; indicators keep the values from the full history. */
export function chartWindow(req: ChartRequest): ChartWindow {
  const n = req.candles.length;
  const from = req.options.last ? Math.max(0, n - req.options.last) : 0;
  const indicators = {} as IndicatorSeries;
  for (const name of INDICATOR_NAMES) indicators[name] = req.indicators[name].slice(from);
  return {
    candles: req.candles.slice(from),
    indicators,
    patterns: req.options.markPatterns ? visiblePatterns(req.facts, from) : [],
    levels: req.options.markLevels && req.facts ? visibleLevels(req.facts) : [],
  };
}

/** Marks beyond this many turn the chart into noise; the most recent ones win. */
const MAX_CANDLESTICK_MARKS = 6;
const MAX_LEVEL_MARKS_PER_SIDE = 3;

/**
 * Chart patterns are always marked; candlestick hits only when they are signals (reversal or
 * continuation patterns that fit their trend context), since doji and plain candles are everywhere.
 */
function visiblePatterns(facts: MarketFacts | undefined, from: number): ChartWindow['patterns'] {
  if (!facts) return [];
  const signals = facts.patterns.filter(
    (p) => p.kind === 'candlestick' && (p.role === 'reversal' || p.role === 'continuation') && p.fitsContext,
  );
  const shown = new Set([...facts.patterns.filter((p) => p.kind === 'chart'), ...signals.slice(-MAX_CANDLESTICK_MARKS)]);
  return facts.patterns
    .filter((p) => shown.has(p) && p.endIndex >= from)
    .map((p) => ({
      label: shortLabel(p.name),
      direction: p.direction,
      kind: p.kind,
      start: Math.max(0, p.startIndex - from),
      end: p.endIndex - from,
    }));
}

function visibleLevels(facts: MarketFacts): ChartWindow['levels'] {
  return [
    ...facts.levels.support.slice(0, MAX_LEVEL_MARKS_PER_SIDE).map((l) => ({ price: l.price, side: 'support' as const, touches: l.touches })),
    ...facts.levels.resistance.slice(0, MAX_LEVEL_MARKS_PER_SIDE).map((l) => ({ price: l.price, side: 'resistance' as const, touches: l.touches })),
  ];
}
