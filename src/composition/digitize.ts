import { sharpImageDecoder } from '../adapters/images/sharp-images.ts';
import type { DigitizeDeps } from '../use-cases/digitize-chart.ts';
import type { Config } from './config.ts';
import { createOcr } from './ocr.ts';

/**
 * The digitiser's adapters: the upload decoder (the same checks and limits as analysis uploads,
 * but at the image's own resolution, which the axis labels need) and the OCR engine, which starts
 * on first use or on `warm()`. Close both engines with `closeDigitizer()`.
 */
export function createDigitizer(config: Pick<Config, 'maxImageBytes' | 'maxImagePixels'>, log?: DigitizeDeps['log']): DigitizeDeps {
  const decoder = sharpImageDecoder({ maxBytes: config.maxImageBytes, maxInputPixels: config.maxImagePixels, targetWidth: 4096, maxHeight: 4096 });
  // Two engines, one per axis, so a chart's price and time labels are read at the same time.
  return { decoder, ocr: createOcr(), timeOcr: createOcr(), ...(log ? { log } : {}) };
}

/** Start both OCR engines now (off the request path). */
export async function warmDigitizer(d: DigitizeDeps): Promise<void> {
  await Promise.all([d.ocr.warm(), d.timeOcr?.warm()]);
}

/** Stop both OCR engines. */
export async function closeDigitizer(d: DigitizeDeps): Promise<void> {
  await Promise.all([d.ocr.close(), d.timeOcr?.close()]);
}
