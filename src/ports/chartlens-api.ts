import type { Analysis } from '../core/analysis/analysis.ts';
import type { NewsItem } from '../core/analysis/news.ts';
import { AppError, type ErrorCode, isErrorCode } from '../core/errors.ts';
import type { Candle } from '../core/market/candles.ts';

export type ChartlensApiFailure = 'unreachable' | 'timeout' | 'rejected' | 'server';

/** The code a failed call carries: ours for the network, the server's own when it rejected the input. */
function codeFor(kind: ChartlensApiFailure, remoteCode: string | undefined): ErrorCode {
  if (kind === 'rejected') return isErrorCode(remoteCode) ? remoteCode : 'invalid_request';
  // A provider behind the server being down is worth telling apart from the server failing.
  if (kind === 'server') return remoteCode === 'market_data_unavailable' ? remoteCode : 'endpoint_error';
  return 'endpoint_unreachable';
}

/** Why a call to the chartlens API failed, in terms a client (the Slack bot) can explain. */
export class ChartlensApiError extends AppError {
  readonly failure: ChartlensApiFailure;
  readonly status?: number;

  constructor(kind: ChartlensApiFailure, message: string, status?: number, remoteCode?: string) {
    super(codeFor(kind, remoteCode), message);
    this.name = 'ChartlensApiError';
    this.failure = kind;
    this.status = status;
  }
}

/** The chartlens HTTP API as a client sees it (the Slack bot talks to chartlens only this way). */
export interface ChartlensApi {
  /** Let the server fetch the bars from a market-data source (`source` absent: the server's default). */
  analyzeSymbol(req: { symbol: string; timeframe: string; bars: number; source?: string; news?: NewsItem[] }): Promise<Analysis>;
  analyzeCandles(req: { symbol: string; timeframe: string; candles: Candle[]; news?: NewsItem[] }): Promise<Analysis>;
  analyzeImage(req: { image: Buffer; filename: string; news?: NewsItem[] }): Promise<Analysis>;
  chartPng(id: string): Promise<Buffer>;
}
