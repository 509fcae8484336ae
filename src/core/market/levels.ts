import type { Pivot } from './pivots.ts';

/** A horizontal price zone where swings have turned before. */
export interface Level {
  price: number;
  /** How many swing pivots fall in the zone. */
  touches: number;
  firstIndex: number;
  lastIndex: number;
  /** Half-width of the zone, in price. */
  tolerance: number;
}

export interface Levels {
  support: Level[];
  resistance: Level[];
}

export interface LevelOptions {
  /** Pivots closer than this many ATRs join one zone. */
  clusterAtr: number;
  /** Levels kept per side, nearest to the price first. */
  maxPerSide: number;
  /** Only pivots from the last this-many bars count; old zones stop mattering. */
  lookbackBars: number;
}

export const DEFAULT_LEVEL_OPTIONS: LevelOptions = { clusterAtr: 0.5, maxPerSide: 5, lookbackBars: 250 };

/**
 * Support and resistance as of bar `t`: cluster the known swing pivots by price, then split the
 * zones by whether they lie below or above the close at `t`. `unit` is the price distance
 * clustering is measured in (the ATR at `t`; a fraction of the price when ATR is not ready yet).
 */
export function computeLevels(
  pivots: readonly Pivot[],
  t: number,
  close: number,
  unit: number,
  options: LevelOptions = DEFAULT_LEVEL_OPTIONS,
): Levels {
  const recent = pivots
    .filter((p) => p.knownAt <= t && p.index >= t - options.lookbackBars)
    .sort((a, b) => a.price - b.price || a.index - b.index);
  const tolerance = options.clusterAtr * unit;
  const clusters: Pivot[][] = [];
  for (const p of recent) {
    const current = clusters.at(-1);
    if (current && p.price - mean(current.map((q) => q.price)) <= tolerance) current.push(p);
    else clusters.push([p]);
  }
  const levels: Level[] = clusters.map((group) => ({
    price: mean(group.map((p) => p.price)),
    touches: group.length,
    firstIndex: Math.min(...group.map((p) => p.index)),
    lastIndex: Math.max(...group.map((p) => p.index)),
    tolerance,
  }));
  const byDistance = (a: Level, b: Level): number => Math.abs(a.price - close) - Math.abs(b.price - close);
  return {
    support: levels.filter((l) => l.price < close).sort(byDistance).slice(0, options.maxPerSide),
    resistance: levels.filter((l) => l.price >= close).sort(byDistance).slice(0, options.maxPerSide),
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
