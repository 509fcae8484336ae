/**
 * A fake OpenAI-compatible Chat Completions server for tests.
 *
 * It listens on 127.0.0.1 (random port) over real HTTP, so the real `openai` SDK (v6) can be
 * pointed at it with `new OpenAI({ baseURL: fake.url, apiKey: 'test' })` and exercises its own
 * retry, timeout and error-mapping code. Only POST {base}/chat/completions is served, without
 * streaming. Replies are scripted with `enqueue` (one per request, in order) and `setFallback`.
 *
 * SDK behaviours this relies on (openai 6.x, node_modules/openai/client.js):
 * - Retries (default maxRetries 2) on 408, 409, 429 and >= 500, or whenever the response carries
 *   `x-should-retry: true`; never when it carries `x-should-retry: false`.
 * - The delay before a retry is `retry-after-ms` (milliseconds) if present, else `retry-after`
 *   (seconds or an HTTP date), else exponential backoff 0.5 s, 1 s, 2 s ... (max 8 s, up to 25%
 *   jitter subtracted).
 * - Errors are mapped by status (400 BadRequestError, 401 AuthenticationError, 404 NotFoundError,
 *   429 RateLimitError, >= 500 InternalServerError ...); their message is "<status> <error.message>"
 *   taken from the `{ error: { message, type, param, code } }` body, and `requestID` is the
 *   `x-request-id` header (also exposed as the non-enumerable `_request_id` on successful bodies).
 * - A success body is only parsed as JSON when content-type is application/json.
 * - Default timeout is 10 minutes per attempt; a timeout raises APIConnectionTimeoutError (after
 *   retries, which also apply to connection errors and timeouts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens?: number;
}

export type FakeReply =
  /** A normal completion whose message.content is JSON.stringify(body). */
  | { kind: 'json'; body: unknown; usage?: FakeUsage }
  /** Raw message content (invalid JSON, prose, or truncated output with finishReason 'length'). */
  | { kind: 'text'; content: string; usage?: FakeUsage; finishReason?: 'stop' | 'length' }
  /** message.refusal set and content null, as OpenAI does for structured-output refusals. */
  | { kind: 'refusal'; refusal: string }
  /**
   * An HTTP error. `body` defaults to an OpenAI-style `{ error: { message, type, param, code } }`;
   * an object body is sent as JSON, a string body verbatim. `headers` are added to (and may
   * override) the defaults, e.g. `{ 'retry-after': '1' }`.
   */
  | { kind: 'error'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Waits `delayMs` (cancelled if the client disconnects), then answers with `then`. */
  | { kind: 'slow'; delayMs: number; then: FakeReply }
  /** Never answers, until the client disconnects or the server is closed. */
  | { kind: 'hang' }
  /**
   * 400 with an OpenAI-style error naming response_format when the request's
   * `response_format.type` is one of `formats`; otherwise answers with `then`.
   */
  | { kind: 'reject_response_format'; formats: ('json_schema' | 'json_object')[]; then: FakeReply };

export interface RecordedRequest {
  method: string;
  /** The request target as sent (path plus any query string). */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; the raw text when it was not valid JSON; undefined when empty. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Date.now() when the request body had been read. */
  receivedAt: number;
}

export interface FakeOpenAI {
  /** Base URL to pass as the SDK's baseURL, e.g. http://127.0.0.1:PORT/v1 */
  url: string;
  /** Every request received, in arrival order, including those answered with errors. */
  requests: RecordedRequest[];
  /** Queue replies consumed in order, one per request; when the queue is empty use the fallback. */
  enqueue(...replies: FakeReply[]): void;
  setFallback(reply: FakeReply | ((req: RecordedRequest) => FakeReply)): void;
  /** Clears the queue, the recorded requests and the fallback. */
  reset(): void;
  /** Closes the server and destroys open sockets (hanging and slow requests too). */
  close(): Promise<void>;
}

export interface FakeOpenAIOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>`, else 401. */
  apiKey?: string;
  /** A fixed delay added before every reply (a timer; requests are not serialised). */
  latencyMs?: number;
}

const CHAT_PATH = '/v1/chat/completions';

/**
 * Used when the queue is empty and no fallback is set: a 500 the SDK will not retry
 * (`x-should-retry: false`), so a missing script fails fast and loudly.
 */
const NO_REPLY: FakeReply = {
  kind: 'error',
  status: 500,
  body: {
    error: {
      message: 'fake-openai: no reply queued and no fallback set',
      type: 'server_error',
      param: null,
      code: 'fake_no_reply',
    },
  },
  headers: { 'x-should-retry': 'false' },
};

function errorType(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 404) return 'invalid_request_error';
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function errorBody(status: number, message: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type: errorType(status), param, code } };
}

/** Prompt token estimate: 1000 plus 255 per image_url content part. */
function countImageParts(body: unknown): number {
  const messages = (body as { messages?: unknown })?.messages;
  if (!Array.isArray(messages)) return 0;
  let n = 0;
  for (const m of messages) {
    const content = (m as { content?: unknown })?.content;
    if (!Array.isArray(content)) continue;
    for (const part of content) if ((part as { type?: unknown })?.type === 'image_url') n++;
  }
  return n;
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const latencyMs = Math.max(0, options.latencyMs ?? 0);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let queue: FakeReply[] = [];
  let fallback: FakeReply | ((req: RecordedRequest) => FakeReply) | undefined;
  const requests: RecordedRequest[] = [];
  let counter = 0;
  let closed = false;

  /** Resolves true after `ms`, or false as soon as the client goes away (timer cleared). */
  function wait(ms: number, gone: AbortSignal): Promise<boolean> {
    if (gone.aborted) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onGone = () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        timers.delete(timer);
        gone.removeEventListener('abort', onGone);
        resolve(true);
      }, ms);
      timers.add(timer);
      gone.addEventListener('abort', onGone, { once: true });
    });
  }

  function send(res: ServerResponse, n: number, status: number, body: unknown, extraHeaders: Record<string, string> = {}) {
    if (res.writableEnded || res.destroyed) return;
    const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-request-id': `req_fake_${n}`,
    };
    for (const [k, v] of Object.entries(extraHeaders)) headers[k.toLowerCase()] = v;
    headers['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(status, headers);
    res.end(text);
  }

  function completion(n: number, body: any, content: string | null, refusal: string | null, finishReason: string, usage?: FakeUsage) { // eslint-disable-line @typescript-eslint/no-explicit-any
    const prompt = usage?.prompt_tokens ?? 1000 + countImageParts(body) * 255;
    const completionTokens = usage?.completion_tokens ?? 200;
    return {
      id: `chatcmpl-fake-${n}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: typeof body?.model === 'string' ? body.model : 'fake-model',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal, annotations: [] },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completionTokens,
        total_tokens: prompt + completionTokens,
        prompt_tokens_details: { cached_tokens: usage?.cached_tokens ?? 0, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
    };
  }

  async function answer(res: ServerResponse, n: number, rec: RecordedRequest, reply: FakeReply, gone: AbortSignal): Promise<void> {
    switch (reply.kind) {
      case 'json':
        return send(res, n, 200, completion(n, rec.body, JSON.stringify(reply.body), null, 'stop', reply.usage));
      case 'text':
        return send(res, n, 200, completion(n, rec.body, reply.content, null, reply.finishReason ?? 'stop', reply.usage));
      case 'refusal':
        return send(res, n, 200, completion(n, rec.body, null, reply.refusal, 'stop'));
      case 'error': {
        const code = reply.status === 429 ? 'rate_limit_exceeded' : null;
        const body =
          reply.body === undefined ? errorBody(reply.status, `fake-openai: error ${reply.status}`, null, code) : reply.body;
        return send(res, n, reply.status, body, reply.headers);
      }
      case 'slow':
        if (await wait(reply.delayMs, gone)) await answer(res, n, rec, reply.then, gone);
        return;
      case 'hang':
        return; // the socket is destroyed by the client or by close()
      case 'reject_response_format': {
        const type = rec.body?.response_format?.type;
        if (typeof type === 'string' && (reply.formats as string[]).includes(type)) {
          const message = `Invalid parameter: 'response_format' of type '${type}' is not supported with this model.`;
          return send(res, n, 400, errorBody(400, message, 'response_format', null));
        }
        return answer(res, n, rec, reply.then, gone);
      }
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const n = ++counter;
    const controller = new AbortController();
    // 'close' before the response was fully written means the client (or close()) went away.
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');

    let body: unknown = raw === '' ? undefined : raw;
    let malformed = false;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        malformed = true;
      }
    }
    const rec: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: { ...req.headers },
      body,
      receivedAt: Date.now(),
    };
    requests.push(rec);

    const pathname = new URL(req.url ?? '/', 'http://fake').pathname.replace(/\/+$/, '');
    let protocolError: { status: number; body: unknown } | undefined;
    if (req.method !== 'POST' || pathname !== CHAT_PATH) {
      protocolError = {
        status: 404,
        body: errorBody(404, `fake-openai: unknown route ${req.method} ${pathname}`, null, 'unknown_url'),
      };
    } else if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      protocolError = {
        status: 401,
        body: errorBody(401, 'Incorrect API key provided.', null, 'invalid_api_key'),
      };
    } else if (malformed || typeof body !== 'object' || body === null || Array.isArray(body)) {
      protocolError = {
        status: 400,
        body: errorBody(400, 'We could not parse the JSON body of your request.', null, null),
      };
    } else if ((body as { stream?: unknown }).stream === true) {
      protocolError = {
        status: 400,
        body: errorBody(400, 'fake-openai: streaming is not supported', 'stream', 'unsupported_value'),
      };
    }

    // Protocol errors do not consume a scripted reply.
    let reply: FakeReply;
    if (protocolError) {
      reply = { kind: 'error', status: protocolError.status, body: protocolError.body };
    } else {
      const next = queue.shift();
      if (next) reply = next;
      else if (typeof fallback === 'function') reply = fallback(rec);
      else reply = fallback ?? NO_REPLY;
    }

    if (!(await wait(latencyMs, controller.signal))) return;
    await answer(res, n, rec, reply, controller.signal);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        const message = `fake-openai: ${err instanceof Error ? err.message : String(err)}`;
        send(res, counter, 500, errorBody(500, message));
      } else {
        res.destroy();
      }
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue(...replies: FakeReply[]) {
      queue.push(...replies);
    },
    setFallback(reply) {
      fallback = reply;
    },
    reset() {
      queue = [];
      requests.length = 0;
      fallback = undefined;
    },
    async close() {
      if (closed) return;
      closed = true;
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await done;
    },
  };
}
