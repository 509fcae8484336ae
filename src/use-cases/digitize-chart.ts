import { fitPriceAxis, type PriceAxisResult } from '../core/digitize/axis-fit.ts';
import { PRICE_LABEL_WHITELIST, priceAxisLabels, TIME_LABEL_WHITELIST, tightenLabelStrip, timeAxisLabels } from '../core/digitize/axis-labels.ts';
import { snapLabelsToTicks } from '../core/digitize/axis-snap.ts';
import { readPixels } from '../core/digitize/index.ts';
import { type Digitization, recoverCandles } from '../core/digitize/recover.ts';
import { assignBarTimes, readTimeLabels, type TimeAxisRead } from '../core/digitize/time-labels.ts';
import type { AxisLabel, Rect, RgbaImage } from '../core/digitize/types.ts';
import type { DecodedImage, ImageDecoder } from '../ports/image-decoder.ts';
import { type Ocr, OcrFailure } from '../ports/ocr.ts';

export interface DigitizeDeps {
  decoder: ImageDecoder;
  ocr: Ocr;
  /** A second engine for the time labels, so both axes are read at once; default: `ocr`. */
  timeOcr?: Ocr;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

/** A digitisation and the upload it came from (the analysis stores and shows that image). */
export interface DigitizedUpload {
  digitization: Digitization;
  image: DecodedImage;
  timing: { pixelsMs: number; ocrMs: number; totalMs: number };
}

/** OCR failures become warnings: a chart whose labels cannot be read still has its bars. */
async function readStrip(deps: DigitizeDeps, ocr: Ocr, pixels: RgbaImage, region: Rect, whitelist: string, upscale: number | undefined, warnings: string[]) {
  try {
    return await ocr.readText(pixels, { region, whitelist, ...(upscale ? { upscale } : {}) });
  } catch (err) {
    if (!(err instanceof OcrFailure)) throw err;
    deps.log?.('ocr_failed', { reason: err.reason, engine: err.engineDetail });
    warnings.push(err.warning);
    return null;
  }
}

const LEADING_MINUS = /^[-\u2212\u2013]\s*/;

/**
 * Fit the price scale. A tick mark drawn just before each label reads as a minus sign, and a price
 * axis whose values all rise downwards cannot be one: when most labels start with a minus and the
 * scale is out of order (or does not fit), the minus is taken for the tick and the scale refitted.
 */
function fitWithTickMarks(labels: AxisLabel[], span: { top: number; bottom: number }): PriceAxisResult {
  const first = fitPriceAxis(labels, { span });
  const inOrder = first.ok && first.fit.monotone;
  if (inOrder || labels.filter((l) => LEADING_MINUS.test(l.text)).length < Math.max(2, labels.length / 2)) return first;
  const second = fitPriceAxis(labels.map((l) => ({ ...l, text: l.text.replace(LEADING_MINUS, '') })), { span });
  return second.ok && second.fit.monotone ? second : first;
}

/**
 * Read a chart back from its pixels: check and decode the upload, find the panes, the style and the
 * bars, read the price labels (OCR) and fit the scale, read the time labels where legible, and turn
 * the bars into candles with a confidence for each and for the whole.
 */
export async function digitizeChart(deps: DigitizeDeps, bytes: Buffer): Promise<DigitizedUpload> {
  const started = performance.now();
  const image = await deps.decoder.decode(bytes);
  const { pixels } = image;
  const read = readPixels(pixels);
  const pixelsMs = performance.now() - started;
  const warnings = [...read.warnings];
  const { layout } = read;

  // The two axes are read at once (on two engines when there are two): OCR is most of the time.
  const priceSide = layout.priceLabels && layout.priceLabels.left >= layout.price.right - 1 ? 'left' : 'right';
  const priceStrip = layout.priceLabels ? tightenLabelStrip(pixels, layout.priceLabels, priceSide) : null;
  const timeStrip = layout.timeLabels ? tightenLabelStrip(pixels, layout.timeLabels, 'top') : null;
  const [priceWords, timeWords] = await Promise.all([
    priceStrip ? readStrip(deps, deps.ocr, pixels, priceStrip, PRICE_LABEL_WHITELIST, undefined, warnings) : null,
    timeStrip ? readStrip(deps, deps.timeOcr ?? deps.ocr, pixels, timeStrip, TIME_LABEL_WHITELIST, 3, warnings) : null,
  ]);
  let price: PriceAxisResult | null = null;
  if (priceStrip && priceWords) {
    const labels = snapLabelsToTicks(pixels, priceAxisLabels(priceWords, priceStrip), layout.price, priceStrip, read.style.background);
    price = fitWithTickMarks(labels, { top: layout.price.top, bottom: layout.price.bottom });
  }
  const time: TimeAxisRead | null = timeStrip && timeWords ? readTimeLabels(timeAxisLabels(timeWords, timeStrip)) : null;
  const times = time && time.dateKnown && time.anchors.length >= 2 ? assignBarTimes(time.anchors, read.bars.map((b) => b.x)) : null;
  const digitization = recoverCandles({ bars: read.bars, layout, style: read.style, price, time, times, warnings });
  const totalMs = performance.now() - started;
  return { digitization, image, timing: { pixelsMs: Math.round(pixelsMs), ocrMs: Math.round(totalMs - pixelsMs), totalMs: Math.round(totalMs) } };
}
