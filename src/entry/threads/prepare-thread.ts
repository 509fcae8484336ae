import { parentPort, workerData } from 'node:worker_threads';
import { createThreadRenderer } from '../../composition/chart-renderer.ts';
import { prepareChart } from '../../use-cases/prepare-chart.ts';
import type { PrepareRequest } from '../../ports/chart-preparer.ts';
import type { ChartRenderer, ChartRequest, RenderedChart } from '../../ports/chart-renderer.ts';
import { lowerThisThreadPriority } from './thread-priority.ts';

/** A chart drawn for this thread by the main process (see PreparePool: `renderer: 'browser'` charts). */
type Rendered = { rid: number; ok: true; png: Uint8Array; width: number; height: number; renderer: string } | { rid: number; ok: false; message: string };
type Message = { id: number; req: PrepareRequest } | { close: true } | { rendered: Rendered };

/** Hands a chart to the main process's renderer and waits for its PNG. */
class MainProcessRenderer implements ChartRenderer {
  readonly name = 'main';
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (c: RenderedChart) => void; reject: (e: Error) => void }>();

  render(request: ChartRequest): Promise<RenderedChart> {
    const rid = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(rid, { resolve, reject });
      parentPort?.postMessage({ render: { rid, request } });
    });
  }

  answer(r: Rendered): void {
    const w = this.waiting.get(r.rid);
    this.waiting.delete(r.rid);
    if (!w) return;
    if (r.ok) w.resolve({ png: Buffer.from(r.png.buffer, r.png.byteOffset, r.png.byteLength), width: r.width, height: r.height, renderer: r.renderer });
    else w.reject(new Error(r.message));
  }

  close(): Promise<void> {
    for (const w of this.waiting.values()) w.reject(new Error('the prepare thread is closing'));
    this.waiting.clear();
    return Promise.resolve();
  }
}

/**
 * Worker-thread entry of the prepare pool: TA-Lib facts and the Chart.js render run here, so the
 * main thread only waits. A `renderer: 'browser'` chart goes back to the main process, which keeps
 * the one warm browser (when the pool was given one). The candles stay with the caller (they are
 * re-attached to the result).
 */
const main = (workerData as { mainRenders?: boolean } | null)?.mainRenders ? new MainProcessRenderer() : undefined;
// Yield the CPU to the main thread under contention: it answers every request, /healthz included.
lowerThisThreadPriority();
const renderer = createThreadRenderer(main);

parentPort?.on('message', (msg: Message) => void handle(msg));

async function handle(msg: Message): Promise<void> {
  if ('rendered' in msg) {
    main?.answer(msg.rendered);
    return;
  }
  if ('close' in msg) {
    // Leave on our own: terminating a thread that holds Cairo and TA-Lib state can crash the process.
    await main?.close();
    await renderer.close();
    parentPort?.close();
    return;
  }
  try {
    const prepared = await prepareChart(renderer, msg.req);
    const { candles: _candles, ...verify } = prepared.verify;
    const png = new Uint8Array(prepared.png.buffer, prepared.png.byteOffset, prepared.png.byteLength).slice();
    parentPort?.postMessage({ id: msg.id, ok: true, prepared: { ...prepared, png, verify } }, [png.buffer]);
  } catch (err) {
    const e = err as { code?: string; message?: string; details?: unknown } | null;
    parentPort?.postMessage({ id: msg.id, ok: false, error: { code: e?.code, message: e?.message ?? 'prepare failed', details: e?.details } });
  }
}
