import { TesseractOcr, type TesseractOcrOptions } from '../adapters/ocr/tesseract-ocr.ts';
import type { Ocr } from '../ports/ocr.ts';

/**
 * The default text recogniser for chart axis labels: tesseract.js with the English model shipped
 * in node_modules (nothing is downloaded). The engine starts on the first read or on `warm()`;
 * call `close()` when done.
 */
export function createOcr(options: TesseractOcrOptions = {}): Ocr {
  return new TesseractOcr(options);
}
