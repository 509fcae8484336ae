import type { Express } from 'express';
import { BrowserRenderer } from '../../renderers/browser/browser-renderer.ts';
import { findChromium } from '../../renderers/browser/chromium.ts';
import { LIGHTWEIGHT_CHARTS_VERSION } from '../../renderers/browser/page.ts';
import { bgraToRgbaInPlace, ChartJsRenderer } from '../../renderers/chartjs/chartjs-renderer.ts';
import { folderInputSource } from '../adapters/files/folder-inputs.ts';
import { ResultsFile } from '../adapters/files/results-file.ts';
import type { AnalyzerId } from '../core/analysis/analyzer-id.ts';
import type { ChartRequest } from '../core/scene/chart-options.ts';
import { createApp } from '../entry/http/create-app.ts';
import type { Analyzer } from '../ports/analyzer.ts';
import type { ChartPreparer } from '../ports/chart-preparer.ts';
import type { ChartRenderer, LineChartRenderer } from '../ports/chart-renderer.ts';
import type { AnalyzeDeps } from '../use-cases/analyze-chart.ts';
import { inProcessTarget } from '../use-cases/score-targets.ts';
import { type Batch, inProcessBatch } from './batch.ts';
import { SelectingRenderer } from './chart-renderer.ts';
import { type Config, loadConfig } from './config.ts';
import { buildServices, type Services } from './root.ts';

// The bench profiles (bench/render.ts, bench/batch.ts). The benches may not import adapters,
// renderers or entry points, so what they time is built here, the same way the other profiles
// build it, with the few hooks a benchmark needs (raw pixels, a shared worker pool, stage timers).

/** The default renderer with its raw-pixel step exposed, so a bench can split draw from encode. */
export interface BenchRenderer extends ChartRenderer, LineChartRenderer {
  /** Draw to opaque RGBA pixels, without the PNG encode (synchronous). */
  drawRgba(req: ChartRequest): Buffer;
}

/** The browser renderer, with the Chromium version its pixels come from. */
export interface BenchBrowserRenderer extends ChartRenderer {
  /** Chromium's version string (starts the browser when it is not running). */
  version(): Promise<string>;
}

export interface RenderBench {
  renderer: BenchRenderer;
  /**
   * A new browser renderer (lightweight-charts in Chromium, `pages` tabs), not started: its first
   * render starts the browser. Null when there is no Chromium. The caller closes it.
   */
  browserRenderer: ((pages?: number) => BenchBrowserRenderer) | null;
  /** The lightweight-charts version the browser renderer loads. */
  lightweightChartsVersion: string;
  /** Cairo's premultiplied BGRA to RGBA, in place: the conversion inside `drawRgba`. */
  bgraToRgbaInPlace: (raw: Buffer) => Buffer;
  /**
   * The HTTP app as the server builds it (createApp), without analysis: the market endpoints. Its
   * renderer draws `chart.renderer: 'browser'` requests with one warm browser, as the server does.
   */
  app: Express;
  config: Config;
  close(): Promise<void>;
}

/**
 * The render bench profile. `config` defaults to the built-in defaults (not this process's
 * environment, so a stray CHARTLENS_API_KEYS does not turn every request into a 401).
 */
export function renderBenchProfile(config: Config = loadConfig({ CHARTLENS_LOG: 'silent' })): RenderBench {
  // The same parts createSelectingRenderer() puts together, kept in hand so each can be timed alone.
  const renderer = new ChartJsRenderer();
  const executablePath = findChromium();
  const browserRenderer = executablePath ? (pages?: number) => new BrowserRenderer({ executablePath, pages }) : null;
  const served = new SelectingRenderer(renderer, { openBrowser: browserRenderer ? () => Promise.resolve(browserRenderer()) : null });
  const app = createApp({ config, renderer: served, log: () => {} });
  return { renderer, browserRenderer, lightweightChartsVersion: LIGHTWEIGHT_CHARTS_VERSION, bgraToRgbaInPlace, app, config, close: () => served.close() };
}

export interface BenchBatchOptions {
  config: Config;
  /** The folder of inputs (not recursive). */
  dir: string;
  /** The jsonl results file, overwritten; never scored as an input. */
  out: string;
  analyzer: AnalyzerId | null;
  model: string | null;
  /**
   * Facts and charts off the main thread: a pool the bench keeps across runs (createPreparePool),
   * so each timed run does not pay for starting threads. Absent: on the main thread.
   */
  preparer?: ChartPreparer;
  /** Wrap each analyzer (stage timers). */
  wrapAnalyzer?: (a: Analyzer) => Analyzer;
  /** Wrap the analysis dependencies before the target is built (stage timers on renderer and store). */
  wrapDeps?: (deps: AnalyzeDeps) => AnalyzeDeps;
}

export interface BenchBatch extends Batch {
  services: Services;
}

/**
 * The batch bench profile: what openBatch builds for an in-process run (folder source, jsonl
 * results file, services, in-process target), with the pool and the wrappers handed in. The
 * services' store follows config.dataDir / config.databaseUrl. close() closes the results file
 * and the services, not the preparer (the caller owns it).
 */
export async function openBenchBatch(o: BenchBatchOptions): Promise<BenchBatch> {
  const source = folderInputSource(o.dir, { recursive: false, exclude: [o.out] });
  const results = ResultsFile.open(o.out, 'jsonl', 'overwrite');
  return inProcessBatch(
    source,
    results,
    () => buildServices(o.config, { workers: 0, wrapAnalyzer: o.wrapAnalyzer }),
    (services) => {
      const deps: AnalyzeDeps = { ...services.analyze, preparer: o.preparer };
      return inProcessTarget(o.wrapDeps ? o.wrapDeps(deps) : deps, { analyzer: o.analyzer, model: o.model });
    },
  );
}
