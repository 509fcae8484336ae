/**
 * Stops and targets, simulated. A non-hold call made at the close of bar t is entered at that close
 * and leaves at its invalidation (the stop) or its target, whichever the bars after t touch first,
 * or at the close `horizon` bars later. Only bars t+1 .. t+horizon are read: never the decision bar
 * or anything before it, and nothing past the exit.
 *
 * Touch and fill, for a long (a short mirrors it):
 * - a bar that opens at or through a level fills there at the open (a gap: worse than the stop,
 *   better than the target), since the open is the first price of the bar;
 * - otherwise the stop is touched when low <= stop and fills at the stop, the target when
 *   high >= target and fills at the target;
 * - when one bar touches both, the stop is assumed first: OHLC does not say which came first, and
 *   assuming the worse keeps the simulation from flattering the calls.
 * A level on the wrong side of the entry (a stop above a long's entry, say) is ignored, as is a
 * missing one. A call whose horizon runs past the series and that touched neither level is still
 * open at the end: no exit, no realised return, and it is not scored.
 */
import type { Candle } from '../market/candles.ts';

export type ExitReason = 'stop' | 'target' | 'horizon';

/** What the simulation needs of a call: where it was made, which way, and its levels. */
export interface TradeCall {
  index: number;
  exposure: number;
  invalidation: number | null;
  target: number | null;
}

export interface TradeExit {
  /** The bar the position is closed on; null for a hold or a trade still open at the end of the series. */
  exitIndex: number | null;
  exitReason: ExitReason | null;
  exitPrice: number | null;
  /** sign(exposure) x (exit price / entry close - 1): the trade's return per unit of position, before costs. */
  realisedReturn: number | null;
}

export type OhlcBar = Pick<Candle, 'open' | 'high' | 'low' | 'close'>;

const NO_EXIT: TradeExit = { exitIndex: null, exitReason: null, exitPrice: null, realisedReturn: null };

/** A level kept only when it sits on the given side of the entry (+1 above, -1 below). */
function onSide(level: number | null, entry: number, side: number): number | null {
  return level !== null && Number.isFinite(level) && Math.sign(level - entry) === side ? level : null;
}

/** Where and why the trade opened by `call` ends; see the module comment for the rules. */
export function simulateExit(bars: readonly OhlcBar[], call: TradeCall, horizon: number): TradeExit {
  const side = Math.sign(call.exposure);
  if (side === 0) return NO_EXIT;
  const t = call.index;
  const entry = bars[t].close;
  const stop = onSide(call.invalidation, entry, -side);
  const target = onSide(call.target, entry, side);
  const done = (i: number, reason: ExitReason, price: number): TradeExit => ({
    exitIndex: i,
    exitReason: reason,
    exitPrice: price,
    realisedReturn: side * (price / entry - 1),
  });
  // Touched: the price is at or past the stop against the trade, or at or past the target in its favour.
  const hitsStop = (price: number): boolean => stop !== null && side * (price - stop) <= 0;
  const hitsTarget = (price: number): boolean => target !== null && side * (price - target) >= 0;
  const last = t + horizon;
  for (let i = t + 1; i <= Math.min(last, bars.length - 1); i++) {
    const b = bars[i];
    const against = side > 0 ? b.low : b.high;
    const favour = side > 0 ? b.high : b.low;
    if (hitsStop(b.open)) return done(i, 'stop', b.open);
    if (hitsTarget(b.open)) return done(i, 'target', b.open);
    if (hitsStop(against)) return done(i, 'stop', stop as number);
    if (hitsTarget(favour)) return done(i, 'target', target as number);
  }
  return last <= bars.length - 1 ? done(last, 'horizon', bars[last].close) : NO_EXIT;
}

/** Positions over the bars, and what the instrument returned over each bar as held. */
export interface ExitBook {
  /** The exposure carried over bar i (the move from bar i-1 to bar i). */
  positions: number[];
  /** close[i] / close[i-1] - 1, except on a stop or target exit bar: fill / close[i-1] - 1. */
  barReturns: number[];
}

/**
 * The positions of calls that exit by `exits`: each call holds its exposure from the bar after its
 * own until its exit bar, or until the next call takes over at that call's close (whichever comes
 * first), and is flat after an exit until the next call. On a stop or target exit bar the bar's
 * return is to the fill price.
 */
export function exitBook(bars: readonly OhlcBar[], calls: readonly (TradeCall & { exit: TradeExit })[]): ExitBook {
  const n = bars.length;
  const positions = new Array<number>(n).fill(0);
  const barReturns = bars.map((b, i) => (i === 0 ? 0 : b.close / bars[i - 1].close - 1));
  const sorted = [...calls].sort((a, b) => a.index - b.index);
  for (let k = 0; k < sorted.length; k++) {
    const c = sorted[k];
    if (c.exposure === 0) continue;
    const next = k + 1 < sorted.length ? sorted[k + 1].index : Number.POSITIVE_INFINITY;
    const exitAt = c.exit.exitIndex ?? n - 1;
    const until = Math.min(n - 1, exitAt, next);
    for (let i = c.index + 1; i <= until; i++) positions[i] = c.exposure;
    if (c.exit.exitIndex !== null && c.exit.exitIndex <= until && c.exit.exitPrice !== null && c.exit.exitReason !== 'horizon') {
      barReturns[c.exit.exitIndex] = c.exit.exitPrice / bars[c.exit.exitIndex - 1].close - 1;
    }
  }
  return { positions, barReturns };
}
