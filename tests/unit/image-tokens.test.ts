import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IMAGE_RULES, imageRuleFor, imageTokens, MIN_CHART_WIDTH, modelView, planImage } from '../../src/core/analysis/image-tokens.ts';
import { DEFAULT_PRICES, estimateTextTokens, familyOf, priceFor } from '../../src/core/analysis/pricing.ts';

type Case = [model: string, width: number, height: number, detail: 'low' | 'high' | 'auto', tokens: number | null, why: string];

const TABLE: Case[] = [
  // The guide's own examples (gpt-4o accounting).
  ['gpt-4o', 1024, 1024, 'high', 765, 'guide: scaled to 768x768, 4 tiles x 170 + 85'],
  ['gpt-4o', 2048, 4096, 'high', 1105, 'guide: fit to 1024x2048, then 768x1536, 6 tiles'],
  ['gpt-4o', 4096, 8192, 'low', 85, 'guide: low is a fixed cost at any size'],
  // chartlens' default chart, 1024x512: two 512 px tiles.
  ['gpt-4o', 1024, 512, 'high', 425, '2x1 tiles x 170 + 85'],
  ['gpt-4.1', 1024, 512, 'high', 425, 'the same table row as gpt-4o'],
  ['gpt-4o-mini', 1024, 512, 'high', 14_167, '2 x 5667 + 2833: about 33x gpt-4o'],
  ['gpt-5', 1024, 512, 'high', 350, '2 x 140 + 70'],
  ['o3', 1024, 512, 'high', 375, '2 x 150 + 75'],
  ['gpt-4o', 1024, 512, 'auto', 425, 'auto counts as high, the most it can cost'],
  // Low detail on tile models: the base alone.
  ['gpt-4o', 1024, 512, 'low', 85, 'base'],
  ['gpt-4o-mini', 1024, 512, 'low', 2833, 'base'],
  ['gpt-5', 1024, 512, 'low', 70, 'base'],
  // A small image is not enlarged to a 768 px short side (forum measurement: 255 + ~12 text).
  ['gpt-4o', 128, 64, 'high', 255, 'one tile, not six'],
  ['gpt-4o-mini', 128, 64, 'high', 8500, 'forum: 8512 with ~12 text tokens'],
  ['o3', 128, 64, 'high', 225, 'forum: 236 with ~11 text tokens'],
  // Patch models: ceil(w/32) x ceil(h/32) x multiplier, rounded up; detail changes nothing.
  ['gpt-4.1-mini', 1024, 512, 'high', 830, '32 x 16 = 512 patches x 1.62 = 829.44'],
  ['gpt-4.1-mini', 1024, 512, 'low', 830, 'low is ignored by patch models (forum measurement)'],
  ['gpt-4.1-nano', 1024, 512, 'high', 1260, '512 x 2.46 = 1259.52'],
  ['o4-mini', 1024, 512, 'high', 881, '512 x 1.72 = 880.64'],
  ['gpt-5-mini', 1024, 512, 'high', 830, "the guide's 1.62 (measured 1.2: 615)"],
  ['gpt-5-nano', 1024, 512, 'high', 1260, "the guide's 2.46 (measured 1.5: 768)"],
  ['gpt-4.1-mini', 1024, 1024, 'high', 1659, '1024 patches x 1.62 = 1658.88'],
  ['o4-mini', 128, 64, 'high', 14, 'forum: 26 with ~12 text tokens'],
  ['gpt-4.1-mini', 128, 64, 'high', 13, 'forum: 26 with ~13 text tokens'],
  ['gpt-4.1-nano', 128, 64, 'high', 20, 'forum: 33 with ~13 text tokens'],
  ['gpt-4.1-mini', 30, 20, 'high', 2, 'one patch x 1.62, rounded up'],
  ['gpt-4.1-mini', 640, 480, 'high', 486, '300 patches x 1.62 is 486.00000000000006 in floating point: still 486'],
  // Over the caps.
  ['gpt-4.1-mini', 2048, 768, 'high', 2489, 'exactly 1536 patches, no shrink: 1536 x 1.62 = 2488.32'],
  ['gpt-4.1-mini', 1800, 2400, 'high', 2353, 'guide: 4275 patches -> 1056x1408 = 33 x 44 = 1452 patches x 1.62'],
  ['gpt-4.1-mini', 4000, 1474, 'high', 2348, "the guide's steps, as OpenAI's calculator (1449 patches; the forum measured the cap, 2488)"],
  // Snapshots and provider prefixes use the family's rule.
  ['gpt-4o-2024-08-06', 1024, 512, 'high', 425, 'dated snapshot'],
  ['openai/gpt-4o-mini', 1024, 512, 'high', 14_167, 'provider prefix'],
  ['GPT-4.1-MINI', 1024, 512, 'high', 830, 'case'],
  ['gpt-4.1-nano-2025-04-14', 1024, 512, 'high', 1260, 'dated snapshot of a patch model'],
  // Unknown families: null, never a guess.
  ['llava:13b', 1024, 512, 'high', null, 'a local model'],
  ['gpt-5.2', 1024, 512, 'high', null, 'a newer patch budget this table does not cover'],
  ['o1', 1024, 512, 'high', null, 'measured 22/44, matching nothing: left out'],
  ['gpt-4o-mini-tts', 1024, 512, 'high', null, 'not a dated snapshot of gpt-4o-mini'],
];

describe('imageTokens', () => {
  for (const [model, w, h, detail, tokens, why] of TABLE) {
    it(`${model} ${w}x${h} ${detail} = ${tokens} (${why})`, () => {
      assert.equal(imageTokens(model, w, h, detail), tokens);
    });
  }

  it('when a very wide image is fitted into 2048x2048, then its tiles are counted after the fit', () => {
    // 8000x1000 -> 2048x256: 4 tiles wide, 1 high.
    assert.deepEqual(modelView(IMAGE_RULES['gpt-4o'], 8000, 1000), { width: 2048, height: 256 });
    assert.equal(imageTokens('gpt-4o', 8000, 1000, 'high'), 4 * 170 + 85);
  });

  it('when a patch model gets more than 1536 patches, then the image it sees has whole patches under the cap', () => {
    const v = modelView(IMAGE_RULES['gpt-4.1-mini'], 1800, 2400);
    assert.deepEqual(v, { width: 1056, height: 1408 });
    for (const [w, h] of [[1800, 2400], [4000, 1474], [2049, 2049], [6000, 800]]) {
      const s = modelView(IMAGE_RULES['gpt-4.1-mini'], w, h);
      const patches = Math.ceil(s.width / 32) * Math.ceil(s.height / 32);
      assert.ok(patches <= 1536, `${w}x${h} -> ${s.width}x${s.height} = ${patches} patches`);
      assert.ok(Math.abs(s.width / s.height - w / h) < 0.05 * (w / h), 'aspect kept');
    }
  });

  it('when the size is not positive whole pixels, then it is a RangeError', () => {
    assert.throws(() => imageTokens('gpt-4o', 0, 512, 'high'), RangeError);
    assert.throws(() => imageTokens('gpt-4o', 10.5, 512, 'high'), RangeError);
  });

  it('when a model has a price, then the image table knows it too (so the estimate is never missing for a priced model)', () => {
    for (const model of Object.keys(DEFAULT_PRICES)) assert.ok(imageRuleFor(model), `${model} has no image rule`);
  });
});

type Plan = [model: string, width: number, height: number, expected: { width: number; height: number; detail: 'low' | 'high'; tokens: number | null }, why: string];

const PLANS: Plan[] = [
  ['gpt-4o', 1024, 512, { width: 1024, height: 512, detail: 'high', tokens: 425 }, '768x384 is the same 2 tiles: keep the widest'],
  ['gpt-4o-mini', 1024, 512, { width: 1024, height: 512, detail: 'high', tokens: 14_167 }, 'no legible size is cheaper'],
  ['gpt-5', 1024, 512, { width: 1024, height: 512, detail: 'high', tokens: 350 }, 'same two tiles'],
  ['gpt-4.1-mini', 1024, 512, { width: 768, height: 384, detail: 'high', tokens: 467 }, '24 x 12 = 288 patches x 1.62'],
  ['gpt-5-mini', 1024, 512, { width: 768, height: 384, detail: 'high', tokens: 467 }, 'patches: down to the floor'],
  ['gpt-4.1-nano', 1024, 512, { width: 768, height: 384, detail: 'high', tokens: 709 }, '288 x 2.46'],
  ['gpt-4o', 1280, 720, { width: 911, height: 512, detail: 'high', tokens: 425 }, '6 tiles -> 2x1 tiles, the widest that fits one row'],
  ['gpt-4o', 2048, 1024, { width: 1024, height: 512, detail: 'high', tokens: 425 }, 'the model would see 1536x768 (6 tiles); 1024x512 is two'],
  ['gpt-4o', 1024, 1024, { width: 768, height: 768, detail: 'high', tokens: 765 }, 'not more pixels than the model looks at'],
  ['gpt-4o', 400, 300, { width: 400, height: 300, detail: 'low', tokens: 85 }, 'fits the 512x512 low view: low loses nothing'],
  ['gpt-4o-mini', 512, 256, { width: 512, height: 256, detail: 'low', tokens: 2833 }, 'the same, at 33x'],
  ['gpt-4.1-mini', 400, 300, { width: 400, height: 300, detail: 'high', tokens: 211 }, 'a patch model ignores detail: high'],
  ['gpt-4.1-mini', 640, 480, { width: 640, height: 480, detail: 'high', tokens: 486 }, 'narrower than 768 already: not shrunk further'],
  ['gpt-4.1-mini', 2048, 2048, { width: 768, height: 768, detail: 'high', tokens: 934 }, 'past the cap the model would shrink it anyway; 768 is the floor'],
  ['llava:13b', 1024, 512, { width: 1024, height: 512, detail: 'high', tokens: null }, 'unknown: as it is, at high'],
];

describe('planImage', () => {
  for (const [model, w, h, expected, why] of PLANS) {
    it(`${model} ${w}x${h} -> ${expected.width}x${expected.height} ${expected.detail} (${why})`, () => {
      const plan = planImage(model, w, h);
      assert.deepEqual(plan, { ...expected, resized: expected.width !== w || expected.height !== h });
      if (plan.tokens !== null) assert.equal(imageTokens(model, plan.width, plan.height, plan.detail), plan.tokens);
    });
  }

  it('over every size chartlens renders, a plan only shrinks, keeps the aspect, keeps 768 px (or all there is) and never costs more', () => {
    for (const model of ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1-mini', 'gpt-5', 'o4-mini']) {
      for (let w = 320; w <= 2048; w += 96) {
        for (let h = 240; h <= 2048; h += 96) {
          const p = planImage(model, w, h);
          const label = `${model} ${w}x${h} -> ${p.width}x${p.height}`;
          assert.ok(p.width <= w && p.height <= h, `${label}: enlarged`);
          assert.ok(p.width >= Math.min(w, MIN_CHART_WIDTH, modelView(imageRuleFor(model)!, w, h).width), `${label}: below the floor`);
          assert.ok(Math.abs(p.width / p.height - w / h) <= (w / h) * (1 / p.height + 1 / p.width) + 1e-9, `${label}: aspect changed`);
          assert.ok((p.tokens ?? 0) <= (imageTokens(model, w, h, 'high') ?? 0), `${label}: costs more than as it is`);
        }
      }
    }
  });
});

describe('pre-call text estimate', () => {
  it('when a text is mostly numbers, then it costs more tokens per character than prose', () => {
    const prose = 'The trend is up and the close is above the fifty day average. '.repeat(10);
    const numbers = 'close 2874.5601, high 2879.22, low 2830.8799, volume 5792140000. '.repeat(10);
    assert.ok(estimateTextTokens(numbers) / numbers.length > estimateTextTokens(prose) / prose.length);
    assert.equal(estimateTextTokens(''), 0);
  });

  it('when a dated or prefixed model name is looked up, then prices and image rules agree on its family', () => {
    assert.equal(familyOf('openai/gpt-4.1-mini-2025-04-14', Object.keys(DEFAULT_PRICES)), 'gpt-4.1-mini');
    assert.equal(priceFor('gpt-5-nano-2025-08-07', DEFAULT_PRICES), DEFAULT_PRICES['gpt-5-nano']);
    assert.equal(familyOf('gpt-4o-mini-tts', Object.keys(DEFAULT_PRICES)), null);
  });
});
