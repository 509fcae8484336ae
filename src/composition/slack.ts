import { ChartlensClient } from '../adapters/http-client/chartlens-http-client.ts';
import { CsvFolderMarketData } from '../adapters/market-data/csv-folder.ts';
import type { ChartlensApi } from '../ports/chartlens-api.ts';
import type { MarketData } from '../ports/market-data.ts';
import { loadSlackConfig, type SlackConfig } from './slack-config.ts';

export interface SlackServices {
  config: SlackConfig;
  chartlens: ChartlensApi;
  market: MarketData;
}

/** The slack profile: the bot's settings, its chartlens API client and its market data. */
export function buildSlackServices(env: NodeJS.ProcessEnv = process.env): SlackServices {
  const config = loadSlackConfig(env);
  return {
    config,
    chartlens: new ChartlensClient({ baseUrl: config.chartlensUrl, apiKey: config.chartlensApiKey, timeoutMs: config.timeoutMs }),
    market: new CsvFolderMarketData(config.marketDir),
  };
}
