/**
 * What one image costs in input tokens on each OpenAI model family, and the size and `detail` at
 * which a chart stays legible for the fewest tokens. Pure: sizes in, numbers out (the adapter
 * does the resizing).
 *
 * Sources, looked up for this code (none of the numbers is from memory):
 *
 * [guide] OpenAI's "Images and vision" guide, "Calculating costs" (platform.openai.com/docs/guides/
 *   images-vision; the tile text is quoted verbatim from platform.openai.com/docs/guides/vision
 *   #calculating-costs in a v2ex thread, the patch text read from a mirror of the guide):
 *   - tiles: `detail: low` costs the base tokens whatever the size. `high` first fits the image in
 *     2048x2048, then scales it so that the shortest side is 768 px, counts the 512 px tiles that
 *     cover it, and charges base + tile tokens x tiles. Its examples: 1024x1024 high = 765 (4
 *     tiles on gpt-4o), 2048x4096 high = 1105 (6 tiles), any size low = 85.
 *   - patches: count the 32x32 px patches that cover the image, ceil(w/32) x ceil(h/32). Over the
 *     cap of 1536, shrink by sqrt(1536 x 32^2 / (w x h)), then shrink again so that a side is a
 *     whole number of patches (1800x2400 -> 1086x1448 -> 1056x1408 = 33 x 44 = 1452 patches).
 *     The patches are multiplied per model: gpt-4.1-mini 1.62, gpt-4.1-nano 2.46.
 * [table] The guide's base/tile table per model (gpt-5 and gpt-5-chat-latest 70/140; gpt-4o,
 *   gpt-4.1, gpt-4.5 85/170; gpt-4o-mini 2833/5667; o1, o1-pro, o3 75/150). The table itself was
 *   not readable here; these are the figures of several independent public implementations that
 *   cite it, all agreeing.
 * [measured] API usage measured by developers in the OpenAI community forum ("Vision: more than one
 *   way to send a request", a 128x64 image plus five words of text, so about 12 text tokens on
 *   top), which confirms the table where a measurement exists:
 *   gpt-4o and gpt-4.1 97 low / 267 high (85 / 85+170), gpt-4o-mini 2845 / 8512 (2833 / 2833+5667),
 *   o3 86 / 236 (75 / 75+150), o4-mini 26, gpt-4.1-mini 26, gpt-4.1-nano 33 at both details (8
 *   patches x 1.72, 1.62, 2.46 = 14, 13, 20). So: a small image is not enlarged (one tile, not
 *   the six a 768 px short side would need), and `detail: low` changes nothing on a patch model.
 * [gpt-5-small] gpt-5-mini and gpt-5-nano: the guide says 1.62 and 2.46; OpenAI's own calculator
 *   on its pricing page and two forum measurements ("GPT-5-mini image input token calculation
 *   discrepancy with official FAQ formula": 256x256 = 77, 1024x1024 = 1229, 2048x768 = 1844 =
 *   ceil(1536 x 1.2)) say 1.2 and 1.5. This table keeps the guide's figures: for a pre-call budget
 *   check an estimate on the high side is the safe one. Rounding up (ceil) is from that 1844.
 *
 * Not confirmed: gpt-5's 70/140 (no measurement found); over the patch cap, one forum measurement
 * billed 4000x1474 on gpt-4.1-mini at the full 1536 patches (2488 tokens) where the guide's steps,
 * and OpenAI's calculator, give 1449 (2348), so past the cap this may be ~6% low (a planned image
 * is never past it); o1 (measured 22/44, matching nothing in the
 * table, so o1 is left out), the second shrink step using the smaller of the two side ratios (the
 * guide's example only shows the width), and the newer gpt-5.x models (patch budgets of 2500 and
 * more by the forum's measurements; not in this table, so they count as unknown: null).
 */

import { familyOf } from './pricing.ts';

export type ImageDetail = 'low' | 'high';

/** 512 px tiles after fitting 2048x2048 and a 768 px shortest side; `low` is the base alone. */
export interface TileRule {
  kind: 'tiles';
  base: number;
  tile: number;
}

/** 32 px patches, capped (with down-scaling), times a per-model multiplier; `detail` is ignored. */
export interface PatchRule {
  kind: 'patches';
  multiplier: number;
  cap: number;
}

export type ImageRule = TileRule | PatchRule;

const TILE_PX = 512;
const TILE_FIT_PX = 2048;
const TILE_SHORT_SIDE_PX = 768;
const PATCH_PX = 32;
const PATCH_CAP = 1536;

/** Image accounting per model family (a dated snapshot or a provider prefix uses its family's). */
export const IMAGE_RULES: Readonly<Record<string, ImageRule>> = {
  // [guide] [table] [measured]
  'gpt-4o': { kind: 'tiles', base: 85, tile: 170 },
  'gpt-4.1': { kind: 'tiles', base: 85, tile: 170 },
  // [table] [measured]: about 33x gpt-4o's figures (2833 / 85 = 5667 / 170 = 33.3).
  'gpt-4o-mini': { kind: 'tiles', base: 2833, tile: 5667 },
  // [table] [measured]
  o3: { kind: 'tiles', base: 75, tile: 150 },
  // [table]; not confirmed by a measurement.
  'gpt-5': { kind: 'tiles', base: 70, tile: 140 },
  'gpt-5-chat-latest': { kind: 'tiles', base: 70, tile: 140 },
  // [guide] [measured]
  'gpt-4.1-mini': { kind: 'patches', multiplier: 1.62, cap: PATCH_CAP },
  'gpt-4.1-nano': { kind: 'patches', multiplier: 2.46, cap: PATCH_CAP },
  // [measured] (and the forum's tables); the mirror of the guide read here did not show it.
  'o4-mini': { kind: 'patches', multiplier: 1.72, cap: PATCH_CAP },
  // [gpt-5-small]: the guide's figures; measured 1.2 and 1.5.
  'gpt-5-mini': { kind: 'patches', multiplier: 1.62, cap: PATCH_CAP },
  'gpt-5-nano': { kind: 'patches', multiplier: 2.46, cap: PATCH_CAP },
};

/** The image accounting of a model, or null for a family this table does not know. */
export function imageRuleFor(model: string): ImageRule | null {
  // The price table's normalisation: lower case, no provider prefix, dated snapshot -> family.
  const family = familyOf(model, Object.keys(IMAGE_RULES));
  return family === null ? null : IMAGE_RULES[family];
}

/** Whole pixels, with a guard so that 33.0000000001 patches of float noise stay 33. */
const px = (v: number): number => Math.max(1, Math.floor(v + 1e-6));

/** The size a tile model looks at: fitted in 2048x2048, shortest side at most 768, never enlarged. */
function tileView(width: number, height: number): { width: number; height: number } {
  const fit = Math.min(1, TILE_FIT_PX / Math.max(width, height));
  const w = width * fit;
  const h = height * fit;
  const short = Math.min(1, TILE_SHORT_SIDE_PX / Math.min(w, h));
  return { width: px(w * short), height: px(h * short) };
}

/** The size a patch model looks at: as sent, or shrunk to at most `cap` whole patches. */
function patchView(width: number, height: number, cap: number): { width: number; height: number } {
  if (Math.ceil(width / PATCH_PX) * Math.ceil(height / PATCH_PX) <= cap) return { width, height };
  const shrink = Math.sqrt((cap * PATCH_PX * PATCH_PX) / (width * height));
  const cols = (width * shrink) / PATCH_PX;
  const rows = (height * shrink) / PATCH_PX;
  const whole = shrink * Math.min(Math.floor(cols) / cols, Math.floor(rows) / rows);
  return { width: px(width * whole), height: px(height * whole) };
}

/** The pixels the model itself works from (what it would shrink this image to). */
export function modelView(rule: ImageRule, width: number, height: number): { width: number; height: number } {
  return rule.kind === 'tiles' ? tileView(width, height) : patchView(width, height, rule.cap);
}

function tokensFor(rule: ImageRule, width: number, height: number, detail: ImageDetail): number {
  if (rule.kind === 'tiles') {
    if (detail === 'low') return rule.base;
    const v = tileView(width, height);
    return rule.base + rule.tile * Math.ceil(v.width / TILE_PX) * Math.ceil(v.height / TILE_PX);
  }
  const v = patchView(width, height, rule.cap);
  // Rounded up, less float noise (300 x 1.62 is 486.00000000000006).
  return Math.ceil(Math.ceil(v.width / PATCH_PX) * Math.ceil(v.height / PATCH_PX) * rule.multiplier - 1e-9);
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image size must be positive whole pixels, got ${width}x${height}`);
  }
}

/**
 * Input tokens of one image of `width` x `height` px sent to `model` at `detail` ('auto' counts as
 * 'high', the most it can cost). Null for a model family not in IMAGE_RULES: no guess.
 */
export function imageTokens(model: string, width: number, height: number, detail: ImageDetail | 'auto'): number | null {
  checkSize(width, height);
  const rule = imageRuleFor(model);
  return rule ? tokensFor(rule, width, height, detail === 'low' ? 'low' : 'high') : null;
}

/** A candlestick chart narrower than this loses its candles: the plan does not go below it. */
export const MIN_CHART_WIDTH = 768;
/** `detail: low` shows the model a 512x512 version: only an image that fits loses nothing by it. */
const LOW_DETAIL_PX = 512;

export interface ImagePlan {
  width: number;
  height: number;
  detail: ImageDetail;
  /** Image tokens at that size and detail; null for a model family not in IMAGE_RULES. */
  tokens: number | null;
  /** The plan is smaller than the image: resize (same aspect) before sending. */
  resized: boolean;
}

/**
 * The size (a downscale with the same aspect ratio, or none) and `detail` at which to send a chart
 * of `width` x `height` px to `model`, for the fewest image tokens that keep it legible:
 *
 * 1. Never more pixels than the model looks at (its own fit to 2048 / 768 px or to its patch
 *    cap): extra pixels cost upload time and would store a chart the model never saw.
 * 2. Never narrower than MIN_CHART_WIDTH (768 px), or the image's own width when that is less:
 *    a 150-bar chart has ~6 px per bar at 1024 px, ~4.5 at 768; much below that bodies and wicks merge.
 * 3. Between those, the width with the fewest tokens; of equal cost, the widest. So a tile model
 *    keeps 1024x512 (768x384 is the same two tiles) and a patch model, whose cost follows the
 *    area, gets 768x384.
 * 4. No exception for a large saving. A tile model needs two tile columns for every width from
 *    513 to 1024 px, so going below 768 px (but above 512) saves at most rows of tiles: over every
 *    size chartlens renders (320..2048 x 240..2048, 32 px steps) on gpt-4o, gpt-4o-mini, gpt-5
 *    and o3 the cheapest such width never costs less than 55% of the plan. A patch model's cost
 *    follows the area, so a narrower chart is always cheaper in proportion (44% at 512 px): that
 *    is the very trade the floor refuses. At 512 px and less the chart is a thumbnail (~3 px a
 *    bar). Where images are dear (gpt-4o-mini: 14,167 tokens for 1024x512) the saving is in the
 *    choice of model, not in a smaller chart.
 * 5. `detail: low` only on a tile model and only for an image that fits 512x512 (the low view),
 *    where it shows the same pixels for the base tokens alone. A patch model ignores `detail`,
 *    so it is sent `high`.
 *
 * An unknown model gets the image as it is, at `high` (chartlens' detail before planning).
 */
export function planImage(model: string, width: number, height: number): ImagePlan {
  checkSize(width, height);
  const rule = imageRuleFor(model);
  if (!rule) return { width, height, detail: 'high', tokens: null, resized: false };
  const at = (w: number) => {
    const h = w === width ? height : Math.max(1, Math.round((height * w) / width));
    return { width: w, height: h, tokens: tokensFor(rule, w, h, 'high') };
  };
  /** The cheapest width in [low, high], the widest of equal cost. */
  const cheapest = (high: number, low: number) => {
    let best = at(high);
    for (let w = high - 1; w >= low; w--) {
      const c = at(w);
      if (c.tokens < best.tokens) best = c;
    }
    return best;
  };

  const top = Math.min(width, modelView(rule, width, height).width);
  const floor = Math.min(top, MIN_CHART_WIDTH);
  const best = cheapest(top, floor);
  const low = rule.kind === 'tiles' && best.width <= LOW_DETAIL_PX && best.height <= LOW_DETAIL_PX;
  return {
    width: best.width,
    height: best.height,
    detail: low ? 'low' : 'high',
    tokens: low ? tokensFor(rule, best.width, best.height, 'low') : best.tokens,
    resized: best.width !== width || best.height !== height,
  };
}
