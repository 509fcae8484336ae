import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChartPatternHit, ChartPatternType } from '../../src/core/market/chart-patterns.ts';
import { computeMarketStreams, factsAt } from '../../src/core/market/facts.ts';
import { candlesAlongPath } from '../helpers/synthetic.ts';

type Path = [number, number][];

/** Chart patterns at bar t (default: the last bar) of candles drawn along a path. */
function chartAt(path: Path, t?: number): ChartPatternHit[] {
  const candles = candlesAlongPath(path);
  const facts = factsAt(computeMarketStreams(candles), t ?? candles.length - 1);
  return facts.patterns.filter((p): p is ChartPatternHit => p.kind === 'chart');
}

function only(hits: ChartPatternHit[], code: ChartPatternType): ChartPatternHit {
  const found = hits.filter((h) => h.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(hits.map((h) => h.code))}`);
  return found[0];
}

function none(hits: ChartPatternHit[], code: ChartPatternType): void {
  assert.deepEqual(
    hits.filter((h) => h.code === code).map((h) => `${h.code} ${h.startIndex}..${h.endIndex}`),
    [],
    `expected no ${code}`,
  );
}

/** A symmetric arc from a rim at bar 10 (price 120) to its extreme at bar 50 and back, drawn every 5 bars. */
function arc(sign: 1 | -1, lastBar: number): Path {
  const path: Path = [[0, 120 - sign * 5], [10, 120]];
  for (let i = 15; i <= lastBar; i += 5) path.push([i, 120 - sign * 20 * (1 - ((i - 50) / 40) ** 2)]);
  return path;
}

describe('wedges: converging trendlines sloping the same way', () => {
  // Highs 100, 104, 108, 110 and lows 94, 100, 105: both rise, the lows faster.
  const rising: Path = [[0, 80], [20, 100], [26, 94], [34, 104], [40, 100], [48, 108], [54, 105], [60, 110], [64, 102]];

  it('when rising lines converge and price drops out of the lower one, then a confirmed bearish rising wedge', () => {
    const hit = only(chartAt(rising), 'rising_wedge');
    assert.equal(hit.direction, 'bearish');
    assert.equal(hit.status, 'confirmed');
    assert.equal(hit.startIndex, 20);
    assert.ok(hit.endIndex > 60 && hit.endIndex <= 64, `breaks after the last swing, got ${hit.endIndex}`);
    assert.ok(hit.knownAt >= hit.endIndex && hit.knownAt >= 63, 'known no earlier than the break and the last swing');
    assert.deepEqual(hit.points.map((p) => p.index), [20, 26, 34, 40, 48, 54, 60]);
  });

  it('when the same lines are seen before the break, then the wedge is forming and still bearish', () => {
    const hit = only(chartAt(rising, 61), 'rising_wedge');
    assert.equal(hit.status, 'forming');
    assert.equal(hit.direction, 'bearish');
  });

  it('when the mirror shape falls and breaks up, then a confirmed bullish falling wedge', () => {
    const hit = only(chartAt([[0, 130], [20, 110], [26, 116], [34, 106], [40, 110], [48, 102], [54, 105], [60, 100], [66, 108]]), 'falling_wedge');
    assert.equal(hit.direction, 'bullish');
    assert.equal(hit.status, 'confirmed');
    assert.equal(hit.startIndex, 20);
  });

  it('when rising lines diverge instead (a broadening shape), then no wedge', () => {
    const hits = chartAt([[0, 80], [20, 100], [26, 96], [34, 106], [40, 99], [48, 112], [54, 102], [60, 116], [64, 110]]);
    none(hits, 'rising_wedge');
    none(hits, 'ascending_channel');
  });

  it('when only four swings have printed, then no wedge yet: a third touch must test one of the lines', () => {
    none(chartAt([[0, 80], [20, 100], [26, 94], [34, 104], [40, 100], [46, 97]]), 'rising_wedge');
  });
});

describe('channels: parallel sloped trendlines', () => {
  // Highs 100, 107, 114, 119 and lows 95, 102, 109: both rising ~0.5 per bar, about 5 apart.
  const up: Path = [[0, 80], [20, 100], [26, 95], [34, 107], [40, 102], [48, 114], [54, 109], [60, 119], [64, 116]];

  it('when highs and lows rise in parallel, then a neutral ascending channel that is still forming', () => {
    const hit = only(chartAt(up), 'ascending_channel');
    assert.equal(hit.direction, 'neutral');
    assert.equal(hit.status, 'forming');
    assert.equal(hit.startIndex, 20);
    assert.equal(hit.endIndex, 64);
    assert.ok(hit.knownAt >= 63, 'the last swing (bar 60) is known three bars later');
    assert.equal(hit.points.filter((p) => p.role === 'upper').length, 4);
    assert.equal(hit.points.filter((p) => p.role === 'lower').length, 3);
  });

  it('when price then closes below the lower line, then the channel is confirmed in the break direction', () => {
    const hit = only(chartAt([...up, [70, 104]]), 'ascending_channel');
    assert.equal(hit.status, 'confirmed');
    assert.equal(hit.direction, 'bearish');
    assert.ok(hit.endIndex > 64 && hit.endIndex <= 70);
  });

  it('when highs and lows fall in parallel, then a descending channel', () => {
    const hit = only(chartAt([[0, 140], [20, 120], [26, 125], [34, 113], [40, 118], [48, 106], [54, 111], [60, 101], [64, 104]]), 'descending_channel');
    assert.equal(hit.direction, 'neutral');
    assert.equal(hit.startIndex, 20);
  });

  it('when a trend swings irregularly (no two straight lines through its highs and lows), then no channel', () => {
    const hits = chartAt([[0, 80], [20, 100], [26, 94], [34, 110], [40, 96], [48, 113], [54, 108], [60, 122], [64, 116]]);
    none(hits, 'ascending_channel');
    none(hits, 'rising_wedge');
  });
});

describe('rectangles: flat support and resistance, each touched twice or more', () => {
  const range: Path = [[0, 90], [10, 110], [18, 100], [26, 110], [34, 100], [42, 110], [50, 104]];

  it('when price bounces between 100 and 110, then a neutral rectangle over the bounces', () => {
    const hit = only(chartAt(range), 'rectangle');
    assert.equal(hit.direction, 'neutral');
    assert.equal(hit.status, 'forming');
    assert.equal(hit.startIndex, 10);
    assert.deepEqual(hit.points.map((p) => p.role), ['upper', 'lower', 'upper', 'lower', 'upper']);
    assert.ok(hit.knownAt >= 45);
  });

  it('when price then closes above resistance, then the rectangle is confirmed bullish at the break', () => {
    const hit = only(chartAt([...range, [56, 116]]), 'rectangle');
    assert.equal(hit.direction, 'bullish');
    assert.equal(hit.status, 'confirmed');
    assert.ok(hit.endIndex > 50 && hit.endIndex <= 56);
    assert.ok(hit.trigger !== null && Math.abs(hit.trigger - 110.3) < 0.01, 'resistance is the touched highs');
  });

  it('when the lows rise instead of holding a level (an ascending triangle), then no rectangle', () => {
    none(chartAt([[0, 90], [10, 110], [16, 100], [24, 110], [30, 103], [38, 110], [44, 106], [50, 109]]), 'rectangle');
  });

  it('when support is tested twice and then resistance twice (one crossing, a trend leg), then no rectangle', () => {
    none(chartAt([[0, 120], [10, 100], [18, 104], [26, 100], [34, 110], [42, 106], [50, 110], [56, 107]]), 'rectangle');
  });
});

describe('flags and pennants: a sharp pole, then a short tight pause', () => {
  // A quiet drift, a pole from 103 to 123 in ten bars, then lower highs and lower lows.
  const bull: Path = [[0, 100], [30, 103], [40, 123], [44, 119], [48, 122], [52, 118], [55, 121], [56, 120.5], [62, 128]];

  it('when a pole is followed by a down-sloping pause and a break up, then a confirmed bull flag', () => {
    const hit = only(chartAt(bull), 'bull_flag');
    assert.equal(hit.direction, 'bullish');
    assert.equal(hit.status, 'confirmed');
    assert.ok(hit.startIndex >= 25 && hit.startIndex <= 30, `the pole starts in the quiet drift, got ${hit.startIndex}`);
    assert.deepEqual(hit.points.slice(0, 2).map((p) => p.role), ['pole_start', 'pole_tip']);
    assert.equal(hit.points[1].index, 40);
    assert.ok(hit.endIndex > 55 && hit.endIndex <= 62);
    assert.ok(hit.knownAt >= hit.endIndex && hit.knownAt >= 55, 'known once the pause swings and the break have printed');
  });

  it('when the pause has not broken yet, then the bull flag is forming; before its swings are known there is none', () => {
    const forming = only(chartAt(bull, 56), 'bull_flag');
    assert.equal(forming.status, 'forming');
    none(chartAt(bull, 45), 'bull_flag');
  });

  it('when the same pause comes after a sideways drift (no pole), then no flag', () => {
    none(chartAt([[0, 121], [40, 123], [44, 119], [48, 122], [52, 118], [55, 121], [56, 120.5], [62, 128]]), 'bull_flag');
  });

  it('when the pause gives back more than half the pole, then no flag', () => {
    none(chartAt([[0, 100], [30, 103], [40, 123], [44, 110], [48, 121], [52, 109], [56, 113]]), 'bull_flag');
  });

  it('when a falling pole is followed by an up-sloping pause and a break down, then a bear flag', () => {
    const hit = only(chartAt([[0, 150], [30, 147], [40, 127], [44, 131], [48, 128], [52, 132], [55, 129], [56, 129.5], [62, 122]]), 'bear_flag');
    assert.equal(hit.direction, 'bearish');
    assert.equal(hit.status, 'confirmed');
    assert.equal(hit.points[1].index, 40);
  });

  it('when the pause after a rising pole converges (falling highs, rising lows), then a bullish pennant', () => {
    const hits = chartAt([[0, 100], [30, 103], [40, 123], [44, 117], [48, 121.5], [52, 119], [55, 120.5], [60, 127]]);
    const hit = only(hits, 'pennant');
    assert.equal(hit.direction, 'bullish', "a pennant points the pole's way");
    assert.equal(hit.status, 'confirmed');
    assert.equal(hit.points[1].index, 40);
    none(hits, 'bull_flag');
  });

  it('when the pause after a pole widens instead (higher high, lower low), then no pennant or flag', () => {
    const hits = chartAt([[0, 100], [30, 103], [40, 123], [44, 119], [48, 124], [52, 117], [56, 121]]);
    none(hits, 'pennant');
    none(hits, 'bull_flag');
  });
});

describe('triple tops and bottoms: three comparable extremes, two reactions between', () => {
  it('when three equal peaks are followed by a close under the reactions, then a confirmed bearish triple top', () => {
    const hit = only(chartAt([[0, 80], [20, 110], [28, 100], [36, 110], [44, 100], [52, 110], [62, 96]]), 'triple_top');
    assert.equal(hit.direction, 'bearish');
    assert.equal(hit.status, 'confirmed');
    assert.deepEqual(hit.points.map((p) => p.index), [20, 28, 36, 44, 52]);
    assert.ok(hit.endIndex > 52 && hit.endIndex <= 62);
    assert.ok(hit.knownAt >= hit.endIndex && hit.knownAt >= 55);
    assert.ok(hit.trigger !== null && Math.abs(hit.trigger - 99.7) < 0.01);
  });

  it('when the third peak has just turned, then the triple top is forming', () => {
    const hit = only(chartAt([[0, 80], [20, 110], [28, 100], [36, 110], [44, 100], [52, 110], [57, 104]]), 'triple_top');
    assert.equal(hit.status, 'forming');
    assert.equal(hit.knownAt, 55);
  });

  it('when there are two peaks only, or the third falls well short, then no triple top', () => {
    none(chartAt([[0, 80], [20, 110], [28, 100], [36, 110], [46, 96]]), 'triple_top');
    none(chartAt([[0, 80], [20, 110], [28, 100], [36, 110], [44, 100], [52, 105], [62, 96]]), 'triple_top');
  });

  it('when the mirror shape is drawn, then a bullish triple bottom', () => {
    const hit = only(chartAt([[0, 130], [20, 100], [28, 110], [36, 100], [44, 110], [52, 100], [62, 114]]), 'triple_bottom');
    assert.equal(hit.direction, 'bullish');
    assert.equal(hit.status, 'confirmed');
  });
});

describe('cup and handle: a rounded base between equal rims, then a shallow handle', () => {
  // A U from a rim at 120 (bar 10) down to 100 (bar 40) and back to 120 (bar 70), then a dip to 114.
  const cup: Path = [[0, 105], [10, 120]];
  for (let i = 15; i <= 70; i += 5) cup.push([i, 100 + 20 * ((i - 40) / 30) ** 2]);
  const handle: Path = [...cup, [76, 114], [80, 118]];

  it('when a U-shaped base is followed by a pullback in its upper half, then a forming bullish cup and handle', () => {
    const hit = only(chartAt(handle), 'cup_and_handle');
    assert.equal(hit.direction, 'bullish');
    assert.equal(hit.status, 'forming');
    assert.equal(hit.startIndex, 10);
    assert.deepEqual(hit.points.map((p) => [p.role, p.index]), [['left_rim', 10], ['bottom', 40], ['right_rim', 70], ['handle', 76]]);
    assert.ok(hit.knownAt >= 79, 'the handle low (bar 76) is known three bars later');
  });

  it('when price then closes above the right rim, then the cup and handle is confirmed at the break', () => {
    const hit = only(chartAt([...handle, [86, 125]]), 'cup_and_handle');
    assert.equal(hit.status, 'confirmed');
    assert.ok(hit.endIndex > 80 && hit.endIndex <= 86);
    assert.ok(hit.trigger !== null && Math.abs(hit.trigger - 120.3) < 0.01, 'the trigger is the right rim');
  });

  it('when the base is a V or a W instead of a U, then no cup and handle', () => {
    none(chartAt([[0, 105], [10, 120], [40, 100], [70, 120], [76, 114], [80, 118]]), 'cup_and_handle');
    none(chartAt([[0, 105], [10, 120], [25, 100], [40, 110], [55, 100], [70, 120], [76, 114], [80, 118]]), 'cup_and_handle');
  });

  it('when the handle falls into the lower half of the cup, then no cup and handle', () => {
    none(chartAt([...cup, [78, 106], [82, 112]]), 'cup_and_handle');
  });
});

describe('rounding tops and bottoms: a smooth arc', () => {
  it('when closes trace a centred U back towards the rim, then a forming bullish rounding bottom', () => {
    const hit = only(chartAt(arc(1, 90)), 'rounding_bottom');
    assert.equal(hit.direction, 'bullish');
    assert.equal(hit.status, 'forming');
    assert.equal(hit.startIndex, 10);
    assert.equal(hit.endIndex, 90);
    assert.equal(hit.knownAt, 90);
    assert.deepEqual(hit.points.map((p) => p.role), ['left_rim', 'bottom', 'right_side']);
    assert.equal(hit.points[1].index, 50);
  });

  it('when the right side has come back less than half way, then no rounding bottom yet', () => {
    none(chartAt(arc(1, 75)), 'rounding_bottom');
  });

  it('when price closes above the rim, then the rounding bottom is confirmed', () => {
    const hit = only(chartAt([...arc(1, 95), [105, 125]]), 'rounding_bottom');
    assert.equal(hit.status, 'confirmed');
  });

  it('when the mirror arc is drawn, then a bearish rounding top', () => {
    const hit = only(chartAt(arc(-1, 90)), 'rounding_top');
    assert.equal(hit.direction, 'bearish');
    assert.equal(hit.points[1].role, 'top');
  });

  it('when the same fall and rise are two straight legs (a V), then no rounding bottom', () => {
    none(chartAt([[0, 115], [10, 120], [50, 100], [90, 118]]), 'rounding_bottom');
  });
});
