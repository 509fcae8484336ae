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
  /**
   * Runs the wait on a language model with the caller's admission slot given up meanwhile (the
   * HTTP layer caps CPU work, and a model's seconds of waiting use none); absent: just runs it.
   */
  whileWaiting?: <T>(work: () => Promise<T>) => Promise<T>;
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
  /**
   * The version of the renderer's code and libraries: part of the cache key of a rendered chart,
   * which no longer hashes the PNG (a hit renders nothing), so a changed renderer must change the key.
   */
  rendererVersion?: string;
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

/** What the cache key of an analysis is made of: the inputs, never anything computed from them. */
export interface CacheKeyParts {
  source: 'ohlcv' | 'image' | 'image+ohlcv';
  /** candlesSha256 of the OHLCV, null without any. */
  candles: string | null;
  /** SHA-256 of the uploaded image's bytes as received, null when the chart is rendered. */
  image: string | null;
  /** The chart options: with the candles and the renderer they make the PNG and the window verified. */
  chart: ChartOptions;
  /** The renderer's version when a chart is rendered (null for an upload, or when unknown). */
  renderer: string | null;
  /** An upload without OHLCV: whether its candles are read back from the pixels (then facts exist). */
  digitize: boolean;
  symbol: string | null;
  timeframe: string | null;
  news: NewsItem[];
  promptVersion: string;
  analyzer: string;
  model: string | null;
  engine?: string;
  calibration?: string;
}

/**
 * An identical request shares this key, and it is made of the inputs only (the candles' hash, the
 * uploaded image's hash, the chart options, the renderer and prompt versions, analyzer, model,
 * news, symbol, timeframe), so a hit computes no facts and renders no chart. The facts and the PNG
 * are functions of these and of the engine's fingerprint (the core, prompts and maps) and the
 * renderer's version, both in the key. Symbol and timeframe are in the prompt and echoed in the
 * answer, and an uploaded image does not show them. The calibration map (id@version) is in it
 * when there is one: an answer calibrated by another map is not this request's answer.
 */
export function cacheKeyFor(parts: CacheKeyParts): string {
  return sha256(JSON.stringify({ v: 3, ...parts }));
}

/** A hash of the candles' values (time, open, high, low, close, volume as 64-bit floats; no volume: NaN). */
export function candlesSha256(candles: readonly Candle[]): string {
  const values = new Float64Array(candles.length * 6);
  for (let i = 0; i < candles.length; i++) {
    const c = candles[i];
    values.set([c.time, c.open, c.high, c.low, c.close, c.volume ?? Number.NaN], i * 6);
  }
  return sha256(Buffer.from(values.buffer));
}

/** The prompt version a builder writes (its template's), asked once per builder: the key needs it before any facts exist. */
const promptVersions = new WeakMap<PromptBuilder, string>();
function promptVersionOf(prompts: PromptBuilder): string {
  let version = promptVersions.get(prompts);
  if (version === undefined) {
    version = prompts.build({ facts: null, symbol: null, timeframe: null, chartRange: null, news: [] }).version;
    promptVersions.set(prompts, version);
  }
  return version;
}

/** A stored answer to the same request, marked as a free cache hit. */
async function fromCache(deps: AnalyzeDeps, cacheKey: string, latencyMs: () => number): Promise<Analysis | null> {
  // The analysis alone when the store can read just that (no image, no request, no prompt).
  const hit = deps.store.findCachedAnalysis ? await deps.store.findCachedAnalysis(cacheKey) : ((await deps.store.findByCacheKey(cacheKey))?.analysis ?? null);
  if (!hit) return null;
  const provider = { ...hit.provider, cached: true, latencyMs: latencyMs(), usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 }, costUsd: 0, attempts: 0 };
  return { ...hit, provider };
}

/**
 * Step 3: ask the analyzer. When it fails for good upstream (or is not configured), the rules
 * answer and the result is marked degraded with the code; the caller cannot fix an upstream failure.
 */
async function askAnalyzer(
  deps: AnalyzeDeps,
  route: Route,
  input: AnalyzerInput,
  whileWaiting: AnalyzeCommand['whileWaiting'],
): Promise<{ result: AnalyzerResult; answeredBy: Analyzer; degraded: UpstreamCode | null }> {
  if (route.missing) return { result: await deps.analyzers.fallback.analyze(input), answeredBy: deps.analyzers.fallback, degraded: route.missing };
  try {
    // Only a model's call is a wait; the rules are CPU work and keep their slot.
    const ask = () => route.analyzer.analyze(input);
    const result = route.analyzer.kind === 'llm' && whileWaiting ? await whileWaiting(ask) : await ask();
    return { result, answeredBy: route.analyzer, degraded: null };
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
  if (!cmd.image && !cmd.candles) throw new AppError('invalid_request', 'Send OHLCV data (candles or csv), an image, or both');
  const route = chooseAnalyzer(deps.analyzers, cmd);
  const asked = route.missing ? (cmd.analyzer ?? deps.analyzers.defaultId) : route.analyzer.id;
  const source = cmd.image ? (cmd.candles ? 'image+ohlcv' : 'image') : 'ohlcv';
  const inputs = {
    source,
    candles: cmd.candles ? candlesSha256(cmd.candles) : null,
    image: cmd.image ? sha256(cmd.image) : null,
    chart: cmd.chart,
    renderer: cmd.image ? null : (deps.rendererVersion ?? null),
    digitize: source === 'image' && deps.digitize !== undefined,
  } as const;
  const keyFor = (promptVersion: string): string => {
    const askedMap = deps.calibration?.find({ analyzer: asked, model: route.model ?? null, promptVersion }) ?? null;
    return cacheKeyFor({
      ...inputs,
      symbol: cmd.symbol,
      timeframe: cmd.timeframe,
      news: cmd.news,
      promptVersion,
      analyzer: asked,
      model: route.model ?? null,
      ...(deps.engine ? { engine: deps.engine } : {}),
      ...(askedMap ? { calibration: `${calibrationMapId(askedMap)}@${askedMap.version}` } : {}),
    });
  };
  // Looked up before any facts or chart exist: a hit computes neither.
  const keyedVersion = promptVersionOf(deps.prompts);
  const cached = await fromCache(deps, keyFor(keyedVersion), () => now() - started);
  if (cached) return cached;

  const prepared = await prepareInputs(deps, cmd);
  const prompt = deps.prompts.build({ facts: prepared.facts, symbol: cmd.symbol, timeframe: cmd.timeframe, chartRange: prepared.chartRange, news: cmd.news });
  // A builder whose version depends on the request is not expected; if one is, the answer is stored under the version it wrote.
  const cacheKey = keyFor(prompt.version);

  const image = { png: prepared.png, width: prepared.width, height: prepared.height, sha256: prepared.sha256 };
  const input: AnalyzerInput = { image, facts: prepared.facts, symbol: cmd.symbol, timeframe: cmd.timeframe, news: cmd.news, prompt, model: cmd.model ?? undefined, deadline: started + deps.deadlineMs };
  const answer = await askAnalyzer(deps, route, input, cmd.whileWaiting);
  // The map of whoever answered: the rules' own when they stood in for a model.
  const answerModel = answer.degraded ? null : answer.result.model;
  const calibration = deps.calibration?.find({ analyzer: answer.answeredBy.id, model: answerModel, promptVersion: prompt.version }) ?? null;

  const analysis = assembleAnalysis(answer.result.output, {
    id: (deps.newId ?? randomUUID)(),
    createdAt: new Date(started).toISOString(),
    symbol: cmd.symbol,
    timeframe: cmd.timeframe,
    input: {
      source,
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
