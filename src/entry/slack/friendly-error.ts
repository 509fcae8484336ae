import { ChartlensApiError } from '../../ports/chartlens-api.ts';

/** A short, friendly sentence for the channel: what happened and what to do. */
export function friendlyError(err: unknown): string {
  if (err instanceof ChartlensApiError) {
    if (err.code === 'market_data_unavailable') return ':satellite_antenna: The market-data provider is not answering right now. Please try again in a minute.';
    switch (err.failure) {
      case 'unreachable':
        return ':warning: I could not reach the chartlens service. It may be down; please try again in a minute.';
      case 'timeout':
        return ':hourglass: The chartlens service took too long to answer. Please try again shortly.';
      case 'rejected':
        return `:x: chartlens could not analyse that (${err.code}): ${err.message}`;
      case 'server':
        return ':warning: The chartlens service had a problem answering. Please try again later.';
    }
  }
  return ':warning: Something went wrong while analysing. Please try again later.';
}
