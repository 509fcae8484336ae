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

/** The nearest support and resistance computeLevels would report at a bar (its first of each side). */
export type NearestLevels = (t: number, close: number, unit: number) => { support: Level | undefined; resistance: Level | undefined };

/**
 * computeLevels' nearest support and resistance at any bar, from the pivots sorted by price once:
 * the same clusters with the same arithmetic (running sums in the same order), without filtering
 * and sorting the pivots again for every bar. For code that asks at many bars of one series.
 */
export function nearestLevelsFinder(pivots: readonly Pivot[], options: LevelOptions = DEFAULT_LEVEL_OPTIONS): NearestLevels {
  // A stable sort of the whole list puts any subset in the order sorting that subset gives.
  const byPrice = [...pivots].sort((a, b) => a.price - b.price || a.index - b.index);
  return (t, close, unit) => {
    const tolerance = options.clusterAtr * unit;
    let support: Level | undefined;
    let resistance: Level | undefined;
    let supportDistance = Number.POSITIVE_INFINITY;
    let resistanceDistance = Number.POSITIVE_INFINITY;
    let sum = 0;
    let count = 0;
    let firstIndex = 0;
    let lastIndex = 0;
    const flush = (): void => {
      const level: Level = { price: sum / count, touches: count, firstIndex, lastIndex, tolerance };
      // computeLevels sorts each side by distance, stably: the first is the earliest of the nearest.
      const distance = Math.abs(level.price - close);
      if (level.price < close) {
        if (distance < supportDistance) [support, supportDistance] = [level, distance];
      } else if (level.price >= close && distance < resistanceDistance) {
        [resistance, resistanceDistance] = [level, distance];
      }
    };
    for (const p of byPrice) {
      if (!(p.knownAt <= t && p.index >= t - options.lookbackBars)) continue;
      if (count > 0 && p.price - sum / count <= tolerance) {
        sum += p.price;
        count++;
        firstIndex = Math.min(firstIndex, p.index);
        lastIndex = Math.max(lastIndex, p.index);
      } else {
        if (count > 0) flush();
        sum = 0 + p.price;
        count = 1;
        firstIndex = p.index;
        lastIndex = p.index;
      }
    }
    if (count > 0) flush();
    return { support, resistance };
  };
}
