/**
 * The null test's data: a seeded random walk with the volatility of a real series. No rule can
 * have an edge on it, so a replay that shows one there has a leak. Pure: same input and seed, same
 * bars.
 */
import type { Candle } from '../market/candles.ts';
import { deriveSeed, seededRandom } from './backtest-metrics.ts';

export const SYNTHETIC_KINDS = ['random-walk'] as const;
export type SyntheticKind = (typeof SYNTHETIC_KINDS)[number];

/** What a replay on synthetic bars says about them. */
export interface SyntheticInfo {
  kind: SyntheticKind;
  seed: number;
  /** The per-bar sd of the log returns used (taken from the source series). */
  sigma: number;
  startPrice: number;
  bars: number;
}

/** Salt of the walk's random stream, so it never shares draws with the baselines seeded by the same --seed. */
const WALK_SALT = 0x7a1c;

/** Sample standard deviation of the log close-to-close returns. */
export function logReturnSigma(closes: readonly number[]): number {
  const r: number[] = [];
  for (let i = 1; i < closes.length; i++) r.push(Math.log(closes[i] / closes[i - 1]));
  if (r.length < 2) return 0;
  const mean = r.reduce((s, v) => s + v, 0) / r.length;
  return Math.sqrt(r.reduce((s, v) => s + (v - mean) ** 2, 0) / (r.length - 1));
}

/** Standard normal draws from a uniform source (Box-Muller, both halves used). */
export function normalSource(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u1 = 1 - rand();
    const u2 = rand();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
}

/**
 * A random walk as long as `source`, on its times, from its first close: log returns are
 * N(0, sigma) with sigma the source's (no drift). Each bar opens at the previous close (the first
 * at its own close); the high and low reach beyond the body by |N(0, sigma/2)| in log terms, so
 * the bars have wicks of a plausible size; volume is copied from the source.
 */
export function randomWalkCandles(source: readonly Candle[], seed: number): { candles: Candle[]; info: SyntheticInfo } {
  if (source.length === 0) throw new Error('a random walk needs a source series to copy its length and volatility from');
  const sigma = logReturnSigma(source.map((c) => c.close));
  const z = normalSource(seededRandom(deriveSeed(seed, WALK_SALT)));
  const startPrice = source[0].close;
  const candles: Candle[] = [];
  let prev = startPrice;
  for (let i = 0; i < source.length; i++) {
    const close = i === 0 ? startPrice : prev * Math.exp(sigma * z());
    const open = i === 0 ? startPrice : prev;
    const up = Math.exp(Math.abs(z()) * sigma * 0.5);
    const down = Math.exp(-Math.abs(z()) * sigma * 0.5);
    const bar: Candle = { time: source[i].time, open, high: Math.max(open, close) * up, low: Math.min(open, close) * down, close };
    if (source[i].volume !== undefined) bar.volume = source[i].volume;
    candles.push(bar);
    prev = close;
  }
  return { candles, info: { kind: 'random-walk', seed, sigma, startPrice, bars: candles.length } };
}
