import { mkdirSync } from 'node:fs';
import { fileTemplates } from '../../prompts/loader.ts';
import { fileReportWriter } from '../adapters/files/backtest-report.ts';
import type { MarketSources } from '../ports/market-data.ts';
import { buildMarketSources } from './market-data.ts';
import { fileCalibrationMaps } from '../adapters/files/calibration-maps.ts';
import { LocalRulesAnalyzer } from '../adapters/analyzers/local-rules-analyzer.ts';
import { OpenAIAnalyzer } from '../adapters/analyzers/openai-analyzer.ts';
import { sharpImageNormalizer } from '../adapters/images/sharp-images.ts';
import { openAnalysisStore } from '../adapters/store/pg-store.ts';
import { PreparePool } from '../adapters/workers/prepare-pool.ts';
import type { AnalysisStore } from '../ports/analysis-store.ts';
import { type Analyzer, analyzerRegistry, type AnalyzerRegistry } from '../ports/analyzer.ts';
import type { CalibrationMaps } from '../ports/calibration-maps.ts';
import type { ChartPreparer } from '../ports/chart-preparer.ts';
import type { ChartRenderer, LineChartRenderer } from '../ports/chart-renderer.ts';
import type { BacktestReportWriter } from '../ports/report-writer.ts';
import type { AnalyzeDeps, AnalyzeLog } from '../use-cases/analyze-chart.ts';
import { createSelectingRenderer, PREPARE_THREAD_URL } from './chart-renderer.ts';
import { engineFingerprint, rendererFingerprint } from './engine-fingerprint.ts';
import { closeDigitizer, createDigitizer } from './digitize.ts';
import type { DigitizeDeps } from '../use-cases/digitize-chart.ts';
import { startPurgeTimer } from '../use-cases/purge-analyses.ts';
import type { Config } from './config.ts';
import { createJobs, type Jobs, type JobsOptions } from './jobs.ts';

export interface Services {
  config: Config;
  renderer: ChartRenderer & LineChartRenderer;
  store: AnalysisStore;
  analyzers: AnalyzerRegistry;
  analyze: AnalyzeDeps;
  /** Writes replay reports (decisions.csv, metrics.json, equity.png, report.html). */
  reports: BacktestReportWriter;
  /** Market-data sources by name (`csv`, `yahoo`, ccxt exchanges) and the default one. */
  market: MarketSources;
  /** Reading charts back from their pixels; the OCR engine starts on first use (or `warm()`). */
  digitize: DigitizeDeps;
  /** The job queue (pg-boss on the store's PGlite, or PostgreSQL) and this process's workers; starts on first use. */
  jobs: Jobs;
  log: (msg: string) => void;
  close(): Promise<void>;
}

/** What a caller may hand in instead of having it built (tests share one in-memory store per file). */
export interface ServiceOverrides {
  store?: AnalysisStore;
  renderer?: ChartRenderer & LineChartRenderer;
  /** Wrap each analyzer (a batch run rate-limits the model calls). */
  wrapAnalyzer?: (a: Analyzer) => Analyzer;
  /** Worker threads for facts and charts; default: config.workers. */
  workers?: number;
  /** The calibration maps; default: those of calibration/ (null: none, confidence as the policy makes it). */
  calibration?: CalibrationMaps | null;
  /** The clock the remote market-data sources read "the last N bars" by (tests replaying fixed fixtures). */
  marketNow?: () => number;
  /** This process's job workers (`chartlens worker` sets its --concurrency); default: CHARTLENS_JOB_WORKERS. */
  jobs?: JobsOptions;
}

/** A pool of worker threads that prepare facts and charts off the calling thread. */
export function createPreparePool(size: number, mainRenderer?: ChartRenderer): ChartPreparer {
  return new PreparePool(PREPARE_THREAD_URL, size, { mainRenderer });
}

function analyzersFor(config: Config, wrap: (a: Analyzer) => Analyzer): AnalyzerRegistry {
  const local = new LocalRulesAnalyzer();
  const llms = config.openai ? [wrap(new OpenAIAnalyzer(config.openai))] : [];
  return analyzerRegistry(llms, local, config.defaultAnalyzer);
}

/**
 * The composition root: the only place that builds adapters. Every profile (server, cli, batch,
 * slack, bench) starts here with its config; what it overrides is passed in, never built elsewhere.
 */
export async function buildServices(config: Config, overrides: ServiceOverrides = {}): Promise<Services> {
  const log = config.log === 'silent' ? () => {} : (msg: string) => console.error(msg);
  const analyzeLog: AnalyzeLog = (event, fields) => log(JSON.stringify({ event, ...fields }));
  // Read first: a broken map file stops start-up before anything is opened.
  const calibration = overrides.calibration === undefined ? fileCalibrationMaps() : overrides.calibration;
  const ownRenderer = !overrides.renderer;
  const renderer = overrides.renderer ?? createSelectingRenderer({ log });
  const ownStore = !overrides.store;
  if (ownStore && !config.databaseUrl && config.dataDir !== ':memory:') mkdirSync(config.dataDir, { recursive: true });
  const store = overrides.store ?? (await openAnalysisStore({ databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir }));
  // CHARTLENS_RETENTION_DAYS: purged now and hourly while this process runs (the timer does not keep it alive).
  const purge = config.retentionDays === null ? null : startPurgeTimer(store, config.retentionDays, { log: analyzeLog });
  const workers = overrides.workers ?? config.workers;
  const pool = workers > 0 ? createPreparePool(workers, renderer) : undefined;
  const analyzers = analyzersFor(config, overrides.wrapAnalyzer ?? ((a) => a));
  const analyze: AnalyzeDeps = {
    renderer,
    analyzers,
    store,
    images: sharpImageNormalizer({ maxBytes: config.maxImageBytes, maxInputPixels: config.maxImagePixels }),
    prompts: fileTemplates(),
    deadlineMs: config.deadlineMs,
    preparer: pool,
    log: analyzeLog,
    engine: engineFingerprint(),
    rendererVersion: rendererFingerprint(),
  };
  if (calibration) analyze.calibration = calibration;
  const digitize = createDigitizer(config, analyzeLog);
  analyze.digitize = digitize;
  const market = buildMarketSources(config, { now: overrides.marketNow });
  const jobs = createJobs(config, { analyze, market, log, analyzeLog }, overrides.jobs);
  return {
    config,
    renderer,
    store,
    analyzers,
    analyze,
    reports: fileReportWriter(renderer),
    market,
    digitize,
    jobs,
    log,
    async close() {
      // First: the workers finish (or give back) their jobs while the store is still open.
      await jobs.close();
      await closeDigitizer(digitize);
      await pool?.close();
      await purge?.stop();
      if (ownRenderer) await renderer.close();
      if (ownStore) await store.close();
    },
  };
}
