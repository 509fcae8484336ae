import { findChromium } from '../../renderers/browser/chromium.ts';
import { ChartJsRenderer } from '../../renderers/chartjs/chartjs-renderer.ts';
import type { ChartRenderer, ChartRequest, LineChartRenderer, LineChartRequest, RenderedChart } from '../ports/chart-renderer.ts';

export interface SelectingRendererOptions {
  /** Starts the browser renderer (once, on the first `renderer: 'browser'` request); null: there is no browser. */
  openBrowser: (() => Promise<ChartRenderer>) | null;
  log?: (msg: string) => void;
  /** After the browser failed to start, Chart.js draws browser requests this long before the next try (default 60 s). */
  retryAfterMs?: number;
  now?: () => number;
}

/**
 * Draws each chart with the renderer its options name: Chart.js by default, the browser
 * (lightweight-charts in Chromium) for `renderer: 'browser'`. When the browser is missing or
 * fails, Chart.js draws the chart instead, so the result's `renderer` says 'chartjs'; the fallback
 * is logged once per outage, not per request. Line charts are always Chart.js's.
 */
export class SelectingRenderer implements ChartRenderer, LineChartRenderer {
  readonly name = 'chartjs';
  private readonly chartjs: ChartJsRenderer;
  private readonly openBrowser: SelectingRendererOptions['openBrowser'];
  private readonly log: (msg: string) => void;
  private readonly retryAfterMs: number;
  private readonly now: () => number;
  private browser: Promise<ChartRenderer> | null = null;
  private retryAt = 0;
  private logged = false;

  constructor(chartjs: ChartJsRenderer, options: SelectingRendererOptions) {
    this.chartjs = chartjs;
    this.openBrowser = options.openBrowser;
    this.log = options.log ?? (() => {});
    this.retryAfterMs = options.retryAfterMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  private fellBack(reason: string): void {
    if (this.logged) return;
    this.logged = true;
    this.log(JSON.stringify({ event: 'renderer_fallback', requested: 'browser', drawnBy: this.chartjs.name, reason }));
  }

  private browserNow(): Promise<ChartRenderer> | null {
    if (!this.openBrowser || this.now() < this.retryAt) return null;
    this.browser ??= this.openBrowser();
    return this.browser;
  }

  async render(req: ChartRequest): Promise<RenderedChart> {
    if (req.options.renderer !== 'browser') return this.chartjs.render(req);
    const browser = this.browserNow();
    if (!browser) {
      this.fellBack(this.openBrowser ? 'Chromium did not start; the next try is later' : 'Chromium is not installed (CHROMIUM_PATH names another binary)');
      return this.chartjs.render(req);
    }
    try {
      const chart = await (await browser).render(req);
      this.logged = false;
      return chart;
    } catch (err) {
      const e = err as Error;
      if (e.name === 'BrowserUnavailableError' || !(await browser.then(() => true, () => false))) {
        // It did not start: leave it for a while rather than paying a failed launch per request.
        this.retryAt = this.now() + this.retryAfterMs;
        this.browser = null;
        void browser.then((b) => b.close()).catch(() => {});
      }
      this.fellBack(e.message);
      return this.chartjs.render(req);
    }
  }

  renderLineChart(req: LineChartRequest): Promise<RenderedChart> {
    return this.chartjs.renderLineChart(req);
  }

  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    await Promise.all([this.chartjs.close(), browser?.then((b) => b.close()).catch(() => {})]);
  }
}

export interface ChartRendererOptions {
  /** Where to look for Chromium (CHROMIUM_PATH); default: this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Tabs of the warm browser (charts drawn at once); default 2. */
  browserPages?: number;
  log?: (msg: string) => void;
}

/** The default chart renderer (Chart.js on node-canvas). Kept apart so a thread can load only this. */
export function createChartRenderer(): ChartRenderer & LineChartRenderer {
  return new ChartJsRenderer();
}

/**
 * The renderer of a service (what the root builds): Chart.js, and for `renderer: 'browser'` one
 * warm Chromium started on first use (its module is loaded only then); Chart.js, with a logged
 * fallback, when there is no Chromium or it does not start.
 */
export function createSelectingRenderer(options: ChartRendererOptions = {}): SelectingRenderer {
  const env = options.env ?? process.env;
  const executablePath = findChromium(env);
  const openBrowser = executablePath
    ? async () => {
        const { BrowserRenderer } = await import('../../renderers/browser/browser-renderer.ts');
        return new BrowserRenderer({ executablePath, pages: options.browserPages });
      }
    : null;
  return new SelectingRenderer(new ChartJsRenderer(), { openBrowser, log: options.log });
}

/**
 * The renderer of a prepare worker thread: Chart.js, with `renderer: 'browser'` charts handed to
 * `browser` (the main process's warm browser, over the pool's messages) so no thread starts a
 * Chromium of its own. Without `browser` those charts are drawn by Chart.js.
 */
export function createThreadRenderer(browser?: ChartRenderer): ChartRenderer & LineChartRenderer {
  return new SelectingRenderer(new ChartJsRenderer(), { openBrowser: browser ? () => Promise.resolve(browser) : null, retryAfterMs: 0 });
}

/** The worker-thread entry that prepares charts for the pool (see adapters/workers/prepare-pool.ts). */
export const PREPARE_THREAD_URL = new URL('../entry/threads/prepare-thread.ts', import.meta.url);
