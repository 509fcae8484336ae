import { sharpImageDecoder } from '../adapters/images/sharp-images.ts';
import type { DigitizeDeps } from '../use-cases/digitize-chart.ts';
import type { Config } from './config.ts';
import { createOcr } from './ocr.ts';

/**
 * The digitiser's adapters: the upload decoder (the same checks and limits as analysis uploads,
 * but at the image's own resolution, which the axis labels need) and the OCR engine, which starts
 * on first use or on `ocr.warm()`. Close it with `ocr.close()`.
 */
export function createDigitizer(config: Pick<Config, 'maxImageBytes' | 'maxImagePixels'>, log?: DigitizeDeps['log']): DigitizeDeps {
  const decoder = sharpImageDecoder({ maxBytes: config.maxImageBytes, maxInputPixels: config.maxImagePixels, targetWidth: 4096, maxHeight: 4096 });
  return { decoder, ocr: createOcr(), ...(log ? { log } : {}) };
}
