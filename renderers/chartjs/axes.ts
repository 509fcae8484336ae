import type { Scale } from 'chart.js';
import { formatCandleTime } from '../../src/core/market/candles.ts';

/** Round to a readable step so tick spacing does not depend on float noise. */
export function tickStep(bars: number, width: number): number {
  const target = Math.max(2, Math.floor(width / 110));
  const raw = bars / target;
  const steps = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000];
  return steps.find((s) => s >= raw) ?? 10_000;
}

/**
 * An `afterBuildTicks` hook for a bar-index x axis: ticks sit on whole bars (every `tickStep`
 * bars) so each label is the date of a real bar.
 */
export function ticksOnWholeBars(bars: number, width: number): (scale: Scale) => void {
  return (scale) => {
    const step = tickStep(bars, width);
    scale.ticks = [];
    for (let v = 0; v < bars; v += step) scale.ticks.push({ value: v });
  };
}

/** A tick label callback for a bar-index x axis: the date (YYYY-MM-DD) of bar `v`, else nothing. */
export function barDateLabel(timeOfBar: (i: number) => number | undefined): (v: number | string) => string {
  return (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return '';
    const time = timeOfBar(v);
    return time === undefined ? '' : formatCandleTime(time).slice(0, 10);
  };
}

/** 1234567 -> "1.2M": volume axis labels. */
export function compactNumber(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1e9) return `${(v / 1e9).toFixed(1)}B`;
  if (abs >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${(v / 1e3).toFixed(1)}K`;
  return String(v);
}
