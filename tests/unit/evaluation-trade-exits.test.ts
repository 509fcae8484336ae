import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { positionReturns } from '../../src/core/evaluation/backtest-metrics.ts';
import { exitBook, type OhlcBar, simulateExit, type TradeCall } from '../../src/core/evaluation/trade-exits.ts';

const close = (a: number | null, b: number): void => assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${a} != ${b}`);

/** A flat series at 100 with 1-point wicks; `bars` overrides some of them. */
function series(n: number, bars: Record<number, Partial<OhlcBar>> = {}): OhlcBar[] {
  return Array.from({ length: n }, (_, i) => ({ open: 100, high: 101, low: 99, close: 100, ...bars[i] }));
}

const long = (over: Partial<TradeCall> = {}): TradeCall => ({ index: 2, exposure: 1, invalidation: 95, target: 110, ...over });
const short = (over: Partial<TradeCall> = {}): TradeCall => ({ index: 2, exposure: -0.5, invalidation: 105, target: 90, ...over });

describe('stops and targets in the replay', () => {
  it('when a later bar trades down to the stop, then a long leaves there at the stop price', () => {
    const bars = series(10, { 4: { low: 94, close: 96 } });
    assert.deepEqual(simulateExit(bars, long(), 5), { exitIndex: 4, exitReason: 'stop', exitPrice: 95, realisedReturn: 95 / 100 - 1 });
  });

  it('when a later bar trades up to the target, then a long leaves at the target; a short mirrors it', () => {
    const up = series(10, { 3: { high: 111, close: 108 } });
    assert.deepEqual(simulateExit(up, long(), 5), { exitIndex: 3, exitReason: 'target', exitPrice: 110, realisedReturn: 110 / 100 - 1 });
    const down = series(10, { 5: { low: 89, close: 92 } });
    const e = simulateExit(down, short(), 5);
    assert.deepEqual([e.exitIndex, e.exitReason, e.exitPrice], [5, 'target', 90]);
    close(e.realisedReturn, 0.1);
    const squeeze = simulateExit(series(10, { 3: { high: 106 } }), short(), 5);
    assert.deepEqual([squeeze.exitIndex, squeeze.exitReason, squeeze.exitPrice], [3, 'stop', 105]);
    close(squeeze.realisedReturn, -0.05);
  });

  it('when one bar touches both the stop and the target, then the stop is assumed first', () => {
    const wide = series(10, { 3: { high: 112, low: 93 } });
    assert.equal(simulateExit(wide, long(), 5).exitReason, 'stop');
    assert.equal(simulateExit(wide, short({ invalidation: 111, target: 94 }), 5).exitReason, 'stop');
  });

  it('when a bar opens through a level, then it fills at the open: worse than the stop, better than the target', () => {
    const gapDown = series(10, { 3: { open: 90, high: 91, low: 88, close: 89 } });
    assert.deepEqual(simulateExit(gapDown, long(), 5).exitPrice, 90);
    const gapUp = series(10, { 3: { open: 115, high: 116, low: 93, close: 114 } });
    const e = simulateExit(gapUp, long(), 5);
    assert.deepEqual([e.exitReason, e.exitPrice], ['target', 115], 'the open comes first, even though the bar later touches the stop');
  });

  it('when neither is touched, then the trade leaves at the close of the horizon bar; past the end it stays open', () => {
    const bars = series(10, { 7: { close: 103 } });
    assert.deepEqual(simulateExit(bars, long(), 5), { exitIndex: 7, exitReason: 'horizon', exitPrice: 103, realisedReturn: 103 / 100 - 1 });
    assert.deepEqual(simulateExit(series(5), long(), 5), { exitIndex: null, exitReason: null, exitPrice: null, realisedReturn: null });
    assert.equal(simulateExit(bars, long({ exposure: 0 }), 5).exitReason, null, 'a hold has no trade');
    // Missing levels, or levels on the wrong side of the entry, are not simulated.
    const swept = series(10, { 3: { high: 130, low: 70 } });
    assert.equal(simulateExit(swept, long({ invalidation: null, target: null }), 5).exitReason, 'horizon');
    assert.equal(simulateExit(swept, long({ invalidation: 101, target: 99 }), 5).exitReason, 'horizon');
  });

  it('when the decision bar and the bars before it are rewritten, then the exit is the same: only bars after it are read', () => {
    const bars = series(12, { 5: { high: 111 } });
    const base = simulateExit(bars, long({ index: 3 }), 5);
    assert.equal(base.exitIndex, 5);
    // Bars 0..3 (the decision bar included) touch both levels; the entry close stays 100.
    const wild = bars.map((b, i) => (i <= 3 ? { open: 100, high: 150, low: 50, close: 100 } : b));
    assert.deepEqual(simulateExit(wild, long({ index: 3 }), 5), base);
    // And a touch past the exit, or past the horizon, changes nothing either.
    const later = bars.map((b, i) => (i > 5 ? { ...b, low: 10 } : b));
    assert.deepEqual(simulateExit(later, long({ index: 3 }), 5), base);
    const beyond = series(12, { 9: { low: 10 } });
    assert.equal(simulateExit(beyond, long({ index: 3 }), 5).exitReason, 'horizon', 'bar 9 is past the horizon (3 + 5)');
  });
});

describe('positions with simulated exits', () => {
  it('when a call is stopped out, then it is flat after the exit bar, which earns the return to the fill', () => {
    const bars = series(10, { 4: { low: 94, close: 96 }, 5: { close: 97 } });
    const call = long();
    const book = exitBook(bars, [{ ...call, exit: simulateExit(bars, call, 5) }]);
    assert.deepEqual(book.positions, [0, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
    close(book.barReturns[4], -0.05);
    close(book.barReturns[5], 97 / 96 - 1);
    const r = positionReturns(book.barReturns, book.positions, 0);
    close(r.reduce((e, x) => e * (1 + x), 1) - 1, -0.05);
  });

  it('when the next call comes before the exit, then it takes over from its own close, and the fill is not used', () => {
    const bars = series(12, { 6: { low: 94 } });
    const first = long({ index: 2 });
    const second = short({ index: 4, invalidation: 120, target: 80 });
    const book = exitBook(bars, [first, second].map((c) => ({ ...c, exit: simulateExit(bars, c, 5) })));
    assert.deepEqual(book.positions, [0, 0, 0, 1, 1, -0.5, -0.5, -0.5, -0.5, -0.5, 0, 0]);
    assert.equal(book.barReturns[6], 0, 'bar 6 is close to close for the short; the long would have stopped there');
  });
});
