import { formatCandleTime } from '../market/candles.ts';
import type { ChartRequest } from './chart-options.ts';
import type { ChartWindow } from './chart-window.ts';

/** The title every renderer draws: "SPX  ·  1d  ·  2024-01-02 to 2024-08-01  ·  last close 5446.68". */
export function chartTitle(win: ChartWindow, req: Pick<ChartRequest, 'symbol' | 'timeframe'>): string {
  const first = win.candles[0];
  const last = win.candles.at(-1) ?? first;
  return [
    req.symbol,
    req.timeframe,
    `${formatCandleTime(first.time).slice(0, 10)} to ${formatCandleTime(last.time).slice(0, 10)}`,
    `last close ${last.close.toFixed(2)}`,
  ]
    .filter(Boolean)
    .join('  ·  ');
}
