import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AppError, type ErrorDetail, isErrorCode } from '../../core/errors.ts';
import type { ChartPreparer, PreparedChart, PrepareRequest } from '../../ports/chart-preparer.ts';
import type { ChartRenderer, ChartRequest } from '../../ports/chart-renderer.ts';

/**
 * Pango/fontconfig must be first initialised on the main thread: when a worker thread is the first
 * to draw text, tearing that worker down (or exiting the process) segfaults inside the native
 * libraries (reproduced here with canvas 3.2 on Node 20). One line of text drawn here prevents it.
 */
function initTextOnThisThread(): void {
  const { createCanvas } = createRequire(import.meta.url)('canvas') as typeof import('canvas');
  const canvas = createCanvas(8, 8);
  canvas.getContext('2d').fillText('.', 0, 8);
}

interface Job {
  id: number;
  req: PrepareRequest;
  resolve: (p: PreparedChart) => void;
  reject: (e: Error) => void;
}

/** A thread asking the main process to draw a chart (one whose options name the browser renderer). */
type RenderAsk = { render: { rid: number; request: ChartRequest } };

export interface PreparePoolOptions {
  /**
   * Draws, on this thread, the charts whose options say `renderer: 'browser'`: the process's one
   * warm browser, instead of a Chromium per thread. Absent: the threads draw them with Chart.js.
   */
  mainRenderer?: ChartRenderer;
}

type Reply = { id: number; ok: true; prepared: Omit<PreparedChart, 'png' | 'verify'> & { png: Uint8Array; verify: Omit<PreparedChart['verify'], 'candles'> } } | { id: number; ok: false; error: { code?: string; message: string; details?: unknown } };

/**
 * Facts and chart rendering on worker threads. Chart.js, Cairo and TA-Lib are synchronous, so on
 * the main thread they serialise every concurrent analysis; here they run beside it.
 */
export class PreparePool implements ChartPreparer {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<Worker, Job>();
  private nextId = 1;
  private closed = false;

  private readonly threadUrl: URL;
  private readonly mainRenderer: ChartRenderer | undefined;

  /** `threadUrl` is the worker entry that answers prepare requests (the composition root names it). */
  constructor(threadUrl: URL, size = Math.max(1, availableParallelism() - 1), options: PreparePoolOptions = {}) {
    this.threadUrl = threadUrl;
    this.mainRenderer = options.mainRenderer;
    initTextOnThisThread();
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn(): void {
    const worker = new Worker(this.threadUrl, { workerData: { mainRenders: this.mainRenderer !== undefined } });
    worker.unref();
    worker.on('message', (reply: Reply | RenderAsk) => ('render' in reply ? void this.renderFor(worker, reply.render) : this.finish(worker, reply)));
    worker.on('error', (err: Error) => this.fail(worker, err));
    worker.on('exit', (code) => {
      if (!this.closed && code !== 0) this.fail(worker, new Error(`prepare worker exited with code ${code}`));
    });
    this.all.push(worker);
    this.idle.push(worker);
  }

  /** Draw a chart a thread handed over, and send it back (the thread's job stays running meanwhile). */
  private async renderFor(worker: Worker, ask: RenderAsk['render']): Promise<void> {
    try {
      if (!this.mainRenderer) throw new Error('this prepare pool draws no charts on the main thread');
      const chart = await this.mainRenderer.render(ask.request);
      const png = new Uint8Array(chart.png.buffer, chart.png.byteOffset, chart.png.byteLength).slice();
      worker.postMessage({ rendered: { rid: ask.rid, ok: true, png, width: chart.width, height: chart.height, renderer: chart.renderer } }, [png.buffer]);
    } catch (err) {
      worker.postMessage({ rendered: { rid: ask.rid, ok: false, message: (err as Error).message } });
    }
  }

  private fail(worker: Worker, err: Error): void {
    const job = this.running.get(worker);
    this.running.delete(worker);
    job?.reject(err);
    // Replace a dead worker so the pool keeps its size.
    const i = this.all.indexOf(worker);
    if (i >= 0) this.all.splice(i, 1);
    if (!this.closed) {
      void worker.terminate();
      this.spawn();
      this.pump();
    }
  }

  private finish(worker: Worker, reply: Reply): void {
    const job = this.running.get(worker);
    this.running.delete(worker);
    this.idle.push(worker);
    if (job) {
      if (reply.ok) {
        const p = reply.prepared;
        job.resolve({ ...p, png: Buffer.from(p.png.buffer, p.png.byteOffset, p.png.byteLength), verify: { ...p.verify, candles: job.req.candles } });
      } else {
        const code = reply.error.code;
        job.reject(isErrorCode(code) ? new AppError(code, reply.error.message, (reply.error.details ?? []) as ErrorDetail[]) : new Error(reply.error.message));
      }
    }
    this.pump();
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const job = this.queue.shift() as Job;
      this.running.set(worker, job);
      worker.postMessage({ id: job.id, req: job.req });
    }
  }

  prepare(req: PrepareRequest): Promise<PreparedChart> {
    if (this.closed) return Promise.reject(new Error('the prepare pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, req, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the prepare pool closed'));
    // Ask each worker to finish and exit by itself; only a worker that does not is terminated.
    await Promise.all(
      this.all.map(
        (w) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => void w.terminate().then(() => resolve()), 5000);
            w.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            w.postMessage({ close: true });
          }),
      ),
    );
  }
}
