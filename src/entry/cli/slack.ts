import { buildSlackServices } from '../../composition/slack.ts';
import { createSlackBot } from '../slack/bot.ts';
import { RedactingLogger } from '../slack/guards.ts';

/** `chartlens slack`: run the bot until SIGINT/SIGTERM. */
export async function runSlackBot(): Promise<void> {
  const { config: c, chartlens, market } = buildSlackServices();
  const logger = new RedactingLogger([c.botToken, c.signingSecret ?? '', c.appToken ?? '', c.chartlensApiKey ?? '']);
  const bot = createSlackBot({
    botToken: c.botToken,
    signingSecret: c.signingSecret,
    appToken: c.appToken,
    apiUrl: c.apiUrl,
    chartlens,
    market,
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
