import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * What `require('chart.js/auto')` returns (auto/auto.cjs): the Chart class with every chart.js
 * export assigned onto it. `helpers` is added here, for plugins written against Chart.js 2/3.
 */
type ChartJsAuto = typeof import('chart.js/auto').default & { helpers?: typeof import('chart.js/helpers') };

/** A Chart.js file in the require cache, kept so it can be put back. */
type CacheEntry = [string, NodeJS.Module];

/**
 * Load the CommonJS Chart.js with chartjs-chart-financial registered on it. The financial plugin
 * only registers itself on a global `Chart`, so the global is set first (this loading order was
 * found under Node 20 and still holds on Node 24).
 */
function loadChartJs(): CacheEntry[] {
  const Chart = require('chart.js/auto') as ChartJsAuto;
  Chart.helpers = require('chart.js/helpers') as typeof import('chart.js/helpers');
  const g = globalThis as { Chart?: ChartJsAuto };
  g.Chart = Chart;
  require('chartjs-chart-financial');
  // chartjs-node-canvas evicts chart.js from the require cache after each instance; keeping the
  // entries lets later instances (other sizes) get this same, plugin-registered copy.
  return Object.entries(require.cache).filter(
    (entry): entry is CacheEntry => entry[0].includes('/node_modules/chart.js/') && entry[1] !== undefined,
  );
}

let chartJsFiles: CacheEntry[] | undefined;

/**
 * Make the next `require('chart.js/auto')` (the one chartjs-node-canvas makes in its constructor)
 * return the Chart.js that has the candlestick and OHLC charts registered: load it on the first
 * call, and put its files back into the require cache on every call.
 */
export function primeChartJsRequireCache(): void {
  chartJsFiles ??= loadChartJs();
  for (const [key, mod] of chartJsFiles) require.cache[key] = mod;
}
