/**
 * A fake Slack for tests: the few Web API methods the chartlens bot calls, the file-upload URL the
 * SDK posts bytes to, Slack-hosted files (url_private) and slash-command response URLs.
 *
 * It listens on 127.0.0.1 (random port) over real HTTP, so the real `@slack/web-api` WebClient
 * (and Bolt on top of it) can be pointed at it with `slackApiUrl: fake.apiUrl`.
 *
 * What the SDK does (web-api 7.x, node_modules/@slack/web-api/dist/WebClient.js), and so what
 * this fake expects:
 * - Every method is `POST {apiUrl}{method}` with `Authorization: Bearer <token>`; the body is
 *   form-encoded, with object and array values (blocks, files) as JSON text. JSON bodies are
 *   parsed too.
 * - Slack answers HTTP 200 with `{ok:true, ...}` or `{ok:false, error}`; the SDK retries other
 *   statuses for up to half an hour, so this fake answers 200 for every Web API call.
 * - files.uploadV2 = files.getUploadURLExternal (filename, length) -> POST the bytes to
 *   `upload_url` (multipart/form-data, a single file field) -> files.completeUploadExternal
 *   (files: JSON [{id, title}], channel_id, thread_ts).
 * - Bolt calls auth.test when the App is built, to learn the bot's own user and bot ids.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One Web API call as received. */
export interface FakeSlackCall {
  method: string;
  /** Form fields or JSON keys; JSON text values (blocks, files ...) are decoded. */
  args: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** Whether the bearer token matched; calls with a bad token are recorded too. */
  authorized: boolean;
}

/** A chat.postMessage that succeeded. */
export interface FakePost {
  channel: string;
  text?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  blocks?: any[];
  thread_ts?: string;
  /** The ts this fake gave the message. */
  ts: string;
  args: Record<string, unknown>;
}

/** A file whose upload was completed (files.completeUploadExternal) into a channel. */
export interface FakeUpload {
  file_id: string;
  channel_id?: string;
  thread_ts?: string;
  filename: string;
  title?: string;
  bytes: Buffer;
}

export interface FakeResponseUrlPost {
  id: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: IncomingHttpHeaders;
}

export interface FakeDownload {
  name: string;
  /** The Authorization header as sent (undefined when absent). */
  authorization?: string;
  status: number;
}

export interface FakeSlack {
  /** Web API base URL with a trailing slash, e.g. http://127.0.0.1:PORT/api/ */
  apiUrl: string;
  calls: FakeSlackCall[];
  posts: FakePost[];
  uploads: FakeUpload[];
  responseUrlPosts: FakeResponseUrlPost[];
  downloads: FakeDownload[];
  /** A URL on this fake to give a slash command as its response_url; posts to it are recorded under `id`. */
  responseUrl(id: string): string;
  /** Serve `bytes` at a url_private URL that wants `Authorization: Bearer <botToken>` (else 403). */
  serveFile(name: string, bytes: Buffer): string;
  /** Make `method` answer `{ok:false, error}` until cleared with `null`. */
  setFailure(method: string, error: string | null): void;
  /** Forget recorded traffic and failures (served files stay). */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeSlackOptions {
  botToken: string;
}

export const FAKE_BOT_USER_ID = 'UBOT';
export const FAKE_BOT_ID = 'BBOT';
export const FAKE_TEAM_ID = 'T1';

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Decode values the SDK sent as JSON text (blocks, files, attachments ...). */
function decodeJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  if (!(t.startsWith('[') || t.startsWith('{'))) return value;
  try {
    return JSON.parse(t);
  } catch {
    return value;
  }
}

/** Parse a form-encoded or JSON Web API body into an args object. */
export function parseApiBody(contentType: string | undefined, body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (!text) return {};
  let raw: Record<string, unknown>;
  if ((contentType ?? '').includes('application/json')) {
    raw = JSON.parse(text) as Record<string, unknown>;
  } else {
    raw = Object.fromEntries(new URLSearchParams(text));
  }
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, decodeJsonText(v)]));
}

export interface MultipartPart {
  name?: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** A small multipart/form-data parser (enough for what form-data and undici send). */
export function parseMultipart(contentType: string | undefined, body: Buffer): MultipartPart[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  if (!m) throw new Error(`not multipart: ${contentType}`);
  const delimiter = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break; // closing delimiter
    const headerEnd = body.indexOf('\r\n\r\n', start);
    if (headerEnd < 0) break;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) break;
    const head = body.subarray(start, headerEnd).toString('utf8');
    const disposition = /content-disposition:([^\r\n]*)/i.exec(head)?.[1] ?? '';
    parts.push({
      name: /\bname="([^"]*)"/i.exec(disposition)?.[1],
      filename: /\bfilename="([^"]*)"/i.exec(disposition)?.[1],
      contentType: /content-type:\s*([^\r\n]*)/i.exec(head)?.[1],
      data: body.subarray(headerEnd + 4, next),
    });
    pos = next + 2;
  }
  return parts;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const asString = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

export async function startFakeSlack(options: FakeSlackOptions): Promise<FakeSlack> {
  const calls: FakeSlackCall[] = [];
  const posts: FakePost[] = [];
  const uploads: FakeUpload[] = [];
  const responseUrlPosts: FakeResponseUrlPost[] = [];
  const downloads: FakeDownload[] = [];
  const failures = new Map<string, string>();
  const files = new Map<string, Buffer>();
  /** Files announced with getUploadURLExternal; bytes arrive with the upload POST. */
  const pending = new Map<string, { filename: string; length: number; bytes?: Buffer }>();
  const sockets = new Set<Socket>();
  let tsCounter = 0;
  let base = '';

  const bearerOk = (req: IncomingMessage): boolean => req.headers.authorization === `Bearer ${options.botToken}`;
  const nextTs = (): string => `${1_700_000_000 + ++tsCounter}.${String(tsCounter).padStart(6, '0')}`;

  function webApi(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake', user: 'chartlens', team_id: FAKE_TEAM_ID, user_id: FAKE_BOT_USER_ID, bot_id: FAKE_BOT_ID };
      case 'chat.postMessage': {
        const channel = asString(args.channel);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (args.text === undefined && args.blocks === undefined) return { ok: false, error: 'no_text' };
        const ts = nextTs();
        posts.push({
          channel,
          text: asString(args.text),
          blocks: Array.isArray(args.blocks) ? args.blocks : undefined,
          thread_ts: asString(args.thread_ts),
          ts,
          args,
        });
        return { ok: true, channel, ts, message: { text: args.text, ts } };
      }
      case 'files.getUploadURLExternal': {
        const filename = asString(args.filename);
        const length = Number(args.length);
        if (!filename || !Number.isInteger(length) || length <= 0) return { ok: false, error: 'invalid_arguments' };
        const fileId = `F${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
        pending.set(fileId, { filename, length });
        return { ok: true, upload_url: `${base}/upload/${fileId}`, file_id: fileId };
      }
      case 'files.completeUploadExternal': {
        const list = args.files;
        if (!Array.isArray(list) || list.length === 0) return { ok: false, error: 'invalid_arguments' };
        const done: FakeUpload[] = [];
        for (const f of list as { id?: string; title?: string }[]) {
          const p = f.id ? pending.get(f.id) : undefined;
          if (!f.id || !p || !p.bytes) return { ok: false, error: 'file_not_found' };
          done.push({
            file_id: f.id,
            channel_id: asString(args.channel_id),
            thread_ts: asString(args.thread_ts),
            filename: p.filename,
            title: f.title,
            bytes: p.bytes,
          });
        }
        for (const d of done) pending.delete(d.file_id);
        uploads.push(...done);
        return { ok: true, files: done.map((d) => ({ id: d.file_id, name: d.filename, title: d.title })) };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const body = await readBody(req);

    if (req.method === 'POST' && path.startsWith('/api/')) {
      const method = path.slice('/api/'.length);
      let args: Record<string, unknown>;
      try {
        args = parseApiBody(req.headers['content-type'], body);
      } catch {
        return sendJson(res, 200, { ok: false, error: 'invalid_form_data' });
      }
      const authorized = bearerOk(req);
      calls.push({ method, args, headers: req.headers, authorized });
      if (!authorized) return sendJson(res, 200, { ok: false, error: 'invalid_auth' });
      const failure = failures.get(method);
      if (failure) return sendJson(res, 200, { ok: false, error: failure });
      return sendJson(res, 200, webApi(method, args));
    }

    if (req.method === 'POST' && path.startsWith('/upload/')) {
      const fileId = decodeURIComponent(path.slice('/upload/'.length));
      const p = pending.get(fileId);
      if (!bearerOk(req)) return sendJson(res, 401, { ok: false, error: 'invalid_auth' });
      if (!p) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
      const type = req.headers['content-type'] ?? '';
      const bytes = type.startsWith('multipart/') ? (parseMultipart(type, body).find((x) => x.filename !== undefined)?.data ?? Buffer.alloc(0)) : body;
      if (bytes.length !== p.length) return sendJson(res, 400, { ok: false, error: `length mismatch: announced ${p.length}, got ${bytes.length}` });
      p.bytes = Buffer.from(bytes);
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end(`OK - ${bytes.length}`);
    }

    if (req.method === 'GET' && path.startsWith('/files/')) {
      const name = decodeURIComponent(path.slice('/files/'.length));
      const bytes = files.get(name);
      const authorization = req.headers.authorization;
      const status = !bearerOk(req) ? 403 : bytes ? 200 : 404;
      downloads.push({ name, authorization, status });
      if (status !== 200 || !bytes) {
        res.writeHead(status, { 'content-type': 'text/html' });
        return void res.end(status === 403 ? 'forbidden' : 'not found');
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
      return void res.end(bytes);
    }

    if (req.method === 'POST' && path.startsWith('/response/')) {
      const id = decodeURIComponent(path.slice('/response/'.length));
      let parsed: unknown;
      try {
        parsed = parseApiBody(req.headers['content-type'], body);
      } catch {
        parsed = body.toString('utf8');
      }
      responseUrlPosts.push({ id, body: parsed, headers: req.headers });
      return sendJson(res, 200, { ok: true });
    }

    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('no such route on the fake Slack');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: `fake_slack_error: ${(err as Error)?.message}` });
      else res.destroy();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: `${base}/api/`,
    calls,
    posts,
    uploads,
    responseUrlPosts,
    downloads,
    responseUrl: (id) => `${base}/response/${encodeURIComponent(id)}`,
    serveFile(name, bytes) {
      files.set(name, bytes);
      return `${base}/files/${encodeURIComponent(name)}`;
    },
    setFailure(method, error) {
      if (error === null) failures.delete(method);
      else failures.set(method, error);
    },
    reset() {
      calls.length = 0;
      posts.length = 0;
      uploads.length = 0;
      responseUrlPosts.length = 0;
      downloads.length = 0;
      failures.clear();
      pending.clear();
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
