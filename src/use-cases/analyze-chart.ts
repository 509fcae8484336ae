import { createHash, randomUUID } from 'node:crypto';
import { buildPrompt } from '../../prompts/loader.ts';
import { AnalyzerFailure } from '../adapters/analyzers/openai-analyzer.ts';
import { normalizeChartImage } from '../adapters/images/sharp-images.ts';
import { type Analysis, DISCLAIMER, type ProviderInfo } from '../core/analysis/analysis.ts';
import type { NewsItem } from '../core/analysis/news.ts';
import { applyPolicy, normalizeOutput } from '../core/analysis/policy.ts';
import { summarize, type VerificationFacts, verifyClaims } from '../core/analysis/verify.ts';
import { AppError } from '../core/errors.ts';
import type { Candle } from '../core/market/candles.ts';
import type { MarketFacts, MarketStreams } from '../core/market/facts.ts';
import type { AnalysisStore } from '../ports/analysis-store.ts';
import type { Analyzer, AnalyzerResult } from '../ports/analyzer.ts';
import type { ChartOptions, ChartRenderer } from '../ports/chart-renderer.ts';
import { type ChartPreparer, chartFacts, prepareChart } from './prepare-chart.ts';

export type AnalyzerChoice = 'local' | 'openai';

/** One analysis request, already validated. */
export interface AnalyzeCommand {
  symbol: string | null;
  timeframe: string | null;
  candles: Candle[] | null;
  /** Uploaded image bytes, not yet checked. */
  image: Buffer | null;
  news: NewsItem[];
  analyzer: AnalyzerChoice | null;
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

export interface AnalyzeDeps {
  renderer: ChartRenderer;
  local: Analyzer;
  /** Null when no OpenAI-compatible endpoint is configured. */
  openai: Analyzer | null;
  store: AnalysisStore;
  defaultAnalyzer: AnalyzerChoice;
  deadlineMs: number;
  imageLimits: { maxBytes: number; maxInputPixels: number };
  /** Facts and chart rendering off the main thread (a worker pool); default: in this thread. */
  preparer?: ChartPreparer;
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
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** Facts from the candles, and the image the model will see (the upload, or a rendered chart). */
async function prepare(deps: AnalyzeDeps, cmd: AnalyzeCommand): Promise<Prepared> {
  const candles = cmd.candles;
  if (cmd.image) {
    // An uploaded chart is taken to show all the OHLCV sent with it.
    const market = candles ? chartFacts({ candles, chart: cmd.chart, symbol: cmd.symbol, timeframe: cmd.timeframe, from: 0 }) : null;
    const img = await normalizeChartImage(cmd.image, deps.imageLimits);
    return {
      png: img.png,
      width: img.width,
      height: img.height,
      sha256: img.sha256,
      renderer: 'upload',
      facts: market?.facts ?? null,
      verify: market?.verify ?? null,
      chartRange: market?.chartRange ?? null,
    };
  }
  if (!candles) throw new AppError('invalid_request', 'Send OHLCV data (candles or csv), an image, or both');
  const req = { candles, chart: cmd.chart, symbol: cmd.symbol, timeframe: cmd.timeframe, streams: cmd.streams };
  // Precomputed streams live in this thread; only a fresh request can go to a worker pool.
  return cmd.streams || !deps.preparer ? prepareChart(deps.renderer, req) : deps.preparer.prepare(req);
}

/**
 * An identical request (image bytes, facts, symbol, timeframe, news, prompt version, analyzer,
 * model) shares this key. Symbol and timeframe are in the prompt and echoed in the answer, and an
 * uploaded image does not show them, so they must be part of the key.
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
}): string {
  return sha256(JSON.stringify({ v: 1, ...parts }));
}

/**
 * The analysis story: prepare facts and image, answer from the cache if this exact request was
 * answered before, otherwise ask the analyzer (falling back to the rules if an LLM fails for good),
 * verify every claim, apply the decision policy, store the audit record and return the analysis.
 */
export async function analyzeChart(deps: AnalyzeDeps, cmd: AnalyzeCommand): Promise<Analysis> {
  const now = deps.now ?? Date.now;
  const started = now();
  const prepared = await prepare(deps, cmd);
  const prompt = buildPrompt({ facts: prepared.facts, symbol: cmd.symbol, timeframe: cmd.timeframe, chartRange: prepared.chartRange, news: cmd.news });

  const choice = cmd.analyzer ?? deps.defaultAnalyzer;
  const wanted = choice === 'openai' ? deps.openai : deps.local;
  const model = wanted?.modelFor({ model: cmd.model ?? undefined }) ?? cmd.model;
  const cacheKey = cacheKeyFor({
    imageSha256: prepared.sha256,
    facts: prepared.facts,
    symbol: cmd.symbol,
    timeframe: cmd.timeframe,
    news: cmd.news,
    promptVersion: prompt.version,
    analyzer: wanted?.name ?? choice,
    model: model ?? null,
  });
  const hit = await deps.store.findByCacheKey(cacheKey);
  if (hit) {
    return {
      ...hit.analysis,
      provider: { ...hit.analysis.provider, cached: true, latencyMs: now() - started, usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 }, costUsd: 0, attempts: 0 },
    };
  }

  const input = {
    image: { png: prepared.png, width: prepared.width, height: prepared.height, sha256: prepared.sha256 },
    facts: prepared.facts,
    symbol: cmd.symbol,
    timeframe: cmd.timeframe,
    news: cmd.news,
    prompt,
    model: cmd.model ?? undefined,
    deadline: started + deps.deadlineMs,
  };
  let result: AnalyzerResult;
  let degradedReason: string | null = null;
  let analyzerName = wanted?.name ?? 'local-rules';
  if (choice === 'openai' && !deps.openai) {
    degradedReason = 'llm_not_configured: no OpenAI-compatible endpoint is configured (set OPENAI_API_KEY or OPENAI_BASE_URL)';
    result = await deps.local.analyze(input);
    analyzerName = deps.local.name;
  } else {
    try {
      result = await (wanted ?? deps.local).analyze(input);
    } catch (err) {
      if (!(err instanceof AnalyzerFailure)) throw err;
      // The caller cannot fix an upstream failure: answer with the rules, marked degraded.
      degradedReason = `${err.reason}: ${err.message}`;
      const fallback = await deps.local.analyze(input);
      result = { ...fallback, usage: err.spent.usage, costUsd: err.spent.costUsd, attempts: err.spent.attempts };
      analyzerName = deps.local.name;
    }
  }

  const normalized = normalizeOutput(result.output);
  const out = normalized.output;
  const claims = verifyClaims(out, prepared.verify);
  const summary = summarize(claims);
  const policy = applyPolicy(out, claims, {
    lastClose: prepared.facts?.lastBar.close ?? null,
    atr: prepared.verify?.atr ?? null,
    hallucinationRate: summary.hallucinationRate,
  });
  const provider: ProviderInfo = {
    analyzer: analyzerName,
    model: degradedReason ? null : result.model,
    promptVersion: prompt.version,
    latencyMs: now() - started,
    usage: result.usage,
    costUsd: result.costUsd,
    cached: false,
    degraded: degradedReason !== null,
    degradedReason,
    attempts: result.attempts,
    structuredOutput: result.structuredOutput,
  };
  const { decision } = policy;
  const adjustments = [...normalized.adjustments, ...policy.adjustments];
  const analysis: Analysis = {
    id: (deps.newId ?? randomUUID)(),
    createdAt: new Date(started).toISOString(),
    symbol: cmd.symbol,
    timeframe: cmd.timeframe,
    input: {
      source: cmd.image ? (cmd.candles ? 'image+ohlcv' : 'image') : 'ohlcv',
      bars: cmd.candles?.length ?? null,
      imageSha256: prepared.sha256,
      chart: { width: prepared.width, height: prepared.height, renderer: prepared.renderer },
      newsCount: cmd.news.length,
    },
    market: prepared.facts,
    regime: out.regime,
    experts: out.experts,
    claims: { patterns: out.patterns, levels: out.levels, indicators: out.indicators },
    news: out.news,
    risks: out.risks,
    decision,
    proposedDecision: out.decision,
    verification: { ...summary, claims, adjustments },
    provider,
    disclaimer: DISCLAIMER,
  };
  await deps.store.save({ id: analysis.id, createdAt: analysis.createdAt, cacheKey, analysis, request: cmd.request, prompt, rawOutput: result.raw, image: prepared.png });
  return analysis;
}
