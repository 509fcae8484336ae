import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { directionAgreement, invariantViolations, reRenderIou, renderPixelBars, spacingCheck } from '../../src/core/digitize/self-check.ts';
import type { ChartStyle, PixelBar } from '../../src/core/digitize/types.ts';

const bar = (x: number, highY: number, openY: number, closeY: number, lowY: number): PixelBar => ({
  x,
  highY,
  lowY,
  openY,
  closeY,
  direction: closeY < openY ? 'up' : 'down',
  confidence: 1,
});

const style: ChartStyle = { theme: 'light', background: [255, 255, 255], up: [0, 150, 0], down: [200, 0, 0], hollow: false, kind: 'candle' };

describe('digitiser self-checks', () => {
  it('when a wick does not span its body, then the bar is flagged', () => {
    const bars = [bar(10, 5, 20, 10, 25), bar(20, 12, 20, 10, 25), bar(30, 5, 20, 10, 18)];
    assert.deepEqual(invariantViolations(bars), [1, 2]);
  });

  it('when direction and open/close disagree, then the agreement drops', () => {
    const bars = [bar(10, 5, 20, 10, 25), bar(20, 5, 10, 20, 25)];
    assert.equal(directionAgreement(bars), 1);
    assert.equal(directionAgreement([...bars, { ...bars[0], direction: 'down' }]), 2 / 3);
  });

  it('when bars are missing or merged, then the spacing check says where', () => {
    const xs = [10, 16, 22, 28, 40, 46, 49.5, 58];
    const s = spacingCheck(xs.map((x) => bar(x, 5, 20, 10, 25)));
    assert.equal(s.spacing, 6);
    assert.deepEqual(s.gaps, [{ after: 3, missing: 1 }]);
    assert.deepEqual(s.irregular, [5, 6]);
  });

  it('when the bars are re-rendered over their own rendering, then the IoU is 1, and it drops when a bar is lost', () => {
    const bars = Array.from({ length: 12 }, (_, i) => bar(20 + 12 * i, 10 + i, 30 + (i % 3), 20 + (i % 5), 45 + i));
    const img = renderPixelBars(bars, style, 200, 80, 7);
    const rect = { left: 0, top: 0, right: 200, bottom: 80 };
    assert.equal(reRenderIou(img, bars, style, rect, 7), 1);
    const iou = reRenderIou(img, bars.slice(0, 9), style, rect, 7);
    assert.ok(iou < 0.85 && iou > 0.6, `iou ${iou}`);
  });
});
