import type { CanvasRenderingContext2D } from 'canvas';
import type { ChartWindow } from '../../src/core/scene/chart-window.ts';
import { THEMES, type ChartTheme } from '../../src/core/scene/theme.ts';

/** Bars drawn straight onto a pane (volume, MACD histogram). */
export interface Histogram {
  axis: string;
  values: readonly (number | null)[];
  isUp: (i: number) => boolean;
}

/** Per-render inputs the plugins read; the plugins themselves are registered once per chart. */
export interface DrawState {
  theme: ChartTheme;
  histograms: Histogram[];
  win: ChartWindow;
}

/** The state of the render in progress; the empty chart drawn at construction has none. */
export const EMPTY_STATE: DrawState = {
  theme: THEMES.light,
  histograms: [],
  win: { candles: [], indicators: {} as ChartWindow['indicators'], patterns: [], levels: [] },
};

/**
 * What the plugins of one chart paint with: its canvas's 2D context and the state of the render in
 * progress. The context is node-canvas's own type; Chart.js's typings name the DOM's
 * CanvasRenderingContext2D, which a Node program does not have.
 */
export interface PaintTarget {
  readonly ctx: CanvasRenderingContext2D;
  state: DrawState;
}
