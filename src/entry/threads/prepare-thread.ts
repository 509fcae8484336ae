import { parentPort } from 'node:worker_threads';
import { createChartRenderer } from '../../composition/chart-renderer.ts';
import { prepareChart } from '../../use-cases/prepare-chart.ts';
import type { PrepareRequest } from '../../ports/chart-preparer.ts';

/**
 * Worker-thread entry of the prepare pool: TA-Lib facts and the Chart.js render run here, so the
 * main thread only waits. The candles stay with the caller (they are re-attached to the result).
 */
const renderer = createChartRenderer();

parentPort?.on('message', (msg: { id: number; req: PrepareRequest } | { close: true }) => void handle(msg));

async function handle(msg: { id: number; req: PrepareRequest } | { close: true }): Promise<void> {
  if ('close' in msg) {
    // Leave on our own: terminating a thread that holds Cairo and TA-Lib state can crash the process.
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
