/**
 * The Ocr port on tesseract.js 7 (Tesseract's LSTM engine compiled to WebAssembly), fully offline.
 *
 * - One engine, in a worker thread (tesseract.js runs it in `worker_threads`; the event loop only
 *   waits on messages), started lazily on the first read (or `warm()`) and reused. Reads queue
 *   behind each other: parameters are set per read, so a read and its parameters must not
 *   interleave with another read.
 * - Never downloads: the language data comes from the `@tesseract.js-data/eng` package
 *   (`langPath` is a local folder, which tesseract.js reads with fs), the wasm core from the
 *   `tesseract.js-core` package, and the cache is off (`cacheMethod: 'none'`; otherwise it reads
 *   and writes `./eng.traineddata` in the working directory).
 * - Every failure is an OcrFailure: tesseract.js throws from its message handler on a failed job
 *   unless given an `errorHandler`, and never settles `createWorker` when loading the language
 *   fails; the thread entry (tesseract-thread.ts) ends the thread then, and we time out.
 * - The image is prepared here with sharp: grey, dark themes inverted to dark-on-light, contrast
 *   stretched, integer upscaling (small chart fonts read far better at 3-4x), a margin.
 */
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker as ThreadWorker } from 'node:worker_threads';
import sharp, { type Sharp } from 'sharp';
import Tesseract from 'tesseract.js';
import { fileURLToPath } from 'node:url';
import type { OcrText } from '../../core/digitize/axis-labels.ts';
import type { Rect, RgbaImage } from '../../core/digitize/types.ts';
import { type Ocr, OcrFailure, type OcrLayout, type OcrOptions } from '../../ports/ocr.ts';

const require = createRequire(import.meta.url);

/** The LSTM-only "best_int" English model (2.9 MB gzipped); the package also ships a 10.9 MB legacy+LSTM one. */
export function defaultLangPath(): string {
  return join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
}

const THREAD_ENTRY = fileURLToPath(new URL('./tesseract-thread.ts', import.meta.url));

export interface TesseractOcrOptions {
  /** Folder holding `eng.traineddata.gz`; default: the `@tesseract.js-data/eng` package's best_int model. */
  langPath?: string;
  /** Longest a read may take before the engine is restarted (default 15 s). */
  readTimeoutMs?: number;
  /** Longest the engine may take to start (default 30 s). */
  startTimeoutMs?: number;
  /** Upscaling when a read does not ask for one (default 4). */
  upscale?: number;
}

interface Engine {
  worker: Tesseract.Worker;
  /** The thread, when tesseract.js exposes it (it does in 7.x): for exit detection and ref/unref. */
  thread: ThreadWorker | null;
  /** Rejects when the thread dies. */
  died: Promise<never>;
  dead: boolean;
}

interface Prepared {
  png: Buffer;
  scale: number;
  pad: number;
  width: number;
  height: number;
}

const PSM_OF: Record<OcrLayout, Tesseract.PSM> = {
  sparse: Tesseract.PSM.SPARSE_TEXT,
  block: Tesseract.PSM.SINGLE_BLOCK,
  line: Tesseract.PSM.SINGLE_LINE,
};

const MAX_UPSCALE = 8;
/** Margin around the upscaled image: Tesseract reads text touching the border poorly. */
const PAD = 12;

function timeout(ms: number, what: string): { promise: Promise<never>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OcrFailure(what === 'start' ? 'unavailable' : 'timeout', `${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

function detail(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function checkRegion(region: Rect, width: number, height: number): Rect {
  const r = { left: Math.round(region.left), top: Math.round(region.top), right: Math.round(region.right), bottom: Math.round(region.bottom) };
  if (!(r.left >= 0 && r.top >= 0 && r.right <= width && r.bottom <= height && r.right > r.left && r.bottom > r.top)) {
    throw new OcrFailure('invalid_image', `region ${JSON.stringify(region)} is not inside the ${width}x${height} image`);
  }
  return r;
}

/** Grey, dark-on-light, contrast-stretched, upscaled, padded PNG of the image (or its region). */
export async function prepareForOcr(image: Buffer | RgbaImage, region: Rect | undefined, upscale: number): Promise<Prepared> {
  if (!Number.isInteger(upscale) || upscale < 1 || upscale > MAX_UPSCALE) {
    throw new OcrFailure('invalid_image', `upscale must be a whole number from 1 to ${MAX_UPSCALE} (got ${upscale})`);
  }
  let grey: Buffer;
  let width: number;
  let height: number;
  try {
    let img: Sharp;
    let full: { width: number; height: number };
    if (Buffer.isBuffer(image)) {
      img = sharp(image, { failOn: 'error' });
      const meta = await img.metadata();
      full = { width: meta.width, height: meta.height };
    } else {
      if (image.data.length !== image.width * image.height * 4) throw new OcrFailure('invalid_image', 'RGBA data does not match width x height x 4');
      img = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } });
      full = { width: image.width, height: image.height };
    }
    if (region) {
      const r = checkRegion(region, full.width, full.height);
      img = img.extract({ left: r.left, top: r.top, width: r.right - r.left, height: r.bottom - r.top });
    }
    const out = await img.flatten({ background: '#ffffff' }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    if (out.info.channels !== 1) throw new Error(`expected one channel, got ${out.info.channels}`);
    grey = out.data;
    width = out.info.width;
    height = out.info.height;
  } catch (err) {
    if (err instanceof OcrFailure) throw err;
    throw new OcrFailure('invalid_image', detail(err), { cause: err });
  }
  // The background is the most common level; text is whatever lies far from it.
  const hist = new Array<number>(256).fill(0);
  for (const v of grey) hist[v]++;
  const bg = hist.indexOf(Math.max(...hist));
  const invert = bg < 128;
  const paper = invert ? 255 - bg : bg;
  // The ink level: the darkest 2% of the (dark-on-light) pixels.
  let ink = 0;
  for (let seen = 0, v = 0; v < 256; v++) {
    seen += hist[invert ? 255 - v : v];
    if (seen >= grey.length * 0.02) {
      ink = v;
      break;
    }
  }
  const span = Math.max(1, paper - ink);
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    const d = invert ? 255 - v : v;
    lut[v] = Math.max(0, Math.min(255, Math.round(((d - ink) / span) * 255)));
  }
  for (let i = 0; i < grey.length; i++) grey[i] = lut[grey[i]];
  const png = await sharp(grey, { raw: { width, height, channels: 1 } })
    .resize({ width: width * upscale, height: height * upscale, kernel: upscale > 1 ? 'cubic' : 'nearest' })
    .extend({ top: PAD, bottom: PAD, left: PAD, right: PAD, background: { r: 255, g: 255, b: 255 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
  return { png, scale: upscale, pad: PAD, width, height };
}

/** Letters and digits: the glyphs that share one height band (punctuation reaches above or below it). */
const BODY_GLYPH = /[\p{L}\p{N}]/u;

function words(page: Tesseract.Page, p: Prepared): OcrText[] {
  const out: OcrText[] = [];
  const clampX = (v: number): number => Math.max(0, Math.min(p.width, (v - p.pad) / p.scale));
  const clampY = (v: number): number => Math.max(0, Math.min(p.height, (v - p.pad) / p.scale));
  for (const block of page.blocks ?? []) {
    for (const para of block.paragraphs) {
      for (const line of para.lines) {
        for (const w of line.words) {
          const text = w.text.trim();
          if (text === '') continue;
          // Rows from the letters and digits only: the comma of "1,500" or the "$" of "$2,200"
          // would move the centre of some labels and not others.
          const body = w.symbols.filter((s) => BODY_GLYPH.test(s.text));
          const y0 = body.length > 0 ? Math.min(...body.map((s) => s.bbox.y0)) : w.bbox.y0;
          const y1 = body.length > 0 ? Math.max(...body.map((s) => s.bbox.y1)) : w.bbox.y1;
          const box = { x0: clampX(w.bbox.x0), y0: clampY(y0), x1: clampX(w.bbox.x1), y1: clampY(y1) };
          if (box.x1 <= box.x0 || box.y1 <= box.y0) continue;
          out.push({ text, confidence: w.confidence, box });
        }
      }
    }
  }
  return out;
}

export class TesseractOcr implements Ocr {
  readonly #langPath: string;
  readonly #readTimeoutMs: number;
  readonly #startTimeoutMs: number;
  readonly #upscale: number;
  #engine: Promise<Engine> | null = null;
  #tail: Promise<unknown> = Promise.resolve();
  #inFlight = 0;
  #closed = false;
  /** Milliseconds the last engine start took (null before the first). */
  lastStartMs: number | null = null;
  /** Engines started so far (a timed-out or dead engine is replaced on the next read). */
  startCount = 0;

  constructor(options: TesseractOcrOptions = {}) {
    this.#langPath = options.langPath ?? defaultLangPath();
    this.#readTimeoutMs = options.readTimeoutMs ?? 15_000;
    this.#startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.#upscale = options.upscale ?? 4;
  }

  async warm(): Promise<void> {
    await this.#queue(async () => {
      await this.#start();
    });
  }

  async readText(image: Buffer | RgbaImage, options: OcrOptions = {}): Promise<OcrText[]> {
    if (this.#closed) throw new OcrFailure('closed', 'readText after close');
    const prepared = await prepareForOcr(image, options.region, options.upscale ?? this.#upscale);
    return this.#queue(() => this.#recognize(prepared, options));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const engine = this.#engine;
    this.#engine = null;
    if (!engine) return;
    await this.#tail;
    try {
      await (await engine).worker.terminate();
    } catch {
      // never started, or already gone
    }
  }

  /** Runs `job` after every job queued before it, holding a reference on the thread meanwhile. */
  #queue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(async () => {
      if (this.#closed) throw new OcrFailure('closed', 'closed while queued');
      this.#inFlight++;
      try {
        return await job();
      } finally {
        this.#inFlight--;
        this.#settleRef();
      }
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** An idle engine must not keep the process alive; a busy one must. */
  #settleRef(): void {
    void this.#engine
      ?.then((e) => {
        if (this.#inFlight > 0) e.thread?.ref();
        else e.thread?.unref();
      })
      .catch(() => undefined);
  }

  async #start(): Promise<Engine> {
    if (this.#engine) {
      const engine = await this.#engine;
      if (!engine.dead) {
        engine.thread?.ref();
        return engine;
      }
    }
    const starting = this.#spawn();
    this.#engine = starting;
    starting.catch(() => {
      if (this.#engine === starting) this.#engine = null;
    });
    return starting;
  }

  async #spawn(): Promise<Engine> {
    const dataFile = join(this.#langPath, 'eng.traineddata.gz');
    try {
      await access(dataFile);
    } catch (err) {
      // Without local data tesseract.js would fetch it from a CDN: refuse instead.
      throw new OcrFailure('unavailable', `no language data at ${dataFile}`, { cause: err });
    }
    const t0 = performance.now();
    let started = false;
    let startupFailed: (err: OcrFailure) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
      startupFailed = reject;
    });
    const limit = timeout(this.#startTimeoutMs, 'start');
    let worker: Tesseract.Worker;
    try {
      worker = await Promise.race([
        Tesseract.createWorker('eng', Tesseract.OEM.LSTM_ONLY, {
          langPath: this.#langPath,
          gzip: true,
          cacheMethod: 'none',
          workerPath: THREAD_ENTRY,
          logger: () => undefined,
          // Called for every failed job (the job's promise rejects too); without it tesseract.js
          // throws from its message listener, an uncaught exception.
          errorHandler: (err: unknown) => {
            if (!started) startupFailed(new OcrFailure('unavailable', `engine start failed: ${String(err)}`));
          },
        }),
        failed,
        limit.promise,
      ]);
    } catch (err) {
      if (err instanceof OcrFailure) throw err;
      throw new OcrFailure('unavailable', `engine start failed: ${detail(err)}`, { cause: err });
    } finally {
      limit.cancel();
    }
    started = true;
    this.lastStartMs = performance.now() - t0;
    this.startCount++;
    const exposed = (worker as unknown as { worker?: unknown }).worker;
    const thread = exposed instanceof ThreadWorker ? exposed : null;
    const engine: Engine = { worker, thread, dead: false, died: new Promise<never>(() => undefined) };
    if (thread) {
      engine.died = new Promise<never>((_, reject) => {
        const onGone = (why: string): void => {
          engine.dead = true;
          reject(new OcrFailure('failed', `the OCR thread ${why}`));
        };
        thread.once('exit', (code) => onGone(`exited (code ${code})`));
        thread.once('error', (err) => onGone(`failed: ${detail(err)}`));
      });
      engine.died.catch(() => undefined);
    }
    return engine;
  }

  async #recognize(p: Prepared, options: OcrOptions): Promise<OcrText[]> {
    const engine = await this.#start();
    const limit = timeout(this.#readTimeoutMs, 'read');
    try {
      const page = await Promise.race([
        (async () => {
          await engine.worker.setParameters({
            tessedit_pageseg_mode: PSM_OF[options.layout ?? 'sparse'],
            tessedit_char_whitelist: options.whitelist ?? '',
            // The upscaled image is about 300 dpi for a 96 dpi screenshot; tells Tesseract not to guess.
            user_defined_dpi: '300',
          });
          const result = await engine.worker.recognize(p.png, {}, { text: false, blocks: true });
          return result.data;
        })(),
        engine.died,
        limit.promise,
      ]);
      return words(page, p);
    } catch (err) {
      if (err instanceof OcrFailure) {
        if (err.reason === 'timeout') await this.#discard(engine);
        throw err;
      }
      throw new OcrFailure('failed', detail(err), { cause: err });
    } finally {
      limit.cancel();
    }
  }

  /** Drops a stuck engine; the next read starts a new one. */
  async #discard(engine: Engine): Promise<void> {
    engine.dead = true;
    try {
      await engine.worker.terminate();
    } catch {
      // already gone
    }
  }
}
