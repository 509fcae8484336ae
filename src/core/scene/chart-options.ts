import { z } from 'zod';
import type { Candle } from '../market/candles.ts';
import type { MarketFacts } from '../market/facts.ts';
import type { IndicatorSeries } from '../market/indicators.ts';

export const OVERLAYS = ['sma20', 'sma50', 'sma200', 'ema20', 'ema50', 'bollinger'] as const;
export const PANES = ['rsi', 'macd'] as const;
export const RENDERERS = ['chartjs', 'browser'] as const;

/** Chart options a caller may set; every field has a default so `{}` is a valid request. */
export const chartOptionsSchema = z
  .object({
    /** 1024x512 is two 512 px tiles in OpenAI's image accounting. */
    width: z.number().int().min(320).max(2048).default(1024),
    height: z.number().int().min(240).max(2048).default(512),
    style: z.enum(['candle', 'ohlc']).default('candle'),
    theme: z.enum(['light', 'dark']).default('light'),
    overlays: z.array(z.enum(OVERLAYS)).max(OVERLAYS.length).default(['sma20', 'sma50']),
    panes: z.array(z.enum(PANES)).max(PANES.length).default([]),
    /** Draw the volume pane when the data has volume. */
    volume: z.boolean().default(true),
    markPatterns: z.boolean().default(false),
    markLevels: z.boolean().default(false),
    /** Render only the last N bars (indicators are still computed on the whole series). */
    last: z.number().int().min(2).max(10_000).optional(),
    /**
     * Who draws the chart: Chart.js on node-canvas, or lightweight-charts in headless Chromium
     * ("browser"). Without Chromium a browser chart is drawn by Chart.js, and the answer says so.
     */
    renderer: z.enum(RENDERERS).default('chartjs'),
  })
  .strict();

export type ChartOptions = z.output<typeof chartOptionsSchema>;

/** Everything a renderer needs: the bars, their indicators and (optionally) facts to mark. */
export interface ChartRequest {
  candles: readonly Candle[];
  indicators: IndicatorSeries;
  facts?: MarketFacts;
  symbol?: string;
  timeframe?: string;
  options: ChartOptions;
}
