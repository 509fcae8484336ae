#!/usr/bin/env node
// Writes the crypto-exchange fixtures under testing/market-fixtures/{binance,kraken,coinbase}/ that
// testing/fake-exchange.ts serves. Nothing here was recorded: the tests run without the internet,
// so each series is a seeded random walk written in the response shape each exchange documents
// (see README-exchanges.md). Re-running it rewrites byte-identical files.
//
//   node testing/market-fixtures/make-exchange-fixtures.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = import.meta.dirname;
/** The fixtures' clock: the last bar of every series is the one still forming at this instant. */
const NOW = Date.UTC(2025, 5, 1, 12, 30);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** mulberry32: a small seeded PRNG, so the files do not change between runs. */
function prng(seedText) {
  let seed = 0;
  for (const ch of seedText) seed = (Math.imul(seed, 31) + ch.charCodeAt(0)) | 0;
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller). */
function gauss(rand) {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * `count` bars of `barMs` ending with the bar that contains NOW, prices in integer ticks of
 * 10^-decimals so rounding can never break low <= open, close <= high.
 */
function randomWalk({ seed, count, barMs, startPrice, sigma, decimals, baseVolume }) {
  const rand = prng(seed);
  const scale = 10 ** decimals;
  const lastOpen = Math.floor(NOW / barMs) * barMs;
  let close = Math.round(startPrice * scale);
  const bars = [];
  for (let i = 0; i < count; i++) {
    const open = close;
    close = Math.max(1, Math.round(open * Math.exp(sigma * gauss(rand))));
    const high = Math.ceil(Math.max(open, close) * (1 + Math.abs(gauss(rand)) * sigma * 0.5));
    const low = Math.max(1, Math.floor(Math.min(open, close) * (1 - Math.abs(gauss(rand)) * sigma * 0.5)));
    // Volume in units of 10^-8 of the base asset, as exchanges quote it.
    const volume = Math.round(baseVolume * Math.exp(0.5 * gauss(rand)) * 1e8);
    const trades = 1 + Math.floor(volume / 1e8 * 40 * rand());
    bars.push({ time: lastOpen - (count - 1 - i) * barMs, open, high, low, close, volume, trades, scale });
  }
  return bars;
}

const price = (ticks, scale, decimals) => (ticks / scale).toFixed(decimals);
const qty = (units) => (units / 1e8).toFixed(8);

/** One JSON row per line: readable diffs, and still the exact JSON the exchange would send. */
function rowsJson(rows) {
  return `[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]`;
}

function write(exchange, file, text) {
  const dir = join(ROOT, exchange);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), text.endsWith('\n') ? text : `${text}\n`);
}

const json = (value) => JSON.stringify(value, null, 2);

// ---------------------------------------------------------------- binance (GET /api/v3/...)

function binanceSymbol(symbol, baseAsset, quoteAsset, tickSize, stepSize) {
  return {
    symbol, status: 'TRADING', baseAsset, baseAssetPrecision: 8, quoteAsset, quotePrecision: 8, quoteAssetPrecision: 8,
    baseCommissionPrecision: 8, quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
    icebergAllowed: true, ocoAllowed: true, otoAllowed: true, quoteOrderQtyMarketAllowed: true, allowTrailingStop: true,
    cancelReplaceAllowed: true, isSpotTradingAllowed: true, isMarginTradingAllowed: true,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: tickSize, maxPrice: '1000000.00000000', tickSize },
      { filterType: 'LOT_SIZE', minQty: stepSize, maxQty: '9000.00000000', stepSize },
      { filterType: 'ICEBERG_PARTS', limit: 10 },
      { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: '100.00000000', stepSize: '0.00000000' },
      { filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
      { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
    ],
    permissions: [],
    permissionSets: [['SPOT', 'MARGIN']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

/** A kline: [openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBase, takerQuote, ignore]. */
function binanceKline(bar, barMs) {
  const p = (t) => price(t, bar.scale, 8);
  const quoteVolume = ((bar.volume / 1e8) * ((bar.open + bar.close) / 2 / bar.scale)).toFixed(8);
  const takerBase = Math.round(bar.volume * 0.48);
  const takerQuote = ((takerBase / 1e8) * ((bar.open + bar.close) / 2 / bar.scale)).toFixed(8);
  return [bar.time, p(bar.open), p(bar.high), p(bar.low), p(bar.close), qty(bar.volume), bar.time + barMs - 1, quoteVolume, bar.trades, qty(takerBase), takerQuote, '0'];
}

function makeBinance() {
  write('binance', 'exchangeInfo.json', json({
    timezone: 'UTC',
    serverTime: NOW,
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
      { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
    ],
    exchangeFilters: [],
    symbols: [
      binanceSymbol('BTCUSDT', 'BTC', 'USDT', '0.01000000', '0.00001000'),
      binanceSymbol('ETHUSDT', 'ETH', 'USDT', '0.01000000', '0.00010000'),
      // Listed without a kline fixture: the fake answers [] for it, as for a market without trades.
      binanceSymbol('ETHBTC', 'ETH', 'BTC', '0.00001000', '0.00010000'),
    ],
  }));
  const series = [
    { id: 'BTCUSDT', interval: '1d', barMs: DAY, count: 600, startPrice: 42000, sigma: 0.03, baseVolume: 9000 },
    { id: 'BTCUSDT', interval: '1h', barMs: HOUR, count: 1500, startPrice: 66000, sigma: 0.006, baseVolume: 400 },
    { id: 'ETHUSDT', interval: '1d', barMs: DAY, count: 300, startPrice: 2300, sigma: 0.04, baseVolume: 200000 },
  ];
  const manifest = [];
  for (const s of series) {
    const bars = randomWalk({ seed: `binance-${s.id}-${s.interval}`, decimals: 2, ...s });
    const file = `klines-${s.id}-${s.interval}.json`;
    write('binance', file, rowsJson(bars.map((b) => binanceKline(b, s.barMs))));
    manifest.push({ id: s.id, interval: s.interval, file });
  }
  write('binance', 'manifest.json', json({ now: new Date(NOW).toISOString(), series: manifest }));
}

// ---------------------------------------------------------------- kraken (GET /0/public/...)

function krakenPair(altname, wsname, base, quote, pairDecimals) {
  const fees = [[0, 0.4], [10000, 0.35], [50000, 0.24], [100000, 0.22], [250000, 0.2], [500000, 0.18], [1000000, 0.16]];
  const feesMaker = [[0, 0.25], [10000, 0.2], [50000, 0.14], [100000, 0.12], [250000, 0.1], [500000, 0.08], [1000000, 0.06]];
  return {
    altname, wsname, aclass_base: 'currency', base, aclass_quote: 'currency', quote, lot: 'unit',
    cost_decimals: 5, pair_decimals: pairDecimals, lot_decimals: 8, lot_multiplier: 1,
    leverage_buy: [2, 3, 4, 5], leverage_sell: [2, 3, 4, 5], fees, fees_maker: feesMaker,
    fee_volume_currency: 'ZUSD', margin_call: 80, margin_stop: 40, ordermin: '0.00005', costmin: '0.5',
    tick_size: (10 ** -pairDecimals).toFixed(pairDecimals), status: 'online',
  };
}

/** An OHLC entry: [time (s), open, high, low, close, vwap, volume, count]. */
function krakenEntry(bar, decimals) {
  const p = (t) => price(t, bar.scale, decimals);
  const vwap = price(Math.round((bar.open + bar.high + bar.low + bar.close) / 4), bar.scale, decimals);
  return [bar.time / 1000, p(bar.open), p(bar.high), p(bar.low), p(bar.close), vwap, qty(bar.volume), bar.trades];
}

function makeKraken() {
  write('kraken', 'Assets.json', json({
    error: [],
    result: {
      XETH: { aclass: 'currency', altname: 'ETH', decimals: 10, display_decimals: 5, collateral_value: 1, status: 'enabled' },
      XXBT: { aclass: 'currency', altname: 'XBT', decimals: 10, display_decimals: 5, collateral_value: 1, status: 'enabled' },
      ZUSD: { aclass: 'currency', altname: 'USD', decimals: 4, display_decimals: 2, collateral_value: 1, status: 'enabled' },
    },
  }));
  write('kraken', 'AssetPairs.json', json({
    error: [],
    result: {
      XETHZUSD: krakenPair('ETHUSD', 'ETH/USD', 'XETH', 'ZUSD', 2),
      XXBTZUSD: krakenPair('XBTUSD', 'XBT/USD', 'XXBT', 'ZUSD', 1),
    },
  }));
  const series = [
    // Longer than the 720 entries Kraken serves: the fake keeps only the newest 720, as Kraken does.
    { id: 'XXBTZUSD', interval: '1440', barMs: DAY, count: 800, startPrice: 40000, sigma: 0.03, decimals: 1, baseVolume: 2500 },
    { id: 'XXBTZUSD', interval: '60', barMs: HOUR, count: 300, startPrice: 67000, sigma: 0.006, decimals: 1, baseVolume: 100 },
    { id: 'XETHZUSD', interval: '1440', barMs: DAY, count: 200, startPrice: 2500, sigma: 0.04, decimals: 2, baseVolume: 30000 },
  ];
  const manifest = [];
  for (const s of series) {
    const bars = randomWalk({ seed: `kraken-${s.id}-${s.interval}`, ...s });
    const entries = bars.map((b) => krakenEntry(b, s.decimals));
    const file = `OHLC-${s.id}-${s.interval}.json`;
    // The whole series in the /0/public/OHLC response shape; `last` is the newest committed bar.
    const last = entries.at(-2)[0];
    write('kraken', file, `{"error":[],"result":{${JSON.stringify(s.id)}:${rowsJson(entries)},"last":${last}}}`);
    manifest.push({ id: s.id, interval: s.interval, file });
  }
  write('kraken', 'manifest.json', json({ now: new Date(NOW).toISOString(), series: manifest }));
}

// ------------------------------------------------- coinbase (GET /api/v3/brokerage/market/..., /v2/...)

function coinbaseProduct(id, base, quote, baseName, quoteName, lastClose) {
  return {
    product_id: id, price: lastClose, price_percentage_change_24h: '1.25', volume_24h: '10967.87426597',
    volume_percentage_change_24h: '-3.5', base_increment: '0.00000001', quote_increment: '0.01', quote_min_size: '1',
    quote_max_size: '150000000', base_min_size: '0.00000001', base_max_size: '3400', base_name: baseName, quote_name: quoteName,
    watched: false, is_disabled: false, new: false, status: 'online', cancel_only: false, limit_only: false, post_only: false,
    trading_disabled: false, auction_mode: false, product_type: 'SPOT', quote_currency_id: quote, base_currency_id: base,
    fcm_trading_session_details: null, mid_market_price: '', alias: '', alias_to: [], base_display_symbol: base,
    quote_display_symbol: quote, view_only: false, price_increment: '0.01', display_name: id, product_venue: 'CBE',
  };
}

function makeCoinbase() {
  const series = [
    { id: 'BTC-USD', interval: 'ONE_DAY', barMs: DAY, count: 400, startPrice: 45000, sigma: 0.03, baseVolume: 12000 },
    { id: 'BTC-USD', interval: 'ONE_HOUR', barMs: HOUR, count: 400, startPrice: 67500, sigma: 0.006, baseVolume: 500 },
    { id: 'ETH-USD', interval: 'ONE_DAY', barMs: DAY, count: 200, startPrice: 2600, sigma: 0.04, baseVolume: 90000 },
  ];
  const manifest = [];
  const lastClose = {};
  for (const s of series) {
    const bars = randomWalk({ seed: `coinbase-${s.id}-${s.interval}`, decimals: 2, ...s });
    const p = (t, b) => price(t, b.scale, 2);
    // Coinbase answers candles newest first; start is epoch seconds as a string.
    const candles = bars.reverse().map((b) => ({
      start: String(b.time / 1000), low: p(b.low, b), high: p(b.high, b), open: p(b.open, b), close: p(b.close, b), volume: qty(b.volume),
    }));
    lastClose[s.id] ??= candles[0].close;
    const file = `candles-${s.id}-${s.interval}.json`;
    write('coinbase', file, `{"candles":${rowsJson(candles)}}`);
    manifest.push({ id: s.id, interval: s.interval, file });
  }
  write('coinbase', 'products.json', json({
    products: [
      coinbaseProduct('BTC-USD', 'BTC', 'USD', 'Bitcoin', 'US Dollar', lastClose['BTC-USD']),
      coinbaseProduct('ETH-USD', 'ETH', 'USD', 'Ethereum', 'US Dollar', lastClose['ETH-USD']),
    ],
    num_products: 2,
  }));
  write('coinbase', 'currencies.json', json({
    data: [
      { id: 'EUR', name: 'Euro', min_size: '0.01' },
      { id: 'USD', name: 'US Dollar', min_size: '0.01' },
    ],
  }));
  write('coinbase', 'currencies-crypto.json', json({
    data: [
      { asset_id: '5b71fc48-3dd3-540c-809b-f8c94d0e68b5', code: 'BTC', name: 'Bitcoin', color: '#F7931A', sort_index: 100, exponent: 8, type: 'crypto', address_regex: '^([13][a-km-zA-HJ-NP-Z1-9]{25,34})|^(bc1[qzry9x8gf2tvdw0s3jn54khce6mua7l]([qpzry9x8gf2tvdw0s3jn54khce6mua7l]{38}|[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}))$' },
      { asset_id: 'd85dce9b-5b73-5c3c-8978-522ce1d1c1b4', code: 'ETH', name: 'Ethereum', color: '#627EEA', sort_index: 102, exponent: 8, type: 'crypto', address_regex: '^(?:0x)?[0-9a-fA-F]{40}$' },
    ],
  }));
  write('coinbase', 'exchange-rates.json', json({
    data: {
      currency: 'USD',
      rates: { BTC: (1 / Number(lastClose['BTC-USD'])).toFixed(10), ETH: (1 / Number(lastClose['ETH-USD'])).toFixed(10), EUR: '0.88', USD: '1.0' },
    },
  }));
  write('coinbase', 'manifest.json', json({ now: new Date(NOW).toISOString(), series: manifest }));
}

makeBinance();
makeKraken();
makeCoinbase();
console.log(`wrote the binance, kraken and coinbase fixtures under ${ROOT} (clock ${new Date(NOW).toISOString()})`);
