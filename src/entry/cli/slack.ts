import { CsvFolderMarketData } from '../../adapters/market-data/csv-folder.ts';
import { createSlackBot } from '../slack/bot.ts';
import { ChartlensClient } from '../../adapters/http-client/chartlens-http-client.ts';
import { loadSlackConfig } from '../../composition/slack-config.ts';
import { RedactingLogger } from '../slack/guards.ts';

/** `chartlens slack`: run the bot until SIGINT/SIGTERM. */
export async function runSlackBot(): Promise<void> {
  const c = loadSlackConfig();
  const logger = new RedactingLogger([c.botToken, c.signingSecret ?? '', c.appToken ?? '', c.chartlensApiKey ?? '']);
  const bot = createSlackBot({
    botToken: c.botToken,
    signingSecret: c.signingSecret,
    appToken: c.appToken,
    apiUrl: c.apiUrl,
    chartlens: new ChartlensClient({ baseUrl: c.chartlensUrl, apiKey: c.chartlensApiKey, timeoutMs: c.timeoutMs }),
    market: new CsvFolderMarketData(c.marketDir),
    maxDownloadBytes: c.maxDownloadBytes,
    perUser: { limit: c.perUserPerMinute, windowMs: 60_000 },
    logger,
  });
  const port = await bot.start(c.port);
  logger.info(
    port === null
      ? `chartlens Slack bot connected in Socket Mode; chartlens API at ${c.chartlensUrl}`
      : `chartlens Slack bot listening on port ${port} at /slack/events; chartlens API at ${c.chartlensUrl}`,
  );
  const stop = (): void => void bot.stop().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
