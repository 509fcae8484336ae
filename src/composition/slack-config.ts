import { z } from 'zod';

const text = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() ? v.trim() : undefined));

const schema = z.object({
  SLACK_BOT_TOKEN: text,
  SLACK_SIGNING_SECRET: text,
  SLACK_APP_TOKEN: text,
  SLACK_API_URL: text,
  SLACK_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  CHARTLENS_URL: z.string().url().default('http://127.0.0.1:3000'),
  CHARTLENS_API_KEY: text,
  /** The market-data source the bot asks for (csv, yahoo, an exchange id); unset: the server's default. */
  SLACK_MARKET_SOURCE: text,
  SLACK_MAX_DOWNLOAD_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
  SLACK_USER_RATE_LIMIT: z.coerce.number().int().min(1).default(5),
  CHARTLENS_TIMEOUT_MS: z.coerce.number().int().min(1000).default(120_000),
});

export interface SlackConfig {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
  port: number;
  chartlensUrl: string;
  chartlensApiKey?: string;
  marketSource?: string;
  maxDownloadBytes: number;
  perUserPerMinute: number;
  timeoutMs: number;
}

/** The bot's environment, checked at start; errors name the variable but never echo a token. */
export function loadSlackConfig(env: NodeJS.ProcessEnv = process.env): SlackConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const e = parsed.data;
  if (!e.SLACK_BOT_TOKEN) throw new Error('Set SLACK_BOT_TOKEN (the bot token, xoxb-...)');
  if (!e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    throw new Error('Set SLACK_SIGNING_SECRET for HTTP mode, or SLACK_APP_TOKEN (xapp-...) for Socket Mode');
  }
  const apiUrl = e.SLACK_API_URL ? (e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`) : undefined;
  return {
    botToken: e.SLACK_BOT_TOKEN,
    signingSecret: e.SLACK_SIGNING_SECRET,
    appToken: e.SLACK_APP_TOKEN,
    apiUrl,
    port: e.SLACK_PORT,
    chartlensUrl: e.CHARTLENS_URL,
    chartlensApiKey: e.CHARTLENS_API_KEY,
    marketSource: e.SLACK_MARKET_SOURCE?.toLowerCase(),
    maxDownloadBytes: e.SLACK_MAX_DOWNLOAD_BYTES,
    perUserPerMinute: e.SLACK_USER_RATE_LIMIT,
    timeoutMs: e.CHARTLENS_TIMEOUT_MS,
  };
}
