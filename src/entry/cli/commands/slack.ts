import type { Command } from '../command.ts';
import { untilSignal } from '../until-signal.ts';

/** `chartlens slack`: the Slack bot, a client of a chartlens server, until SIGINT/SIGTERM. */
export const command: Command = {
  name: 'slack',
  usage: 'chartlens slack',
  description: [
    'Runs the Slack bot (/chartlens SYMBOL [TIMEFRAME] [BARS], chart uploads, mentions). It calls a',
    'running chartlens server over HTTP like any client, and is configured from the environment only.',
  ].join('\n'),
  options: {},
  notes: [
    'environment (see the README for every variable):',
    '  SLACK_BOT_TOKEN       required   the bot token (xoxb-...)',
    '  SLACK_SIGNING_SECRET  unset      HTTP mode (Events API on SLACK_PORT, default 3001), or',
    '  SLACK_APP_TOKEN       unset      Socket Mode (xapp-...); one of the two is required',
    '  CHARTLENS_URL         http://127.0.0.1:3000   the chartlens server',
    '  CHARTLENS_API_KEY     unset      its API key',
    '  SLACK_MARKET_SOURCE   unset      the market-data source the slash command asks for (csv, yahoo, binance...);',
    '                                   unset: the server\'s CHARTLENS_MARKET_SOURCE',
  ].join('\n'),
  async run(_args, io) {
    const [{ buildSlackServices }, { createSlackBot }, { RedactingLogger }] = await Promise.all([
      import('../../../composition/slack.ts'),
      import('../../slack/bot.ts'),
      import('../../slack/guards.ts'),
    ]);
    const { config: c, chartlens } = buildSlackServices(io.env);
    const logger = new RedactingLogger([c.botToken, c.signingSecret ?? '', c.appToken ?? '', c.chartlensApiKey ?? '']);
    const bot = createSlackBot({
      botToken: c.botToken,
      signingSecret: c.signingSecret,
      appToken: c.appToken,
      apiUrl: c.apiUrl,
      chartlens,
      marketSource: c.marketSource,
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
    await untilSignal();
    // A socket Bolt leaves open must not keep a stopped bot alive; the timer itself holds nothing.
    setTimeout(() => process.exit(0), 3000).unref();
    await bot.stop();
    return 0;
  },
};
