/**
 * A fake crypto-exchange HTTP server for tests: the public market-data endpoints ccxt calls for
 * binance, kraken and coinbase, answered from testing/market-fixtures/<exchange>/ in each exchange's
 * documented response shape (generated, not recorded: see market-fixtures/README-exchanges.md).
 *
 * One server on 127.0.0.1 (random port) answers all three; their paths do not overlap:
 *   binance   GET /api/v3/exchangeInfo, /api/v3/klines
 *   kraken    GET /0/public/Assets, /0/public/AssetPairs, /0/public/OHLC
 *   coinbase  GET /v2/currencies, /v2/currencies/crypto, /v2/exchange-rates,
 *             /api/v3/brokerage/market/products, /api/v3/brokerage/market/products/{id}/candles
 * Anything else is a 404, and every request is recorded, so a test can prove nothing else was asked.
 *
 * Query parameters are honoured as the exchanges document them: binance startTime/endTime/limit
 * (default 500, at most 1000)/interval; kraken pair/interval/since (exclusive, seconds) over the
 * newest 720 entries only; coinbase start/end (seconds, inclusive)/granularity, at most 350 candles.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, 'market-fixtures');

/** One request as the fake saw it. */
export interface RecordedExchangeRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: Record<string, string>;
}

/** Which requests a failure mode applies to, and how it answers. */
export interface FailureOptions {
  /** Sent as the Retry-After header (seconds, or an HTTP date as text). */
  retryAfter?: number | string;
  /** Replaces the exchange-style error body: an object is sent as JSON, a string verbatim. */
  body?: unknown;
  /** How many matching requests fail; every one until reset() when absent. */
  times?: number;
  /** Only requests whose path contains this text fail. */
  path?: string;
}

/** A running fake: its URL, what it was asked, and the switches that make it misbehave. */
export interface FakeExchange {
  /** Base URL (no trailing slash) to give the adapter as `baseUrl`. */
  url: string;
  /** Every request received, in arrival order (cleared by reset()). */
  requests: RecordedExchangeRequest[];
  /** The fixtures' clock (epoch ms): each series' last bar is the one forming at this instant. */
  now: number;
  /** Answer matching requests with this HTTP status and an exchange-style error body. */
  fail(status: number, options?: FailureOptions): void;
  /** Never answer matching requests (until the client gives up or the server closes). */
  hang(options?: Pick<FailureOptions, 'times' | 'path'>): void;
  /** Answer matching requests 200 with a body that is not the exchange's JSON (an HTML page by default). */
  garbage(options?: Pick<FailureOptions, 'times' | 'path'> & { body?: string }): void;
  /** Forget failure modes and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

type Mode =
  | { kind: 'fail'; status: number; retryAfter?: number | string; body?: unknown; left: number; path?: string }
  | { kind: 'hang'; left: number; path?: string }
  | { kind: 'garbage'; body?: string; left: number; path?: string };

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const json = (status: number, body: unknown): Reply => ({ status, body });

function readJson(exchange: string, file: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURES, exchange, file), 'utf8'));
}

interface Manifest {
  now: string;
  series: { id: string; interval: string; file: string }[];
}

/** Each exchange's series keyed `id|interval`, in the file's own shape. */
function loadSeries<T>(exchange: string, rows: (file: unknown, id: string) => T[]): { now: number; series: Map<string, T[]> } {
  const manifest = readJson(exchange, 'manifest.json') as Manifest;
  const series = new Map<string, T[]>();
  for (const s of manifest.series) series.set(`${s.id}|${s.interval}`, rows(readJson(exchange, s.file), s.id));
  return { now: Date.parse(manifest.now), series };
}

const int = (text: string | undefined): number | undefined => (text === undefined || text === '' ? undefined : Number(text));

// ------------------------------------------------------------------------------------ binance

type Kline = [number, ...unknown[]];
const BINANCE_INTERVALS = ['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M'];

function binanceRoutes() {
  const info = readJson('binance', 'exchangeInfo.json') as { symbols: { symbol: string }[] };
  const listed = new Set(info.symbols.map((s) => s.symbol));
  const { now, series } = loadSeries<Kline>('binance', (file) => file as Kline[]);
  const error = (code: number, msg: string): Reply => json(400, { code, msg });

  function klines(q: Record<string, string>): Reply {
    if (!q.symbol) return error(-1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    if (!listed.has(q.symbol)) return error(-1121, 'Invalid symbol.');
    if (!BINANCE_INTERVALS.includes(q.interval)) return error(-1120, 'Invalid interval.');
    const limit = int(q.limit) ?? 500;
    const start = int(q.startTime);
    const end = int(q.endTime);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || Number.isNaN(start) || Number.isNaN(end)) {
      return error(-1130, 'Invalid data sent for a parameter.');
    }
    const rows = (series.get(`${q.symbol}|${q.interval}`) ?? []).filter((k) => (start === undefined || k[0] >= start) && (end === undefined || k[0] <= end));
    // From startTime forward when it is given; otherwise the newest bars.
    return json(200, start !== undefined ? rows.slice(0, limit) : rows.slice(-limit));
  }

  return {
    now,
    route(path: string, q: Record<string, string>): Reply | undefined {
      if (path === '/api/v3/exchangeInfo') return json(200, info);
      if (path === '/api/v3/klines') return klines(q);
      return undefined;
    },
  };
}

// ------------------------------------------------------------------------------------- kraken

type KrakenEntry = [number, ...unknown[]];
const KRAKEN_INTERVALS = ['1', '5', '15', '30', '60', '240', '1440', '10080', '21600'];
/** Kraken serves only its newest 720 OHLC entries, whatever `since` asks for. */
const KRAKEN_WINDOW = 720;

function krakenRoutes() {
  const assets = readJson('kraken', 'Assets.json');
  const pairs = readJson('kraken', 'AssetPairs.json') as { result: Record<string, { altname: string }> };
  const { now, series } = loadSeries<KrakenEntry>('kraken', (file, id) => (file as { result: Record<string, KrakenEntry[]> }).result[id]);
  const error = (...messages: string[]): Reply => json(200, { error: messages });

  function ohlc(q: Record<string, string>): Reply {
    const pair = Object.keys(pairs.result).find((id) => id === q.pair || pairs.result[id].altname === q.pair);
    if (!pair) return error('EQuery:Unknown asset pair');
    const interval = q.interval ?? '1';
    const since = int(q.since);
    if (!KRAKEN_INTERVALS.includes(interval) || Number.isNaN(since)) return error('EGeneral:Invalid arguments');
    const window = (series.get(`${pair}|${interval}`) ?? []).slice(-KRAKEN_WINDOW);
    const rows = since === undefined ? window : window.filter((e) => e[0] > since);
    // `last` is the newest committed (not still forming) entry, to poll from next time.
    return json(200, { error: [], result: { [pair]: rows, last: window.at(-2)?.[0] ?? since ?? 0 } });
  }

  return {
    now,
    route(path: string, q: Record<string, string>): Reply | undefined {
      if (path === '/0/public/Assets') return json(200, assets);
      if (path === '/0/public/AssetPairs') return json(200, pairs);
      if (path === '/0/public/OHLC') return ohlc(q);
      return undefined;
    },
  };
}

// ----------------------------------------------------------------------------------- coinbase

interface CoinbaseCandle {
  start: string;
}
const COINBASE_GRANULARITY: Record<string, number> = {
  ONE_MINUTE: 60, FIVE_MINUTE: 300, FIFTEEN_MINUTE: 900, THIRTY_MINUTE: 1800, ONE_HOUR: 3600, TWO_HOUR: 7200, SIX_HOUR: 21600, ONE_DAY: 86400,
};
const COINBASE_MAX_CANDLES = 350;
const CANDLES_PATH = /^\/api\/v3\/brokerage\/market\/products\/([^/]+)\/candles$/;

function coinbaseRoutes() {
  const products = readJson('coinbase', 'products.json') as { products: { product_id: string }[] };
  const statics: Record<string, unknown> = {
    '/v2/currencies': readJson('coinbase', 'currencies.json'),
    '/v2/currencies/crypto': readJson('coinbase', 'currencies-crypto.json'),
    '/v2/exchange-rates': readJson('coinbase', 'exchange-rates.json'),
  };
  const { now, series } = loadSeries<CoinbaseCandle>('coinbase', (file) => (file as { candles: CoinbaseCandle[] }).candles);
  const error = (status: number, code: string, message: string): Reply => json(status, { error: code, error_details: message, message });

  function candles(productId: string, q: Record<string, string>): Reply {
    if (!products.products.some((p) => p.product_id === productId)) return error(404, 'NOT_FOUND', 'ProductID not found');
    const seconds = COINBASE_GRANULARITY[q.granularity];
    const start = int(q.start);
    const end = int(q.end);
    if (!seconds || start === undefined || end === undefined || Number.isNaN(start) || Number.isNaN(end) || end < start) {
      return error(400, 'INVALID_ARGUMENT', 'start, end and granularity are required');
    }
    if ((end - start) / seconds > COINBASE_MAX_CANDLES) {
      return error(400, 'INVALID_ARGUMENT', `number of candles requested should be less than ${COINBASE_MAX_CANDLES}`);
    }
    // The fixture is newest first, as Coinbase answers.
    const rows = (series.get(`${productId}|${q.granularity}`) ?? []).filter((c) => Number(c.start) >= start && Number(c.start) <= end);
    const limit = int(q.limit);
    return json(200, { candles: limit ? rows.slice(0, limit) : rows });
  }

  return {
    now,
    route(path: string, q: Record<string, string>): Reply | undefined {
      if (Object.hasOwn(statics, path)) return json(200, statics[path]);
      // ccxt also asks for futures and perpetuals; this fake lists spot products only.
      if (path === '/api/v3/brokerage/market/products') return json(200, q.product_type && q.product_type !== 'SPOT' ? { products: [], num_products: 0 } : products);
      const m = CANDLES_PATH.exec(path);
      return m ? candles(decodeURIComponent(m[1]), q) : undefined;
    },
  };
}

// ------------------------------------------------------------------------------ failure modes

/** The error body each exchange sends for a status, so ccxt takes its own error-parsing path. */
function errorBody(path: string, status: number): unknown {
  if (path.startsWith('/0/')) {
    return { error: [status === 429 ? 'EAPI:Rate limit exceeded' : status >= 500 ? 'EService:Unavailable' : 'EGeneral:Invalid arguments'] };
  }
  if (path.startsWith('/v2/') || path.startsWith('/api/v3/brokerage/')) {
    const [code, message] = status === 429 ? ['RATE_LIMIT_EXCEEDED', 'Too many requests'] : status >= 500 ? ['INTERNAL', 'internal error'] : ['INVALID_ARGUMENT', 'bad request'];
    return { error: code, error_details: message, message };
  }
  if (status === 429) return { code: -1003, msg: 'Too many requests' };
  if (status === 418) return { code: -1003, msg: 'Way too many requests; IP banned.' };
  if (status >= 500) return { code: -1001, msg: 'Internal error; unable to process your request. Please try your request again.' };
  return { code: -1000, msg: 'An unknown error occurred while processing the request.' };
}

const GARBAGE = '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>';

function send(res: ServerResponse, reply: Reply): void {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const type = typeof reply.body === 'string' ? 'text/html; charset=utf-8' : 'application/json;charset=UTF-8';
  res.writeHead(reply.status, { 'content-type': type, ...reply.headers });
  res.end(text);
}

/** Start the fake on 127.0.0.1 with a random port. */
export async function startFakeExchange(): Promise<FakeExchange> {
  const exchanges = [binanceRoutes(), krakenRoutes(), coinbaseRoutes()];
  const requests: RecordedExchangeRequest[] = [];
  const modes: Mode[] = [];

  function takeMode(path: string): Mode | undefined {
    const mode = modes.find((m) => m.left > 0 && (m.path === undefined || path.includes(m.path)));
    if (mode) mode.left--;
    return mode;
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query });
    const mode = takeMode(url.pathname);
    if (mode?.kind === 'hang') return;
    if (mode?.kind === 'garbage') return send(res, { status: 200, body: mode.body ?? GARBAGE });
    if (mode?.kind === 'fail') {
      const headers: Record<string, string> = mode.retryAfter === undefined ? {} : { 'retry-after': String(mode.retryAfter) };
      return send(res, { status: mode.status, body: mode.body ?? errorBody(url.pathname, mode.status), headers });
    }
    const reply = req.method === 'GET' ? exchanges.map((e) => e.route(url.pathname, query)).find((r) => r !== undefined) : undefined;
    send(res, reply ?? { status: 404, body: { error: 'not_found', path: url.pathname } });
  }

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const times = (t: number | undefined): number => t ?? Number.POSITIVE_INFINITY;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    now: exchanges[0].now,
    fail(status, options = {}) {
      modes.push({ kind: 'fail', status, retryAfter: options.retryAfter, body: options.body, left: times(options.times), path: options.path });
    },
    hang(options = {}) {
      modes.push({ kind: 'hang', left: times(options.times), path: options.path });
    },
    garbage(options = {}) {
      modes.push({ kind: 'garbage', body: options.body, left: times(options.times), path: options.path });
    },
    reset() {
      modes.length = 0;
      requests.length = 0;
    },
    close() {
      // Hung requests keep their sockets open; drop them so close() does not wait for them.
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
