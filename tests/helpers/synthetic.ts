import type { Candle } from '../../src/core/market/candles.ts';

const DAY = 86_400_000;
const START = Date.UTC(2021, 0, 4);

/**
 * Daily candles that follow a piecewise-linear close path through the given [bar, price] vertices.
 * Each bar opens at the previous close and has a fixed wick, so swing pivots fall exactly on the
 * vertices and the expected pattern geometry is known by construction.
 */
export function candlesAlongPath(vertices: readonly [number, number][], wick = 0.3, volume = 1000): Candle[] {
  const closes: number[] = [];
  for (let v = 0; v + 1 < vertices.length; v++) {
    const [i0, p0] = vertices[v];
    const [i1, p1] = vertices[v + 1];
    for (let i = i0; i < i1; i++) closes.push(p0 + ((p1 - p0) * (i - i0)) / (i1 - i0));
  }
  closes.push(vertices[vertices.length - 1][1]);
  return closes.map((close, i) => {
    const open = i === 0 ? close : closes[i - 1];
    return {
      time: START + i * DAY,
      open,
      high: Math.max(open, close) + wick,
      low: Math.min(open, close) - wick,
      close,
      volume,
    };
  });
}
