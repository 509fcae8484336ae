import { createHash, randomUUID } from 'node:crypto';
import type { Analysis, ProviderInfo } from '../core/analysis/analysis.ts';
import type { AnalyzerId } from '../core/analysis/analyzer-id.ts';
import { assembleAnalysis } from '../core/analysis/assemble-analysis.ts';
import type { NewsItem } from '../core/analysis/news.ts';
import type { BuiltPrompt } from '../core/analysis/prompt-text.ts';
import type { VerificationFacts } from '../core/analysis/verify.ts';
import { AppError, DEGRADED_MESSAGES, type UpstreamCode } from '../core/errors.ts';
import type { Candle } from '../core/market/candles.ts';
import type { MarketFacts, MarketStreams } from '../core/market/facts.ts';
import type { ChartOptions } from '../core/scene/chart-options.ts';
import { calibrationMapId } from '../core/analysis/calibration.ts';
import type { AnalysisStore } from '../ports/analysis-store.ts';
import { type Analyzer, AnalyzerFailure, type AnalyzerInput, type AnalyzerRegistry, type AnalyzerResult } from '../ports/analyzer.ts';
import type { CalibrationMaps } from '../ports/calibration-maps.ts';
import type { ChartPreparer } from '../ports/chart-preparer.ts';
import type { ChartRenderer } from '../ports/chart-renderer.ts';
import type { ImageNormalizer } from '../ports/image-normalizer.ts';
import type { PromptBuilder } from '../ports/prompt-templates.ts';
import { type DigitizeDeps, digitizeChart } from './digitize-chart.ts';
import { chartFacts, prepareChart } from './prepare-chart.ts';

/** One analysis request, already validated. */
export interface AnalyzeCommand {
  symbol: string | null;
  timeframe: string | null;
  candles: Candle[] | null;
  /** Uploaded image bytes, not yet checked. */
  image: Buffer | null;
  news: NewsItem[];
  analyzer: AnalyzerId | null;
  model: string | null;
  chart: ChartOptions;
  /** The request as received (without image bytes), for the audit trail. */
  request: unknown;
  /**
   * Streams already computed over a longer series whose first bars are `candles` (a replay computes
   * them once). They are causal, so reading them at the last bar of `candles` sees nothing later.
   */
  streams?: MarketStreams;
}

/** A structured log event (the upstream's own words about a failure go here, never to the caller). */
export type AnalyzeLog = (event: string, fields: Record<string, unknown>) => void;

export interface AnalyzeDeps {
  renderer: ChartRenderer;
  analyzers: AnalyzerRegistry;
  store: AnalysisStore;
  images: ImageNormalizer;
  prompts: PromptBuilder;
  deadlineMs: number;
  /** Facts and chart rendering off the main thread (a worker pool); default: in this thread. */
  preparer?: ChartPreparer;
  /** Reads an uploaded chart back to candles when no OHLCV came with it; absent: the image is not read. */
  digitize?: DigitizeDeps;
  /** Fitted calibration maps; without them (or without a map for the analyzer) confidence is the policy's. */
  calibration?: CalibrationMaps;
  /**
   * A fingerprint of the code and data that make an answer (rules, policy, verification, prompts,
   * maps): part of the cache key, so a changed engine never serves answers of the old one.
   */
  engine?: string;
  log?: AnalyzeLog;
  now?: () => number;
  newId?: () => string;
}

interface Prepared {
  png: Buffer;
  width: number;
  height: number;
  sha256: string;
  renderer: string;
  facts: MarketFacts | null;
  verify: VerificationFacts | null;
  chartRange: { start: string; end: string; bars: number } | null;
  /** Bars read back from the uploaded image (when no OHLCV came with it). */
  recoveredBars: number | null;
}

/** Fewer bars than this read back from an image give no facts worth checking claims against. */
const MIN_RECOVERED_BARS = 20;
const DAY_MS = 86_400_000;

/**
 * An upload without OHLCV: read its candles back from the pixels, compute the facts on them, and
 * mark the facts (and the verification) as coming from the image, with its measured price error.
 */
async function factsFromImage(deps: AnalyzeDeps, cmd: AnalyzeCommand, image: Buffer): Promise<Pick<Prepared, 'facts' | 'verify' | 'chartRange' | 'recoveredBars'>> {
  const none = { facts: null, verify: null, chartRange: null, recoveredBars: null };
  if (!deps.digitize) return none;
  const { digitization: d } = await digitizeChart(deps.digitize, image);
  if (d.candles.length < MIN_RECOVERED_BARS || d.priceError === null) {
    deps.log?.('digitize_insufficient', { bars: d.candles.length, warnings: d.warnings });
    return { ...none, recoveredBars: d.candles.length };
  }
  const datesRead = d.candles.every((c) => c.time !== null);
  // Without legible dates the bars get consecutive days from an arbitrary start, for the maths only.
  const candles: Candle[] = d.candles.map((c, i) => ({
    time: datesRead && c.time ? Date.parse(c.time) : Date.UTC(2000, 0, 3) + i * DAY_MS,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
  }));
  const market = chartFacts({ candles, chart: cmd.chart, symbol: cmd.symbol, timeframe: cmd.timeframe, from: 0 });
  const digitization = { confidence: d.confidence, priceError: d.priceError, bars: candles.length, datesRead };
  return {
    facts: { ...market.facts, fromImage: true, digitization },
    verify: { ...market.verify, fromImage: { priceError: d.priceError, datesRead } },
    chartRange: market.chartRange,
    recoveredBars: candles.length,
  };
}

/** What answered, or was meant to: the analyzer asked, and why the rules stand in if they do. */
interface Route {
  analyzer: Analyzer;
  model: string | null;
  /** Set when the requested analyzer is not configured: the rules answer instead. */
  missing: UpstreamCode | null;
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Step 1: facts from the candles, and the image the model will see (the upload, or a rendered chart). */
async function prepareInputs(deps: AnalyzeDeps, cmd: AnalyzeCommand): Promise<Prepared> {
  const candles = cmd.candles;
  if (cmd.image) {
    const img = await deps.images.normalize(cmd.image);
    if (!candles) return { ...img, renderer: 'upload', ...(await factsFromImage(deps, cmd, cmd.image)) };
    // An uploaded chart is taken to show all the OHLCV sent with it.
    const market = chartFacts({ candles, chart: cmd.chart, symbol: cmd.symbol, timeframe: cmd.timeframe, from: 0 });
    return { ...img, renderer: 'upload', facts: market.facts, verify: market.verify, chartRange: market.chartRange, recoveredBars: null };
  }
  if (!candles) throw new AppError('invalid_request', 'Send OHLCV data (candles or csv), an image, or both');
  const req = { candles, chart: cmd.chart, symbol: cmd.symbol, timeframe: cmd.timeframe, streams: cmd.streams };
  // Precomputed streams live in this thread; only a fresh request can go to a worker pool.
  const prepared = await (cmd.streams || !deps.preparer ? prepareChart(deps.renderer, req) : deps.preparer.prepare(req));
  return { ...prepared, recoveredBars: null };
}

/** Step 2: the analyzer the request names (or the default), or the rules when it is not configured. */
function chooseAnalyzer(registry: AnalyzerRegistry, cmd: AnalyzeCommand): Route {
  const id = cmd.analyzer ?? registry.defaultId;
  const analyzer = registry.get(id);
  if (!analyzer) return { analyzer: registry.fallback, model: null, missing: 'llm_not_configured' };
  return { analyzer, model: analyzer.modelFor({ model: cmd.model ?? undefined }) ?? cmd.model, missing: null };
}

/**
 * An identical request (image bytes, facts, symbol, timeframe, news, prompt version, analyzer,
 * model) shares this key. Symbol and timeframe are in the prompt and echoed in the answer, and an
 * uploaded image does not show them, so they must be part of the key. So are the engine's
 * fingerprint and the calibration map (id@version) when there is one: a stored answer of older
 * rules, policy or verification, or calibrated by another map, is not this request's answer.
 */
export function cacheKeyFor(parts: {
  imageSha256: string;
  facts: MarketFacts | null;
  symbol: string | null;
  timeframe: string | null;
  news: NewsItem[];
  promptVersion: string;
  analyzer: string;
  model: string | null;
  engine?: string;
  calibration?: string;
}): string {
  return sha256(JSON.stringify({ v: 2, ...parts }));
}

/** A stored answer to the same request, marked as a free cache hit. */
async function fromCache(deps: AnalyzeDeps, cacheKey: string, latencyMs: () => number): Promise<Analysis | null> {
  const hit = await deps.store.findByCacheKey(cacheKey);
  if (!hit) return null;
  const provider = { ...hit.analysis.provider, cached: true, latencyMs: latencyMs(), usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 }, costUsd: 0, attempts: 0 };
  return { ...hit.analysis, provider };
}

/**
 * Step 3: ask the analyzer. When it fails for good upstream (or is not configured), the rules
 * answer and the result is marked degraded with the code; the caller cannot fix an upstream failure.
 */
async function askAnalyzer(deps: AnalyzeDeps, route: Route, input: AnalyzerInput): Promise<{ result: AnalyzerResult; answeredBy: Analyzer; degraded: UpstreamCode | null }> {
  if (route.missing) return { result: await deps.analyzers.fallback.analyze(input), answeredBy: deps.analyzers.fallback, degraded: route.missing };
  try {
    return { result: await route.analyzer.analyze(input), answeredBy: route.analyzer, degraded: null };
  } catch (err) {
    if (!(err instanceof AnalyzerFailure)) throw err;
    deps.log?.('analyzer_failed', { analyzer: route.analyzer.id, model: route.model, code: err.code, upstream: err.upstreamDetail });
    const fallback = await deps.analyzers.fallback.analyze(input);
    return { result: { ...fallback, ...err.spent }, answeredBy: deps.analyzers.fallback, degraded: err.code };
  }
}

function providerInfo(answer: Awaited<ReturnType<typeof askAnalyzer>>, prompt: BuiltPrompt, latencyMs: number): ProviderInfo {
  const { result, answeredBy, degraded } = answer;
  return {
    analyzer: answeredBy.id,
    kind: answeredBy.kind,
    model: degraded ? null : result.model,
    promptVersion: prompt.version,
    latencyMs,
    usage: result.usage,
    costUsd: result.costUsd,
    cached: false,
    degraded: degraded ? { code: degraded, message: DEGRADED_MESSAGES[degraded] } : false,
    degradedReason: degraded ? `${degraded}: ${DEGRADED_MESSAGES[degraded]}` : null,
    attempts: result.attempts,
    structuredOutput: result.structuredOutput,
    ...(result.image ? { image: { width: result.image.width, height: result.image.height, detail: result.image.detail, tokens: result.image.tokens, sha256: result.image.sha256 } } : {}),
    ...(result.estimate ? { estimate: result.estimate } : {}),
  };
}

/**
 * The analysis story: prepare facts and image, choose the analyzer, answer from the cache if this
 * exact request was answered before, otherwise ask the analyzer (the rules stand in if it fails for
 * good), verify every claim and apply the policy, store the audit record and return the analysis.
 */
export async function analyzeChart(deps: AnalyzeDeps, cmd: AnalyzeCommand): Promise<Analysis> {
  const now = deps.now ?? Date.now;
  const started = now();
  const prepared = await prepareInputs(deps, cmd);
  const prompt = deps.prompts.build({ facts: prepared.facts, symbol: cmd.symbol, timeframe: cmd.timeframe, chartRange: prepared.chartRange, news: cmd.news });
  const route = chooseAnalyzer(deps.analyzers, cmd);
  const asked = route.missing ? (cmd.analyzer ?? deps.analyzers.defaultId) : route.analyzer.id;
  const askedMap = deps.calibration?.find({ analyzer: asked, model: route.model ?? null, promptVersion: prompt.version }) ?? null;
  const cacheKey = cacheKeyFor({
    imageSha256: prepared.sha256,
    facts: prepared.facts,
    symbol: cmd.symbol,
    timeframe: cmd.timeframe,
    news: cmd.news,
    promptVersion: prompt.version,
    analyzer: asked,
    model: route.model ?? null,
    ...(deps.engine ? { engine: deps.engine } : {}),
    ...(askedMap ? { calibration: `${calibrationMapId(askedMap)}@${askedMap.version}` } : {}),
  });
  const cached = await fromCache(deps, cacheKey, () => now() - started);
  if (cached) return cached;

  const image = { png: prepared.png, width: prepared.width, height: prepared.height, sha256: prepared.sha256 };
  const input: AnalyzerInput = { image, facts: prepared.facts, symbol: cmd.symbol, timeframe: cmd.timeframe, news: cmd.news, prompt, model: cmd.model ?? undefined, deadline: started + deps.deadlineMs };
  const answer = await askAnalyzer(deps, route, input);
  // The map of whoever answered: the rules' own when they stood in for a model.
  const answerModel = answer.degraded ? null : answer.result.model;
  const calibration = deps.calibration?.find({ analyzer: answer.answeredBy.id, model: answerModel, promptVersion: prompt.version }) ?? null;

  const analysis = assembleAnalysis(answer.result.output, {
    id: (deps.newId ?? randomUUID)(),
    createdAt: new Date(started).toISOString(),
    symbol: cmd.symbol,
    timeframe: cmd.timeframe,
    input: {
      source: cmd.image ? (cmd.candles ? 'image+ohlcv' : 'image') : 'ohlcv',
      bars: cmd.candles?.length ?? prepared.recoveredBars,
      imageSha256: prepared.sha256,
      chart: { width: prepared.width, height: prepared.height, renderer: prepared.renderer },
      newsCount: cmd.news.length,
    },
    facts: prepared.facts,
    verify: prepared.verify,
    provider: providerInfo(answer, prompt, now() - started),
    calibration,
  });
  // The stored chart is the image the model saw: the analyzer's re-size when it made one
  // (provider.image.sha256 is its hash). input.imageSha256 stays the prepared image's, the one
  // the cache key is made of, so the same request still finds its answer.
  const seen = answer.result.image?.png ?? prepared.png;
  await deps.store.save({ id: analysis.id, createdAt: analysis.createdAt, cacheKey, analysis, request: cmd.request, prompt, rawOutput: answer.result.raw, image: seen });
  return analysis;
}
