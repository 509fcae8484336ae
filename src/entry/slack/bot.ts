import type { Server } from 'node:http';
import bolt from '@slack/bolt';
import type { Logger } from '@slack/logger';
import type { WebClient } from '@slack/web-api';
import type { Analysis } from '../../core/analysis/analysis.ts';
import type { NewsItem } from '../../core/analysis/news.ts';
import { analysisBlocks } from './blocks.ts';
import { type ChartlensApi, ChartlensApiError } from '../../ports/chartlens-api.ts';
import { friendlyError } from './friendly-error.ts';
import { parseCommand, USAGE } from './command.ts';
import { PerUserLimit, RedactingLogger, SeenIds } from './guards.ts';

const { App, ExpressReceiver, LogLevel } = bolt;

export interface SlackBotOptions {
  botToken: string;
  /** HTTP mode (Events API and slash commands) verifies requests with this. */
  signingSecret?: string;
  /** Socket Mode (for teams behind firewalls) when set. */
  appToken?: string;
  /** Override of the Web API base URL (tests, private gateways); must end with a slash. */
  apiUrl?: string;
  chartlens: ChartlensApi;
  /** The market-data source asked for; absent: the chartlens server's default (CHARTLENS_MARKET_SOURCE). */
  marketSource?: string;
  maxDownloadBytes?: number;
  perUser?: { limit: number; windowMs: number };
  logger?: Logger;
}

const IMAGE_TYPES = new Set(['png', 'jpg', 'jpeg', 'webp']);

/** A file shared in a Slack message, as the Events API sends it. */
export interface SlackFile {
  name?: string;
  filetype?: string;
  mimetype?: string;
  size?: number;
  url_private?: string;
  url_private_download?: string;
}

/** The fields of a message or app_mention event the bot reads. */
export interface SlackMessage {
  user?: string;
  bot_id?: string;
  subtype?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  channel: string;
  channel_type?: string;
  files?: SlackFile[];
}

/** Download a Slack-hosted file with the bot token, refusing anything over `max` bytes. */
async function download(url: string, token: string, max: number): Promise<Buffer> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
  if (!res.ok || !res.body) throw new Error(`download failed with HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length'));
  if (declared > max) throw new RangeError(`the file is ${declared} bytes; the limit is ${max}`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > max) throw new RangeError(`the file is over the ${max}-byte limit`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/**
 * The chartlens Slack bot. It talks to chartlens only through its HTTP API (the ChartlensApi port),
 * like any other client; Bolt does the Slack side (signatures, retries, Socket Mode).
 */
export function createSlackBot(o: SlackBotOptions) {
  const logger = o.logger ?? new RedactingLogger([o.botToken, o.signingSecret ?? '', o.appToken ?? '']);
  const clientOptions = o.apiUrl ? { slackApiUrl: o.apiUrl } : undefined;
  const receiver = o.appToken
    ? undefined
    : new ExpressReceiver({ signingSecret: o.signingSecret ?? '', logger, processBeforeResponse: false });
  if (!o.appToken && !o.signingSecret) throw new Error('Set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)');
  const app = new App({
    token: o.botToken,
    logger,
    logLevel: LogLevel.INFO,
    clientOptions,
    ...(o.appToken ? { appToken: o.appToken, socketMode: true } : { receiver }),
  });
  const seen = new SeenIds();
  const limits = new PerUserLimit(o.perUser?.limit ?? 5, o.perUser?.windowMs ?? 60_000);
  const maxBytes = o.maxDownloadBytes ?? 10 * 1024 * 1024;

  // Slack retries events it thinks were missed (X-Slack-Retry-Num) and may deliver one twice:
  // every event id is handled once.
  app.use(async ({ body, next }) => {
    const id = (body as { event_id?: string }).event_id;
    if (id && !seen.firstTime(id)) {
      logger.info(`skipping event ${id}: already handled`);
      return;
    }
    await next();
  });

  /** Post the answer, then upload the exact chart the model saw into its thread. */
  async function post(client: WebClient, channel: string, threadTs: string | undefined, analysis: Analysis): Promise<void> {
    const { text, blocks } = analysisBlocks(analysis);
    const msg = await client.chat.postMessage({ channel, text, blocks: blocks as never, ...(threadTs ? { thread_ts: threadTs } : {}) });
    // The answer is delivered: a failed chart upload (no files:write, chart gone) must not make the
    // caller report a failure or post the answer a second time.
    try {
      const png = await o.chartlens.chartPng(analysis.id);
      const thread = threadTs ?? msg.ts;
      await client.files.uploadV2({
        channel_id: channel,
        ...(thread ? { thread_ts: thread } : {}),
        file: png,
        filename: `chartlens-${analysis.symbol ?? 'chart'}-${analysis.id.slice(0, 8)}.png`,
        title: `Chart analysed (${analysis.input.chart.width}x${analysis.input.chart.height})`,
        // The SDK's argument type is a union keyed on how the destination is given; this is the channel_id form.
      } as Parameters<WebClient['files']['uploadV2']>[0]);
    } catch (err) {
      logger.warn(`chart upload for ${analysis.id} to ${channel} failed: ${(err as Error).message}`);
    }
  }

  app.command('/chartlens', async ({ command, ack, respond, client }) => {
    const parsed = parseCommand(command.text ?? '');
    if (parsed.kind === 'help') return void (await ack({ response_type: 'ephemeral', text: USAGE }));
    if (parsed.kind === 'invalid') return void (await ack({ response_type: 'ephemeral', text: `${parsed.message}\n${USAGE}` }));
    const wait = limits.take(command.user_id);
    if (wait > 0) {
      return void (await ack({ response_type: 'ephemeral', text: `:turtle: Easy there: try again in ${Math.ceil(wait / 1000)} s.` }));
    }
    const label = `${parsed.symbol.toUpperCase()} ${parsed.timeframe}, ${parsed.bars} bars`;
    // Ack first: Slack wants an answer within 3 seconds, and the analysis can take longer.
    await ack({ response_type: 'ephemeral', text: `:mag: Analysing ${label}...` });
    try {
      const analysis = await o.chartlens.analyzeSymbol({ symbol: parsed.symbol, timeframe: parsed.timeframe, bars: parsed.bars, ...(o.marketSource ? { source: o.marketSource } : {}) });
      try {
        await post(client, command.channel_id, undefined, analysis);
      } catch (err) {
        // Not in the channel (or no permission to post there): answer through the command's response_url.
        logger.warn(`posting to ${command.channel_id} failed: ${(err as Error).message}`);
        const { text, blocks } = analysisBlocks(analysis);
        await respond({ response_type: 'in_channel', text, blocks: blocks as never });
      }
    } catch (err) {
      logger.error(`/chartlens ${parsed.symbol} failed: ${err instanceof ChartlensApiError ? `${err.failure} ${err.status ?? ''} ${err.message}` : (err as Error).message}`);
      await respond({ response_type: 'ephemeral', text: friendlyError(err) });
    }
  });

  async function analyseSharedImage(m: SlackMessage, client: WebClient): Promise<void> {
    if (m.bot_id || m.subtype === 'bot_message') return;
    const thread = m.thread_ts ?? m.ts;
    const reply = (text: string) => client.chat.postMessage({ channel: m.channel, thread_ts: thread, text });
    const file = (m.files ?? []).find((f) => IMAGE_TYPES.has((f.filetype ?? '').toLowerCase()) || /^image\/(png|jpe?g|webp)$/.test(f.mimetype ?? ''));
    if (!file) {
      await reply(`Share a chart image (PNG, JPEG or WebP) with your message and I will analyse it.\n${USAGE}`);
      return;
    }
    const wait = limits.take(m.user ?? 'unknown');
    if (wait > 0) {
      await reply(`:turtle: Easy there: try again in ${Math.ceil(wait / 1000)} s.`);
      return;
    }
    const url = file.url_private_download ?? file.url_private;
    if (!url) return void (await reply(':warning: Slack did not give me a link to that file.'));
    if ((file.size ?? 0) > maxBytes) {
      return void (await reply(`:x: That image is ${file.size} bytes; I take up to ${maxBytes}.`));
    }
    let image: Buffer;
    try {
      image = await download(url, o.botToken, maxBytes);
    } catch (err) {
      await reply(err instanceof RangeError ? `:x: ${err.message}.` : ':warning: I could not download that image from Slack.');
      return;
    }
    // The message text is untrusted context: it travels as a news item, never as an instruction.
    const text = (m.text ?? '').replace(/<@[A-Z0-9]+>/g, '').trim();
    const news: NewsItem[] = text ? [{ headline: text.slice(0, 300), source: 'slack message' }] : [];
    try {
      const analysis = await o.chartlens.analyzeImage({ image, filename: file.name ?? 'chart.png', news });
      await post(client, m.channel, thread, analysis);
    } catch (err) {
      logger.error(`image analysis failed: ${(err as Error).message}`);
      await reply(friendlyError(err));
    }
  }

  app.event('app_mention', async ({ event, client }) => {
    await analyseSharedImage(event, client);
  });
  app.message(async ({ message, client }) => {
    const m = message as unknown as SlackMessage;
    // Direct messages only; in channels the bot answers when mentioned (app_mention). Only new
    // messages: edits, deletions and other housekeeping subtypes (message_changed ...) are not requests.
    const isNew = m.subtype === undefined || m.subtype === 'file_share' || m.subtype === 'thread_broadcast';
    if (m.channel_type === 'im' && isNew) await analyseSharedImage(m, client);
  });

  app.error((err) => {
    logger.error(`unhandled: ${err.message}`);
    return Promise.resolve();
  });

  return {
    app,
    /** Start listening (HTTP mode: on `port`, 0 for any; Socket Mode: connect). Resolves to the port, or null. */
    async start(port: number): Promise<number | null> {
      if (o.appToken) {
        await app.start();
        return null;
      }
      const server = (await app.start(port)) as unknown as Server;
      const address = server.address();
      return typeof address === 'object' && address ? address.port : port;
    },
    stop: () => app.stop(),
  };
}
