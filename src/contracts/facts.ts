import { z } from 'zod';
import type { MarketFacts } from '../core/market/facts.ts';
import { INDICATOR_NAMES } from '../core/market/indicators.ts';
import { candleInputFields } from './candle-input.ts';
import { CHART_PATTERN_LABELS, type ChartPatternType } from '../core/market/chart-patterns.ts';

const index = z.number().int().min(0);
const unit = z.number().min(0).max(1);
const direction = z.enum(['bullish', 'bearish', 'neutral']);

/** JSON body of POST /v1/indicators: candles (rows or CSV) and their labels, nothing else. */
export const factsRequestSchema = z
  .object({
    ...candleInputFields,
    /** Bars the chart would draw (default 150): every candlestick hit over them is listed. Indicators use the whole series. */
    last: z.number().int().min(2).max(10_000).optional(),
  })
  .strict();

/** Every indicator by its flat name; null until it has enough history (never made up). */
export const indicatorValuesSchema = z.record(z.enum(INDICATOR_NAMES), z.number().nullable());

/** A TA-Lib candlestick hit and the bars it spans. */
export const candlestickHitSchema = z
  .object({
    /** TA-Lib function name, e.g. CDLENGULFING. */
    code: z.string().min(1),
    name: z.string(),
    kind: z.literal('candlestick'),
    role: z.enum(['reversal', 'continuation', 'indecision', 'candle']),
    direction,
    /** TA-Lib's raw output (+-100, +-200 for confirmed hikkake). */
    strength: z.number().int(),
    startIndex: index,
    endIndex: index,
    startTime: z.string(),
    endTime: z.string(),
    priorTrend: z.enum(['up', 'down', 'flat']),
    fitsContext: z.boolean(),
    /** The bar at which the pattern became known (no look-ahead). */
    knownAt: index,
  })
  .strict();

/** The chart pattern codes, from the core's own list (a detector added there is in the contract). */
export const CHART_PATTERN_CODES = Object.keys(CHART_PATTERN_LABELS) as [ChartPatternType, ...ChartPatternType[]];

/** A multi-bar chart pattern found from swing pivots, with the points that define it. */
export const chartPatternHitSchema = z
  .object({
    code: z.enum(CHART_PATTERN_CODES),
    name: z.string(),
    kind: z.literal('chart'),
    direction,
    startIndex: index,
    endIndex: index,
    startTime: z.string(),
    endTime: z.string(),
    quality: unit,
    status: z.enum(['forming', 'confirmed']),
    points: z.array(z.object({ index, price: z.number(), role: z.string() }).strict()),
    /** The price line that confirms the pattern (neckline, broken level...); null when it has none. */
    trigger: z.number().nullable(),
    knownAt: index,
  })
  .strict();

/** A horizontal price zone where swings have turned before. */
export const levelSchema = z
  .object({
    price: z.number(),
    touches: z.number().int().min(1),
    firstIndex: index,
    lastIndex: index,
    /** Half-width of the zone, in price. */
    tolerance: z.number().min(0),
  })
  .strict();

/** The trend at the bar, and the three-way regime probabilities derived from it. */
export const trendRegimeSchema = z
  .object({
    direction: z.enum(['up', 'down', 'sideways']),
    strength: unit,
    maAlignment: z.number().min(-1).max(1).nullable(),
    adx: z.number().nullable(),
    slopeAtrPerBar: z.number().nullable(),
    probabilities: z.object({ uptrend: unit, downtrend: unit, sideways: unit }).strict(),
  })
  .strict();

/** Everything chartlens computes about a series at one bar (the core's MarketFacts). */
export const marketFactsSchema = z
  .object({
    bars: z.number().int().min(1),
    asOf: z.object({ index, time: z.string() }).strict(),
    lastBar: z
      .object({
        time: z.string(),
        open: z.number(),
        high: z.number(),
        low: z.number(),
        close: z.number(),
        volume: z.number().nullable(),
      })
      .strict(),
    range: z.object({ low: z.number(), high: z.number() }).strict(),
    indicators: indicatorValuesSchema,
    patterns: z.array(z.discriminatedUnion('kind', [candlestickHitSchema, chartPatternHitSchema])),
    levels: z.object({ support: z.array(levelSchema), resistance: z.array(levelSchema) }).strict(),
    trend: trendRegimeSchema,
    hasVolume: z.boolean(),
    /** Set when the bars were read back from an uploaded image. */
    fromImage: z.boolean().optional(),
    digitization: z
      .object({ confidence: z.number().min(0).max(1), priceError: z.number().min(0).nullable(), bars: z.number().int().min(0), datesRead: z.boolean() })
      .strict()
      .optional(),
  })
  .strict();

/** The answer of POST /v1/indicators: the labels sent (or null) and the facts at the last bar. */
export const factsResponseSchema = z
  .object({ symbol: z.string().nullable(), timeframe: z.string().nullable(), facts: marketFactsSchema })
  .strict();

export type FactsRequestBody = z.input<typeof factsRequestSchema>;
export type MarketFactsBody = z.infer<typeof marketFactsSchema>;
export type FactsResponse = z.infer<typeof factsResponseSchema>;

// The core computes MarketFacts; the contract must describe exactly that, in both directions.
const _factsToBody = (f: MarketFacts): MarketFactsBody => f;
const _bodyToFacts = (b: MarketFactsBody): MarketFacts => b;
