import type {
  Chart,
  ChartConfigurationCustomTypesPerDataset,
  ChartDatasetCustomTypesPerDataset,
  ChartOptions,
  FinancialDataPoint,
  Plugin,
  ScaleOptions,
} from 'chart.js';
// chartjs-chart-financial's typings add the 'candlestick' and 'ohlc' chart types (and
// FinancialDataPoint) to Chart.js's registry; this import only brings them into the program.
import type {} from 'chartjs-chart-financial';

/** The dataset types chartlens draws; the chart itself has no top-level type. */
export type ChartlensType = 'line' | 'candlestick' | 'ohlc';

/** A line point on the bar-index x axis; null leaves a gap (an indicator's warm-up). */
export interface LinePoint {
  x: number;
  y: number | null;
}

export type ChartlensPoint = LinePoint | FinancialDataPoint;

export type ChartlensDataset = ChartDatasetCustomTypesPerDataset<ChartlensType, ChartlensPoint[]>;
export type LineDataset = ChartDatasetCustomTypesPerDataset<'line', LinePoint[]>;

/** Colours per bar direction, as chartjs-chart-financial's elements read them. */
export interface UpDownColors {
  up: string;
  down: string;
  unchanged: string;
}

/**
 * The price dataset. Both financial controllers read `backgroundColors`/`borderColors`, but the
 * package's typings only give them to 'candlestick', so this is spelled out rather than taken
 * from the registry.
 */
export interface FinancialDataset {
  type: 'candlestick' | 'ohlc';
  label: string;
  data: FinancialDataPoint[];
  yAxisID: string;
  backgroundColors: UpDownColors;
  borderColors: UpDownColors;
  order: number;
}

export type ChartlensConfig = ChartConfigurationCustomTypesPerDataset<ChartlensType, ChartlensPoint[]>;
export type ChartlensOptions = ChartOptions<ChartlensType>;
export type ChartlensChart = Chart<ChartlensType, ChartlensPoint[]>;
export type ChartlensPlugin = Plugin<ChartlensType>;
export type LinearScale = ScaleOptions<'linear'>;
