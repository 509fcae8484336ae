import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolvePatternCode } from '../../src/core/analysis/pattern-names.ts';
import { CHART_PATTERN_LABELS, type ChartPatternHit } from '../../src/core/market/chart-patterns.ts';
import { computeMarketFacts } from '../../src/core/market/facts.ts';
import { candlesAlongPath } from '../helpers/synthetic.ts';

function chartPatterns(vertices: [number, number][], volumeAt?: (i: number) => number): ChartPatternHit[] {
  let candles = candlesAlongPath(vertices);
  if (volumeAt) candles = candles.map((c, i) => ({ ...c, volume: volumeAt(i) }));
  return computeMarketFacts(candles).patterns.filter((p): p is ChartPatternHit => p.kind === 'chart');
}

function only(hits: ChartPatternHit[], code: string): ChartPatternHit {
  const found = hits.filter((h) => h.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(hits.map((h) => h.code))}`);
  return found[0];
}

describe('chart patterns on shapes drawn by hand', () => {
  it('when two equal peaks are followed by a close under the trough, then a confirmed double top spans them', () => {
    const hit = only(chartPatterns([[0, 80], [30, 110], [40, 100], [50, 110], [62, 96]]), 'double_top');
    assert.equal(hit.direction, 'bearish');
    assert.equal(hit.startIndex, 30);
    assert.equal(hit.status, 'confirmed');
    assert.deepEqual(hit.points.map((p) => p.index), [30, 40, 50]);
    assert.ok(hit.endIndex > 50 && hit.endIndex <= 62, 'ends at the bar that broke the neckline');
    assert.ok(hit.trigger !== null && Math.abs(hit.trigger - 99.7) < 0.01, 'the neckline is the trough low');
  });

  it('when the second peak has not broken down yet, then the double top is only forming', () => {
    const hit = only(chartPatterns([[0, 80], [30, 110], [40, 100], [50, 110], [56, 104]]), 'double_top');
    assert.equal(hit.status, 'forming');
    assert.equal(hit.endIndex, 50);
  });

  it('when the mirror shape is drawn, then it is a bullish double bottom', () => {
    const hit = only(chartPatterns([[0, 130], [30, 100], [40, 110], [50, 100], [62, 114]]), 'double_bottom');
    assert.equal(hit.direction, 'bullish');
    assert.equal(hit.status, 'confirmed');
  });

  it('when a higher head sits between two shoulders, then head and shoulders (and the inverse) are found', () => {
    const hs = only(chartPatterns([[0, 80], [25, 105], [32, 98], [40, 112], [48, 98], [55, 105], [64, 94]]), 'head_and_shoulders');
    assert.deepEqual(hs.points.map((p) => p.role), ['left_shoulder', 'neckline1', 'head', 'neckline2', 'right_shoulder']);
    assert.deepEqual(hs.points.map((p) => p.index), [25, 32, 40, 48, 55]);
    assert.equal(hs.direction, 'bearish');
    assert.equal(hs.status, 'confirmed');
    const inv = only(
      chartPatterns([[0, 130], [25, 105], [32, 112], [40, 98], [48, 112], [55, 105], [64, 116]]),
      'inverse_head_and_shoulders',
    );
    assert.equal(inv.direction, 'bullish');
    assert.equal(inv.startIndex, 25);
  });

  it('when highs are flat and lows rise, then an ascending triangle; the mirror is descending', () => {
    const asc = only(
      chartPatterns([[0, 90], [10, 110], [16, 100], [24, 110], [30, 103], [38, 110], [44, 106], [50, 109]]),
      'ascending_triangle',
    );
    assert.equal(asc.direction, 'bullish');
    assert.equal(asc.status, 'forming');
    assert.equal(asc.startIndex, 10);
    assert.equal(asc.endIndex, 50);
    const desc = only(
      chartPatterns([[0, 130], [10, 100], [16, 110], [24, 100], [30, 107], [38, 100], [44, 104], [50, 101]]),
      'descending_triangle',
    );
    assert.equal(desc.direction, 'bearish');
  });

  it('when highs fall and lows rise, then a symmetrical triangle with no side yet', () => {
    const hit = only(
      chartPatterns([[0, 90], [10, 120], [16, 100], [24, 116], [30, 104], [38, 112], [44, 107], [50, 109]]),
      'symmetrical_triangle',
    );
    assert.equal(hit.direction, 'neutral');
  });

  it('when price closes through a thrice-tested resistance on heavy volume, then a breakout on volume', () => {
    const path: [number, number][] = [[0, 100], [10, 110], [16, 104], [24, 110], [30, 104], [38, 110], [44, 104], [52, 109], [55, 116]];
    const hit = only(chartPatterns(path, (i) => (i >= 53 ? 3000 : 1000)), 'breakout');
    assert.equal(hit.direction, 'bullish');
    assert.equal(hit.endIndex, 53);
    assert.equal(hit.points[0].role, 'close_on_volume');
    assert.ok(hit.trigger !== null && Math.abs(hit.trigger - 110.3) < 0.01);
    const quiet = only(chartPatterns(path), 'breakout');
    assert.equal(quiet.points[0].role, 'close');
    assert.ok(quiet.quality < hit.quality, 'volume confirmation raises the quality');
  });

  it('when price just trends, then no reversal or triangle pattern is claimed', () => {
    assert.deepEqual(chartPatterns([[0, 100], [60, 160]]), []);
  });
});

describe('chart pattern names', () => {
  it('when a label or a code is looked up, then it resolves to its own code', () => {
    for (const [code, label] of Object.entries(CHART_PATTERN_LABELS)) {
      assert.equal(resolvePatternCode(label), code, label);
      assert.equal(resolvePatternCode(code), code, code);
    }
  });

  it('when the new patterns are named the way a model writes them, then they resolve', () => {
    const names: [string, string][] = [
      ['Cup and Handle', 'cup_and_handle'],
      ['cup & handle', 'cup_and_handle'],
      ['Bull Flag', 'bull_flag'],
      ['bear flag pattern', 'bear_flag'],
      ['Pennant', 'pennant'],
      ['Rising Wedge', 'rising_wedge'],
      ['falling wedge', 'falling_wedge'],
      ['Rectangle', 'rectangle'],
      ['Ascending Channel', 'ascending_channel'],
      ['descending channel', 'descending_channel'],
      ['Triple Top', 'triple_top'],
      ['triple bottom', 'triple_bottom'],
      ['Rounding Top', 'rounding_top'],
      ['Rounding Bottom', 'rounding_bottom'],
    ];
    for (const [name, code] of names) assert.equal(resolvePatternCode(name), code, name);
  });
});
