import type { Candle } from '../../src/core/market/candles.ts';
import type { ChartTheme } from '../../src/core/scene/theme.ts';
import type { FinancialDataset, LineDataset } from './chart-types.ts';

/** The few line options the callers vary. */
export type LineStyle = Pick<LineDataset, 'borderDash' | 'borderWidth' | 'fill' | 'backgroundColor'>;

/** A thin line over the bar-index x axis; null values leave gaps. */
export function lineDataset(
  label: string,
  values: readonly (number | null)[],
  color: string,
  yAxisID: string,
  style: LineStyle = {},
): LineDataset {
  return {
    type: 'line',
    label,
    data: values.map((y, x) => ({ x, y })),
    borderColor: color,
    borderWidth: 1.2,
    pointRadius: 0,
    spanGaps: false,
    yAxisID,
    ...style,
  };
}

/** The price bars (candles or OHLC), coloured by direction, drawn under every line. */
export function priceDataset(candles: readonly Candle[], style: 'candle' | 'ohlc', label: string, theme: ChartTheme): FinancialDataset {
  return {
    type: style === 'ohlc' ? 'ohlc' : 'candlestick',
    label,
    data: candles.map((c, x) => ({ x, o: c.open, h: c.high, l: c.low, c: c.close })),
    yAxisID: 'y',
    backgroundColors: { up: theme.up, down: theme.down, unchanged: theme.text },
    borderColors: { up: theme.up, down: theme.down, unchanged: theme.text },
    order: 0,
  };
}
