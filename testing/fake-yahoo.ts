/**
 * A fake Yahoo Finance for tests, on 127.0.0.1 (random port) over real HTTP, so the Yahoo adapter
 * and yahoo-finance2 run unchanged with every Yahoo host replaced by `fake.url`.
 *
 * It serves what the library may call, all on one origin:
 * - `GET /v8/finance/chart/{symbol}` from `testing/market-fixtures/yahoo/{SYMBOL}.{interval}.json`,
 *   cut to `period1 <= timestamp < period2` as Yahoo does. A symbol with no fixture gets Yahoo's
 *   404 `{"chart":{"result":null,"error":{"code":"Not Found",...}}}`; an interval Yahoo lacks (4h)
 *   Yahoo's 400; a known symbol at an interval with no fixture a 422 naming the missing file, so a
 *   test never mistakes a gap in the fixtures for an unknown symbol. A window with no bars answers
 *   like Yahoo: meta and no `timestamp`.
 * - The cookie and crumb steps: `GET /` (fc.yahoo.com: 404 with a cookie), `GET /quote/{symbol}`
 *   (finance.yahoo.com: a page with a cookie) and `GET /v1/test/getcrumb` (the crumb as text).
 *
 * Every request is recorded; `fail`, `hang` and `garbage` switch every answer to an outage until
 * `reset`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** Where the fixtures live; make-fixtures.mjs there writes them. */
export const YAHOO_FIXTURES_DIR = join(import.meta.dirname, 'market-fixtures', 'yahoo');

/** The crumb the fake hands out. */
export const FAKE_CRUMB = 'fake-crumb-0123';

/** The intervals Yahoo's chart endpoint accepts. */
const YAHOO_INTERVALS = ['1m', '2m', '5m', '15m', '30m', '60m', '90m', '1h', '1d', '5d', '1wk', '1mo', '3mo'];

/** One request the fake received. */
export interface FakeYahooRequest {
  method: string;
  /** The path, percent-decoded: `/v8/finance/chart/^GSPC`. */
  path: string;
  /** The query parameters, last value wins. */
  query: Record<string, string>;
  /** The Host header the client sent. */
  host: string | undefined;
}

/** How the fake answers until `reset`. */
type Mode = { kind: 'replay' } | { kind: 'fail'; status: number; retryAfter?: string } | { kind: 'hang' } | { kind: 'garbage' };

/** A running fake Yahoo. */
export interface FakeYahoo {
  /** `http://127.0.0.1:{port}`: the adapter's baseUrl. */
  url: string;
  /** Every request so far, oldest first. */
  requests: FakeYahooRequest[];
  /** Answer every request with `status` (a text body, as Yahoo's 429 is), with Retry-After when given. */
  fail(status: number, options?: { retryAfter?: number | string }): void;
  /** Never answer: requests wait until the client gives up or the fake closes. */
  hang(): void;
  /** Answer every request 200 with an HTML page, as a captive portal or an error page would. */
  garbage(): void;
  /** Back to replaying fixtures, with an empty request log. */
  reset(): void;
  close(): Promise<void>;
}

/** Yahoo's chart answer (the parts the fake reads or cuts). */
interface ChartFixture {
  chart: {
    result: Array<{
      meta: Record<string, unknown>;
      timestamp: number[];
      indicators: { quote: Array<Record<string, Array<number | null>>>; adjclose?: Array<Record<string, Array<number | null>>> };
    }>;
    error: null;
  };
}

/** The fixtures by `SYMBOL.interval`, read once at start. */
function loadFixtures(dir: string): Map<string, ChartFixture> {
  const fixtures = new Map<string, ChartFixture>();
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    fixtures.set(name.slice(0, -'.json'.length).toUpperCase(), JSON.parse(readFileSync(join(dir, name), 'utf8')) as ChartFixture);
  }
  return fixtures;
}

/** The fixture cut to the bars in [period1, period2), as Yahoo answers a window. */
function cutToWindow(fixture: ChartFixture, period1: number, period2: number): unknown {
  const result = fixture.chart.result[0];
  const keep = result.timestamp.map((t, i) => (t >= period1 && t < period2 ? i : -1)).filter((i) => i >= 0);
  const pick = (columns: Record<string, Array<number | null>>) => Object.fromEntries(Object.entries(columns).map(([k, v]) => [k, keep.map((i) => v[i])]));
  // Yahoo's answer for a window without bars: meta, no timestamp, empty indicator objects.
  if (keep.length === 0) {
    const empty = { quote: [{}], ...(result.indicators.adjclose ? { adjclose: [{}] } : {}) };
    return { chart: { result: [{ meta: result.meta, indicators: empty }], error: null } };
  }
  const indicators = {
    quote: result.indicators.quote.map(pick),
    ...(result.indicators.adjclose ? { adjclose: result.indicators.adjclose.map(pick) } : {}),
  };
  return { chart: { result: [{ meta: result.meta, timestamp: keep.map((i) => result.timestamp[i]), indicators }], error: null } };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
  res.end(JSON.stringify(body));
}

function chartError(res: ServerResponse, status: number, code: string, description: string): void {
  sendJson(res, status, { chart: { result: null, error: { code, description } } });
}

/** Answers a chart request from the fixtures. */
function answerChart(res: ServerResponse, symbol: string, query: Record<string, string>, fixtures: Map<string, ChartFixture>): void {
  const interval = query.interval ?? '1d';
  if (!YAHOO_INTERVALS.includes(interval)) {
    chartError(res, 400, 'Bad Request', `Invalid input - interval=${interval} is not supported. Valid intervals: [${YAHOO_INTERVALS.join(', ')}]`);
    return;
  }
  const upper = symbol.toUpperCase();
  const fixture = fixtures.get(`${upper}.${interval.toUpperCase()}`);
  if (!fixture) {
    if ([...fixtures.keys()].some((k) => k.startsWith(`${upper}.`))) {
      chartError(res, 422, 'Unprocessable Entity', `fake-yahoo has no fixture ${symbol}.${interval}.json`);
    } else {
      chartError(res, 404, 'Not Found', 'No data found, symbol may be delisted');
    }
    return;
  }
  const period1 = query.period1 === undefined ? Number.NEGATIVE_INFINITY : Number(query.period1);
  const period2 = query.period2 === undefined ? Number.POSITIVE_INFINITY : Number(query.period2);
  sendJson(res, 200, cutToWindow(fixture, period1, period2));
}

const WEEK_S = 7 * 86_400;

/**
 * Moves every fixture by whole weeks (weekdays and session hours stay as recorded) so that its last
 * bar falls in the week before `endAt` (epoch ms): a client asking for "the last N bars" of today
 * then finds them, without a pinned clock.
 */
function shiftToEnd(fixtures: Map<string, ChartFixture>, endAt: number): void {
  for (const fixture of fixtures.values()) {
    const result = fixture.chart.result[0];
    const last = result.timestamp.at(-1);
    if (last === undefined) continue;
    const shift = Math.floor((endAt / 1000 - last) / WEEK_S) * WEEK_S;
    result.timestamp = result.timestamp.map((t) => t + shift);
  }
}

/**
 * Starts a fake Yahoo on 127.0.0.1; `fixturesDir` defaults to testing/market-fixtures/yahoo. With
 * `endAt` the fixtures are moved by whole weeks to end just before it (see `shiftToEnd`).
 */
export async function startFakeYahoo(options: { fixturesDir?: string; endAt?: number } = {}): Promise<FakeYahoo> {
  const fixtures = loadFixtures(options.fixturesDir ?? YAHOO_FIXTURES_DIR);
  if (options.endAt !== undefined) shiftToEnd(fixtures, options.endAt);
  const requests: FakeYahooRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let mode: Mode = { kind: 'replay' };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    let path = url.pathname;
    try {
      path = decodeURIComponent(path);
    } catch {
      // A malformed escape stays as sent; it matches no route.
    }
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method ?? 'GET', path, query, host: req.headers.host });

    if (mode.kind === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (mode.kind === 'fail') {
      res.writeHead(mode.status, { 'content-type': 'text/plain', ...(mode.retryAfter === undefined ? {} : { 'retry-after': mode.retryAfter }) });
      res.end(mode.status === 429 ? 'Too Many Requests\r\n' : `Fake outage (HTTP ${mode.status})\r\n`);
      return;
    }
    if (mode.kind === 'garbage') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><head><title>Yahoo</title></head><body>Will be right back...</body></html>');
      return;
    }

    const chart = /^\/v8\/finance\/chart\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && chart) {
      answerChart(res, chart[1], query, fixtures);
    } else if (req.method === 'GET' && path === '/v1/test/getcrumb') {
      res.writeHead(200, { 'content-type': 'text/plain;charset=utf-8' });
      res.end(FAKE_CRUMB);
    } else if (req.method === 'GET' && (path === '/' || path.startsWith('/quote/'))) {
      // Yahoo sets its session cookie on fc.yahoo.com's 404 and on the quote page alike.
      res.writeHead(path === '/' ? 404 : 200, {
        'content-type': 'text/html; charset=utf-8',
        'set-cookie': 'A3=d=fake-session&S=fake; Max-Age=31557600; Domain=.yahoo.com; Path=/; Secure; HttpOnly; SameSite=None',
      });
      res.end('<!doctype html><html><body>fake Yahoo</body></html>');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`fake-yahoo does not serve ${req.method} ${path}\n`);
    }
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const endHanging = (): void => {
    for (const res of hanging) res.destroy();
    hanging.clear();
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail(status, failOptions = {}) {
      mode = { kind: 'fail', status, ...(failOptions.retryAfter === undefined ? {} : { retryAfter: String(failOptions.retryAfter) }) };
    },
    hang() {
      mode = { kind: 'hang' };
    },
    garbage() {
      mode = { kind: 'garbage' };
    },
    reset() {
      endHanging();
      mode = { kind: 'replay' };
      requests.length = 0;
    },
    close() {
      endHanging();
      // Keep-alive sockets from the client's pool would hold close() open.
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
