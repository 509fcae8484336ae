import { ChartJsRenderer } from '../../renderers/chartjs/chartjs-renderer.ts';
import type { ChartRenderer, LineChartRenderer } from '../ports/chart-renderer.ts';

/** The default chart renderer (Chart.js on node-canvas). Kept apart so a thread can load only this. */
export function createChartRenderer(): ChartRenderer & LineChartRenderer {
  return new ChartJsRenderer();
}

/** The worker-thread entry that prepares charts for the pool (see adapters/workers/prepare-pool.ts). */
export const PREPARE_THREAD_URL = new URL('../entry/threads/prepare-thread.ts', import.meta.url);
