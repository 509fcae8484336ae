/**
 * Signed Slack HTTP requests for the bot's /slack/events endpoint: slash commands (form-encoded)
 * and Events API callbacks (JSON), as Slack sends them.
 *
 * Slack signs `v0:${timestamp}:${rawBody}` with HMAC-SHA256 under the app's signing secret and
 * sends `x-slack-signature: v0=<hex>` and `x-slack-request-timestamp: <unix seconds>`; Bolt
 * rejects a wrong signature or a timestamp older than 5 minutes with 401. A redelivery carries
 * `x-slack-retry-num` (and `x-slack-retry-reason`).
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { SlackFile, SlackMessage } from '../../src/entry/slack/bot.ts';

export interface SigningOptions {
  signingSecret: string;
  /** Unix seconds to sign with; default now. */
  timestamp?: number;
  /** Sign with a timestamp this many seconds in the past (e.g. 6 * 60 for a stale request). */
  ageSeconds?: number;
  /** Send a signature that does not match (signed with another secret). */
  badSignature?: boolean;
  /** Add X-Slack-Retry-Num (and X-Slack-Retry-Reason). */
  retryNum?: number;
  retryReason?: string;
}

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/** `v0=` + HMAC-SHA256(secret, `v0:${timestamp}:${body}`) in hex. */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

function sign(body: string, contentType: string, o: SigningOptions): SignedRequest {
  const timestamp = (o.timestamp ?? Math.floor(Date.now() / 1000)) - (o.ageSeconds ?? 0);
  const secret = o.badSignature ? `${o.signingSecret}-not` : o.signingSecret;
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(secret, timestamp, body),
  };
  if (o.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(o.retryNum);
    headers['x-slack-retry-reason'] = o.retryReason ?? 'http_timeout';
  }
  return { body, headers };
}

export interface SlashCommandFields {
  text: string;
  user_id: string;
  channel_id: string;
  response_url: string;
  command?: string;
  trigger_id?: string;
  team_id?: string;
  user_name?: string;
  channel_name?: string;
}

/** A signed `/chartlens ...` slash command (application/x-www-form-urlencoded). */
export function slashCommandRequest(fields: SlashCommandFields, o: SigningOptions): SignedRequest {
  const form = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: fields.team_id ?? 'T1',
    team_domain: 'fake',
    channel_id: fields.channel_id,
    channel_name: fields.channel_name ?? 'markets',
    user_id: fields.user_id,
    user_name: fields.user_name ?? 'trader',
    command: fields.command ?? '/chartlens',
    text: fields.text,
    api_app_id: 'A1',
    is_enterprise_install: 'false',
    response_url: fields.response_url,
    trigger_id: fields.trigger_id ?? `${Date.now()}.1.${randomUUID().slice(0, 8)}`,
  });
  return sign(form.toString(), 'application/x-www-form-urlencoded', o);
}

/** A file share in a message event: the fields the bot reads, with a required name and an id. */
export interface SlackFileShare extends SlackFile {
  id?: string;
  name: string;
}

/** A message or app_mention event as Slack sends it: what the bot reads, plus the test's extras. */
export interface SlackMessageEvent extends Omit<SlackMessage, 'files'> {
  type: 'app_mention' | 'message';
  channel_type?: 'channel' | 'group' | 'im' | 'mpim';
  files?: SlackFileShare[];
  /** message_changed / message_deleted carry the message elsewhere. */
  message?: Record<string, unknown>;
  previous_message?: Record<string, unknown>;
  deleted_ts?: string;
  hidden?: boolean;
}

/** A unique message ts, Slack-style ("seconds.micro"). */
export function newTs(): string {
  const now = Date.now();
  return `${Math.floor(now / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
}

/** A signed Events API `event_callback` (application/json). */
export function eventCallbackRequest(event: SlackMessageEvent, o: SigningOptions & { eventId?: string; teamId?: string }): SignedRequest {
  const teamId = o.teamId ?? 'T1';
  const body = JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: teamId,
    api_app_id: 'A1',
    event: { event_ts: event.ts, ...event },
    type: 'event_callback',
    event_id: o.eventId ?? `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: teamId, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  });
  return sign(body, 'application/json', o);
}

/** A file share as it appears in a message event, for bytes served at `url`. */
export function pngFileShare(url: string, size: number, name = 'chart.png'): SlackFileShare {
  return { id: `F${randomUUID().slice(0, 8).toUpperCase()}`, name, filetype: 'png', mimetype: 'image/png', size, url_private: url };
}

/** POST a signed request to the bot (e.g. http://127.0.0.1:PORT/slack/events). */
export function sendToBot(url: string, req: SignedRequest): Promise<Response> {
  return fetch(url, { method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(10_000) });
}
