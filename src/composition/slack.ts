import { ChartlensClient } from '../adapters/http-client/chartlens-http-client.ts';
import type { ChartlensApi } from '../ports/chartlens-api.ts';
import { loadSlackConfig, type SlackConfig } from './slack-config.ts';

export interface SlackServices {
  config: SlackConfig;
  chartlens: ChartlensApi;
}

/** The slack profile: the bot's settings and its chartlens API client (the server fetches the bars). */
export function buildSlackServices(env: NodeJS.ProcessEnv = process.env): SlackServices {
  const config = loadSlackConfig(env);
  return {
    config,
    chartlens: new ChartlensClient({ baseUrl: config.chartlensUrl, apiKey: config.chartlensApiKey, timeoutMs: config.timeoutMs }),
  };
}
