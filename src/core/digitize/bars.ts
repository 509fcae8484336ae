/**
 * Slot readings to PixelBars: pane rows to image rows, open/close from the body ends (by the
 * bar's direction) or the OHLC ticks, and a confidence that says how cleanly the slot read.
 */
import type { BarWidths, SlotReading } from './columns.ts';
import type { DirectionMap } from './style.ts';
import type { PixelBar } from './types.ts';

export interface BarContext {
  kind: 'candle' | 'ohlc';
  /** Image row of the pane's first row (readings are pane-relative). */
  y0: number;
  map: DirectionMap;
  widths: BarWidths;
  spacing: number;
  /** Lattice position of each reading's slot (same order as the readings). */
  centres: readonly number[];
  /** Up candles are drawn hollow (decided over all bars). */
  hollowStyle: boolean;
  /** Per-bar orientation from continuity (0 up, 1 down, -1 unknown), for one-colour candles. */
  orientation: readonly (0 | 1 | -1)[];
}

/** Turn readings into bars; null readings (empty slots) are skipped. */
export function toPixelBars(readings: readonly (SlotReading | null)[], ctx: BarContext): PixelBar[] {
  const bars: PixelBar[] = [];
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i];
    if (!r) continue;
    const y = (v: number): number => ctx.y0 + v;
    let direction: PixelBar['direction'];
    let openY: number;
    let closeY: number;
    let confidence = 1;
    if (ctx.kind === 'ohlc') {
      const o = Number.isFinite(r.openTick) ? r.openTick : r.closeTick;
      const c = Number.isFinite(r.closeTick) ? r.closeTick : r.openTick;
      if (!Number.isFinite(o)) {
        // A bare line: no ticks seen, so no open/close.
        openY = closeY = y((r.high + r.low) / 2);
        confidence -= 0.5;
      } else {
        openY = y(o);
        closeY = y(c);
      }
      if (!Number.isFinite(r.openTick) || !Number.isFinite(r.closeTick)) confidence -= 0.25;
      if (closeY < openY - 0.5) direction = 'up';
      else if (closeY > openY + 0.5) direction = 'down';
      else direction = ctx.map.method === 'single' ? 'flat' : r.label === ctx.map.up ? 'up' : 'down';
      // A tick direction that contradicts the colour mapping lowers the bar's confidence.
      if (ctx.map.method !== 'single' && direction !== 'flat' && (direction === 'up') !== (r.label === ctx.map.up)) confidence -= 0.2;
    } else {
      if (ctx.map.method === 'single') {
        // One colour: in a hollow style a hollow body is up and a filled one (tall enough to show
        // its inside) down; other bars are oriented so each opens near the previous close.
        const o = ctx.orientation[i];
        const tallFilled = ctx.hollowStyle && Number.isFinite(r.bodyTop) && r.bodyBottom - r.bodyTop >= 6 && !r.hollow;
        direction = r.hollow ? 'up' : tallFilled ? 'down' : o === 0 ? 'up' : o === 1 ? 'down' : 'flat';
        if (!r.hollow && !tallFilled && o === -1) confidence -= 0.2;
      } else {
        direction = r.label === ctx.map.up ? 'up' : 'down';
      }
      if (Number.isFinite(r.bodyTop)) {
        const top = y(r.bodyTop);
        const bottom = y(r.bodyBottom);
        openY = direction === 'down' ? top : bottom;
        closeY = direction === 'down' ? bottom : top;
      } else {
        // No body wider than the wick: a doji drawn as a line; open = close at the middle.
        openY = closeY = y((r.high + r.low) / 2);
        confidence -= 0.4;
      }
    }
    let highY = y(r.high);
    let lowY = y(r.low);
    // Invariants: the wick spans the body. A miss of more than a pixel means a misread.
    const top = Math.min(openY, closeY);
    const bottom = Math.max(openY, closeY);
    if (highY > top + 1 || lowY < bottom - 1) confidence -= 0.3;
    highY = Math.min(highY, top);
    lowY = Math.max(lowY, bottom);
    if (!r.shapeOk) confidence -= 0.2;
    if (r.clipped) confidence -= 0.2;
    if (r.purity < 0.8) confidence -= 0.2;
    // Rows with several strokes side by side: text drawn over or instead of the bar.
    if (r.clean < 0.8) confidence -= r.clean < 0.5 ? 0.5 : 0.25;
    if (r.bridged > 0) confidence -= 0.1;
    if (Math.abs(r.x - ctx.centres[i]) > ctx.spacing / 4) confidence -= 0.2;
    bars.push({
      x: r.x,
      highY,
      lowY,
      openY,
      closeY,
      direction,
      confidence: Math.max(0, Math.min(1, Math.round(confidence * 100) / 100)),
    });
  }
  return bars;
}
