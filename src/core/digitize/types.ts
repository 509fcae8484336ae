/**
 * The shapes the chart digitiser passes between its steps. Pixel coordinates are image pixels
 * with y growing downwards; a Rect is inclusive of `left`/`top` and exclusive of `right`/`bottom`.
 */

/** Decoded pixels, 8-bit RGBA, row-major, `data.length === width * height * 4`. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export type Rgb = [number, number, number];

/** What the plot looks like: found from the pixels, reported in the answer's `style`. */
export interface ChartStyle {
  theme: 'light' | 'dark';
  background: Rgb;
  up: Rgb;
  down: Rgb;
  /** Up candles drawn as outlines (matplotlib/mplfinance "hollow" styles, some brokers). */
  hollow: boolean;
  /** Candle bodies, or OHLC bars (a vertical line with left/right ticks). */
  kind: 'candle' | 'ohlc';
}

/** Where the chart is: the price pane, an optional volume pane, and the strips holding axis labels. */
export interface ChartLayout {
  /** The price pane's plot area (inside the axes). */
  price: Rect;
  volume: Rect | null;
  /** The strip beside the price pane where the price labels are printed (left or right of it). */
  priceLabels: Rect | null;
  /** The strip under the lowest pane where the time labels are printed. */
  timeLabels: Rect | null;
}

/** One bar as found in pixels, before the price scale is applied. */
export interface PixelBar {
  /** Centre column of the bar. */
  x: number;
  highY: number;
  lowY: number;
  openY: number;
  closeY: number;
  direction: 'up' | 'down' | 'flat';
  /** 0..1: how cleanly the column read as one bar (wick and body found, colour agreed). */
  confidence: number;
}

/** A text label read off an axis, with the pixel row (price axis) or column (time axis) of its centre. */
export interface AxisLabel {
  text: string;
  /** Row of the label's centre for the price axis; column for the time axis. */
  at: number;
  /** 0..100, as the OCR engine reports it. */
  confidence: number;
}

/** The price scale found from the labels: price = a * y + b (linear) or exp(a * y + b) (log). */
export interface PriceAxisFit {
  scale: 'linear' | 'log';
  a: number;
  b: number;
  /** The labels used, with the value read and the value the fit gives back. */
  labels: { text: string; value: number; y: number; fitted: number }[];
  /** Labels read but rejected as outliers or unreadable. */
  rejected: { text: string; y: number; reason: string }[];
  /** Largest |fitted - value| over the used labels, relative to the visible price range. */
  maxErrorOfRange: number;
  monotone: boolean;
}
