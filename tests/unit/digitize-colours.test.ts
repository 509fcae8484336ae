import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify, colourFamilies, dominantColour, hueSat } from '../../src/core/digitize/colours.ts';
import type { Rgb } from '../../src/core/digitize/types.ts';
import { blank, fillRect } from '../../testing/digitize/synthetic.ts';

const WHITE: Rgb = [255, 255, 255];
const GREEN: Rgb = [22, 163, 74];
const RED: Rgb = [220, 38, 38];

describe('digitiser colours', () => {
  it('when most of an image is one colour, then that is the background, refined past its 5-bit bin', () => {
    const img = blank(60, 40, [250, 251, 253]);
    fillRect(img, 5, 5, 20, 30, RED);
    assert.deepEqual(dominantColour(img, { left: 0, top: 0, right: 60, bottom: 40 }), [250, 251, 253]);
  });

  it('when a colour is drawn full and anti-aliased (blended with the background), then both fall in one family whose colour is the full one', () => {
    const img = blank(80, 40, WHITE);
    fillRect(img, 5, 5, 15, 35, GREEN);
    fillRect(img, 20.5, 5, 21.5, 35, GREEN); // a wick straddling two columns: two half blends
    fillRect(img, 30, 5, 40, 35, GREEN, 0.45); // a transparent volume bar
    fillRect(img, 50, 5, 60, 35, RED);
    const fams = colourFamilies(img, WHITE, { left: 0, top: 0, right: 80, bottom: 40 }, null, 24);
    assert.equal(fams.length, 2);
    assert.deepEqual(fams[0].colour, GREEN);
    assert.deepEqual(fams[1].colour, RED);
  });

  it('when pixels are classified, then a blend gets its colour with the blend share as coverage, and other colours are occluders', () => {
    const img = blank(20, 10, WHITE);
    fillRect(img, 2, 0, 3, 10, GREEN);
    fillRect(img, 5, 0, 6, 10, GREEN, 0.5);
    fillRect(img, 8, 0, 9, 10, [245, 158, 11]); // an orange moving average
    const c = classify(img, WHITE, [GREEN, RED], { left: 0, top: 0, right: 20, bottom: 10 }, null, 24);
    const at = (x: number): number => 3 * 20 + x;
    assert.equal(c.label[at(2)], 1);
    assert.ok(Math.abs(c.alpha[at(2)] - 255) <= 2);
    assert.equal(c.label[at(5)], 1);
    assert.ok(Math.abs(c.alpha[at(5)] / 255 - 0.5) < 0.03, `alpha ${c.alpha[at(5)]}`);
    assert.equal(c.label[at(8)], 0);
    assert.equal(c.other[at(8)], 1);
    assert.equal(c.label[at(12)], 0);
    assert.equal(c.other[at(12)], 0);
  });

  it('when hue is asked, then red, green and blue land where they should', () => {
    assert.ok(hueSat([220, 38, 38]).hue < 10);
    assert.ok(Math.abs(hueSat([22, 163, 74]).hue - 140) < 10);
    assert.ok(Math.abs(hueSat([31, 119, 180]).hue - 205) < 10);
    assert.equal(hueSat([128, 128, 128]).sat, 0);
  });
});
