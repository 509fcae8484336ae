// The fetch function handed to yahoo-finance2 for one chart() call. It does three things the
// library cannot: sends every request to a configurable base URL (a proxy, or a test's fake), puts
// one deadline over the whole call, and reads Yahoo's refusals (429 and its Retry-After, 5xx, 404
// "No data found", an HTML page) before the library flattens them into plain Errors.
import { MarketDataUnavailable } from '../../ports/market-data.ts';

const SOURCE = 'yahoo';
/** Requests whose answers are judged here; anything else (a cookie or crumb step) passes through. */
const CHART_PATH = '/v8/finance/chart/';

/** Yahoo said the symbol has no chart; the adapter answers null for it. */
export class UnknownYahooSymbol extends Error {
  constructor(description: string) {
    super(description);
    this.name = 'UnknownYahooSymbol';
  }
}

/** What one chart() call's transport needs. */
export interface YahooTransportOptions {
  /** Replaces the scheme, host and port of every URL the library builds; absent, Yahoo's own hosts. */
  baseUrl?: string;
  /** Aborts every request of the call once the deadline passes. */
  signal: AbortSignal;
  /** The deadline's length, for the error message. */
  timeoutMs: number;
  /** Epoch ms, for Retry-After given as a date. */
  now: () => number;
}

/** Checks a configured base URL early, so a typo fails at startup rather than on the first chart. */
export function parseBaseUrl(baseUrl: string | null | undefined): string | undefined {
  if (baseUrl === undefined || baseUrl === null || baseUrl.trim() === '') return undefined;
  const url = new URL(baseUrl.trim());
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`The Yahoo base URL must be http(s), got ${baseUrl}`);
  // A path is kept as a prefix (a proxy mounted under /yahoo); the library's paths follow it.
  return url.href.replace(/\/+$/, '');
}

/** Seconds to wait from a Retry-After header (delay-seconds or an HTTP date), or null without one. */
export function retryAfterSeconds(header: string | null, nowMs: number): number | null {
  const text = header?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** A fetch for yahoo-finance2's `moduleOptions.fetch`: see the top of this file. */
export function yahooTransport(options: YahooTransportOptions): typeof fetch {
  return async (input, init) => {
    const original = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const parsed = new URL(original);
    const url = options.baseUrl === undefined ? original : options.baseUrl + parsed.pathname + parsed.search;
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: options.signal });
    } catch (error) {
      throw unreachable(error, options);
    }
    if (!parsed.pathname.startsWith(CHART_PATH)) return response;
    let body: string;
    try {
      body = await response.text();
    } catch (error) {
      throw unreachable(error, options);
    }
    return judgeChartAnswer(response, body, options.now());
  };
}

function unreachable(error: unknown, options: YahooTransportOptions): MarketDataUnavailable {
  if (options.signal.aborted) {
    return new MarketDataUnavailable(SOURCE, `Yahoo did not answer within ${options.timeoutMs} ms`, null, { cause: error });
  }
  // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, a DNS failure) is in its cause.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new MarketDataUnavailable(SOURCE, `Yahoo could not be reached: ${reason}`, null, { cause: error });
}

/** Yahoo's `{"chart": {"result", "error"}}` envelope, as far as it decides anything here. */
interface ChartEnvelope {
  chart?: { result?: unknown[] | null; error?: { code?: string; description?: string } | null };
}

/** The answer handed back to the library when it is a chart; throws when it is a refusal or not a chart. */
function judgeChartAnswer(response: Response, body: string, nowMs: number): Response {
  const retryAfter = retryAfterSeconds(response.headers.get('retry-after'), nowMs);
  if (response.status === 429) {
    throw new MarketDataUnavailable(SOURCE, 'Yahoo is rate-limiting requests (HTTP 429)', retryAfter);
  }
  if (response.status >= 500) {
    throw new MarketDataUnavailable(SOURCE, `Yahoo answered HTTP ${response.status}`, retryAfter);
  }
  let envelope: ChartEnvelope | null = null;
  try {
    envelope = JSON.parse(body) as ChartEnvelope;
  } catch {
    // Judged below: a page that is not JSON is never a chart.
  }
  const chart = typeof envelope === 'object' && envelope !== null ? envelope.chart : undefined;
  if (chart === undefined || chart === null || typeof chart !== 'object') {
    const type = response.headers.get('content-type') ?? 'no content type';
    throw new MarketDataUnavailable(SOURCE, `Yahoo answered HTTP ${response.status} with something other than a chart (${type})`);
  }
  // Yahoo's unknown symbol is a 404 with code "Not Found"; a bare 404 from a proxy is not that.
  if (chart.error?.code === 'Not Found') throw new UnknownYahooSymbol(chart.error.description ?? 'Not Found');
  if (!response.ok) {
    const why = chart.error?.description ?? response.statusText;
    throw new MarketDataUnavailable(SOURCE, `Yahoo refused the request (HTTP ${response.status}: ${why})`, retryAfter);
  }
  if (!Array.isArray(chart.result) || chart.result.length === 0) throw new UnknownYahooSymbol('Yahoo returned no chart');
  // The body is already decoded text: the library must not see the original length or encoding.
  const headers = new Headers(response.headers);
  headers.delete('content-encoding');
  headers.delete('content-length');
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
