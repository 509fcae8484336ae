/**
 * Building one ccxt exchange for public OHLCV: ccxt loaded on first use, its rate limiter on,
 * spot markets only, every request optionally sent to one base URL, the Retry-After of a refused
 * request kept for the error, and a body that is not JSON refused.
 */
import { AppError } from '../../core/errors.ts';
import type { Exchange } from 'ccxt';

/** The ccxt module's type, for code that receives it from loadCcxt(). */
export type CcxtModule = typeof import('ccxt');
export type { Exchange };

let ccxtModule: Promise<CcxtModule> | undefined;

/**
 * The ccxt module, imported on first call. It holds 100+ exchanges and takes about 0.35-0.4 s to
 * import (measured on Node 24), which the service's start-up should not pay when nobody asks
 * an exchange for bars.
 */
export function loadCcxt(): Promise<CcxtModule> {
  ccxtModule ??= import('ccxt');
  return ccxtModule;
}

/**
 * Options per exchange id. binance's loadMarkets() also asks the USD-M and COIN-M futures APIs
 * (fapi/dapi exchangeInfo) unless told spot only; its currencies (sapi) need API keys, which this
 * adapter never has, so ccxt skips them. kraken and coinbase list spot by default (coinbase also
 * asks for its futures products, which costs two public requests).
 */
const EXCHANGE_OPTIONS: Record<string, Record<string, unknown>> = {
  binance: { fetchMarkets: { types: ['spot'] }, defaultType: 'spot' },
};

/** How createExchange sets up the exchange. */
export interface ExchangeSettings {
  /** Where every request goes instead of the exchange's own hosts (a proxy, or a fake in tests). */
  baseUrl?: string;
  timeoutMs: number;
}

type ExchangeClass = new (config: Record<string, unknown>) => Exchange;

/** A configured ccxt exchange; throws when ccxt has no exchange with this id. */
export function createExchange(ccxt: CcxtModule, id: string, settings: ExchangeSettings): Exchange {
  // `exchanges` maps every exchange id to its class (the default export's is a list of ids).
  const Class = Object.hasOwn(ccxt.exchanges, id) ? (ccxt.exchanges as unknown as Record<string, ExchangeClass>)[id] : undefined;
  // A configured id ccxt does not know is only found out once ccxt is loaded (on first use).
  if (typeof Class !== 'function') throw new AppError('unknown_market_source', `ccxt has no exchange "${id}" (check CHARTLENS_CCXT_EXCHANGES)`, [{ field: 'source', message: 'unknown exchange' }]);
  const exchange = new Class({
    // ccxt spaces requests by the exchange's published limits; being banned would cost more.
    enableRateLimit: true,
    timeout: settings.timeoutMs,
    options: EXCHANGE_OPTIONS[id] ?? {},
  });
  if (settings.baseUrl !== undefined) redirectTo(exchange, settings.baseUrl);
  watchResponses(ccxt, exchange);
  return exchange;
}

/**
 * Send every request to `baseUrl`, keeping each URL's path and query. ccxt routes all REST calls
 * through `exchange.fetch(url, ...)` (its own proxy errors suggest overriding it), so wrapping it
 * catches every endpoint: rewriting `urls.api` entries would miss URLs built from other fields or
 * `hostname`, and `proxyUrl` prefixes the whole original URL (`base/https://api...`), a CORS-proxy
 * convention that a plain reverse proxy or a fake server does not speak.
 * The exchanges' API groups live on different hosts (api., fapi., dapi.binance.com) but under
 * different paths (/api/v3, /fapi/v1, /dapi/v1), so one base serves them all.
 */
function redirectTo(exchange: Exchange, baseUrl: string): void {
  const base = baseUrl.replace(/\/+$/, '');
  const send = exchange.fetch.bind(exchange);
  exchange.fetch = (url: unknown, method?: string, headers?: unknown, body?: unknown) => {
    const target = new URL(String(url));
    return send(`${base}${target.pathname}${target.search}`, method, headers, body);
  };
}

const retryAfterByError = new WeakMap<object, number>();

/** The Retry-After (whole seconds) of the response that raised this error, or null. */
export function retryAfterOf(err: unknown): number | null {
  return (typeof err === 'object' && err !== null ? retryAfterByError.get(err) : undefined) ?? null;
}

/**
 * Two checks on every response, in handleRestResponse, the one place that sees both the raw
 * response and what ccxt makes of it:
 * - ccxt's errors carry no headers, and `last_response_headers` belongs to whichever response came
 *   last when requests overlap, so a refusal's Retry-After is tied to its error here;
 * - ccxt hands a body that is not JSON (a proxy's HTML page) back as a string, which its parsers
 *   then read as no markets or no bars; the public endpoints this adapter calls all answer JSON,
 *   so such a body is a BadResponse instead.
 */
function watchResponses(ccxt: CcxtModule, exchange: Exchange): void {
  const handle = exchange.handleRestResponse.bind(exchange);
  exchange.handleRestResponse = (response: unknown, url: unknown, ...rest: unknown[]) =>
    Promise.resolve(handle(response, url, ...(rest as [string]))).then(
      (body: unknown) => {
        if (typeof body === 'string' && body.trim() !== '') throw new ccxt.BadResponse(`${exchange.id} ${String(url)} answered with something that is not JSON`);
        return body;
      },
      (err: unknown) => {
        const seconds = parseRetryAfter(exchange.getResponseHeaders(response)['Retry-After'], Date.now());
        if (seconds !== null && typeof err === 'object' && err !== null) retryAfterByError.set(err, seconds);
        throw err;
      },
    );
}

/** A Retry-After value (delay seconds or an HTTP date) in whole seconds from now, or null. */
function parseRetryAfter(value: unknown, now: number): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text));
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}
