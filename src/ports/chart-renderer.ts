import type { ChartRequest } from '../core/scene/chart-options.ts';

export type { ChartOptions, ChartRequest } from '../core/scene/chart-options.ts';

export interface RenderedChart {
  png: Buffer;
  width: number;
  height: number;
  renderer: string;
}

/** Draws a chart image; implementations are interchangeable (Chart.js now, a browser later). */
export interface ChartRenderer {
  readonly name: string;
  render(request: ChartRequest): Promise<RenderedChart>;
  close(): Promise<void>;
}

/** A plain line chart over time (equity curves and the like). */
export interface LineChartRequest {
  title: string;
  /** Epoch ms per point, increasing. */
  times: readonly number[];
  series: { label: string; values: readonly (number | null)[]; color?: string }[];
  width: number;
  height: number;
  theme: 'light' | 'dark';
}

export interface LineChartRenderer {
  renderLineChart(request: LineChartRequest): Promise<RenderedChart>;
}
