// chartlens web page: wires the form, the API, the chart, the result and the history together.
// Plain ES modules, no build step; nothing is loaded from another host.

import * as api from './api.js';
import { drawChart, showImage } from './chart.js';
import { fromMarket, parseCandlesCsv } from './csv.js';
import { byId } from './dom.js';
import { createHistory } from './history.js';
import { FormError, setupInput } from './input.js';
import { chartCaption, imageCaption, renderAnalysis, renderError } from './render.js';

/** Bars fetched for a ticker: the market endpoint's default, drawn and analysed alike. */
const TICKER_BARS = 300;
/** Candles kept for analyses made in this tab, so reopening one from the history draws it again. */
const CANDLE_CACHE = 20;

const resultEl = byId('result');
const resultTitle = byId('result-title');
const errorBox = byId('error');
const keySection = byId('api-key-section');
const keyForm = byId('api-key-form');
const keyInput = byId('api-key');
const keyMessage = byId('api-key-message');

const input = setupInput();
const candleCache = new Map();
let resultUrls = [];
let sequence = 0;
/** What to run again once an API key is given. */
let retry = null;

const history = createHistory({
  list: byId('history-list'),
  more: byId('history-more'),
  status: byId('history-status'),
  onOpen: (id) => run(() => openStored(id), { focus: true, query: { analysis: id }, failure: 'The analysis could not be opened.' }),
  onError: (err) => {
    // The history reloads once a key is given; a pending analysis keeps its place in the queue.
    if (err.status === 401) askForKey(err, null);
  },
});
byId('history-more').addEventListener('click', () => history.more());
byId('history-refresh').addEventListener('click', () => history.refresh());

function remember(id, candles) {
  if (!candles) return;
  candleCache.set(id, candles);
  while (candleCache.size > CANDLE_CACHE) candleCache.delete(candleCache.keys().next().value);
}

function askForKey(err, again) {
  if (again) retry = again;
  keyMessage.textContent = api.getApiKey() ? `${err.message}. Enter another key.` : 'This server needs an API key. Enter it to continue.';
  keySection.hidden = false;
  keyInput.focus();
}

keyForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const key = keyInput.value.trim();
  if (!key) return;
  api.setApiKey(key);
  keyInput.value = '';
  keySection.hidden = true;
  const again = retry;
  retry = null;
  again?.();
  history.refresh();
});

/** Does this 400 say the server cannot fetch bars for a symbol itself (an older server)? */
function symbolRequestUnsupported(err) {
  if (err?.status !== 400) return false;
  return err.details.some((d) => d.field === 'source' || d.field === 'bars' || (d.field === 'candles' && d.message === 'missing'));
}

/** Upload an image and/or a CSV (multipart). */
async function analyzeFiles(req) {
  const form = new FormData();
  if (req.image) form.append('image', req.image, req.image.name || 'chart.png');
  if (req.csv) form.append('ohlcv', req.csv, req.csv.name || 'ohlcv.csv');
  if (req.symbol) {
    form.append('symbol', req.symbol);
    form.append('timeframe', req.timeframe);
  }
  if (req.headlines.length) form.append('news', JSON.stringify(req.headlines.map((headline) => ({ headline }))));
  if (req.analyzer) form.append('analyzer', req.analyzer);
  const [analysis, candles] = await Promise.all([api.analyzeForm(form), req.csv ? req.csv.text().then(parseCandlesCsv) : null]);
  const imageUrl = !candles && req.image ? URL.createObjectURL(req.image) : null;
  return { analysis, candles, imageUrl, headlines: req.headlines };
}

/**
 * A ticker: the server fetches the bars from the source (POST /v1/analyze {symbol, source}); the
 * page fetches the same bars (GET /v1/market) to draw them. A server that cannot fetch bars for
 * an analysis gets them sent as candles.
 */
async function analyzeTicker(req) {
  const { symbol, timeframe, source } = req;
  const market = api.getMarket(source, symbol, { timeframe, bars: TICKER_BARS }).then(
    (m) => ({ candles: m.candles }),
    (error) => ({ error }),
  );
  const extra = { ...(req.headlines.length ? { news: req.headlines.map((headline) => ({ headline })) } : {}), ...(req.analyzer ? { analyzer: req.analyzer } : {}) };
  let analysis;
  try {
    analysis = await api.analyzeJson({ symbol, timeframe, source, bars: TICKER_BARS, ...extra });
  } catch (err) {
    if (!symbolRequestUnsupported(err)) throw err;
    const m = await market;
    if (m.error) throw m.error;
    analysis = await api.analyzeJson({ symbol, timeframe, candles: m.candles, ...extra });
  }
  const m = await market;
  return { analysis, candles: m.candles ? fromMarket(m.candles) : null, headlines: req.headlines };
}

/** A stored analysis; its candles when this tab made it, else its stored chart.png. */
async function openStored(id) {
  const analysis = await api.getAnalysis(id);
  return { analysis, candles: candleCache.get(id) ?? null, stored: true };
}

function show(out) {
  const { analysis } = out;
  for (const url of resultUrls) URL.revokeObjectURL(url);
  resultUrls = out.imageUrl ? [out.imageUrl] : [];
  const view = renderAnalysis(analysis, { headlines: out.headlines });
  resultEl.replaceChildren(view.article);
  remember(analysis.id, out.candles);
  history.setCurrent(analysis.id);
  if (out.candles && out.candles.length >= 2) {
    try {
      chartCaption(view.caption, view.slot, drawChart(view.slot, out.candles, analysis), analysis);
      return;
    } catch (err) {
      console.error(err);
    }
  }
  if (out.imageUrl) {
    showImage(view.slot, out.imageUrl, 'The uploaded chart image');
    imageCaption(view.caption, view.slot, 'The uploaded chart. Its claims are listed in the verification table; an interactive chart needs OHLCV data.');
    return;
  }
  imageCaption(view.caption, view.slot, 'Loading the chart the analyzer saw…');
  api.getChartImageUrl(analysis.id).then(
    (url) => {
      if (!view.slot.isConnected) return URL.revokeObjectURL(url);
      resultUrls.push(url);
      showImage(view.slot, url, `The chart the analyzer saw for ${analysis.symbol ?? 'this analysis'}`);
      imageCaption(view.caption, view.slot, 'The chart the analyzer saw, as stored with the analysis.');
    },
    () => imageCaption(view.caption, view.slot, 'The stored chart could not be loaded.'),
  );
}

function setQuery(query) {
  const params = new URLSearchParams(Object.entries(query ?? {}).filter(([, v]) => v));
  const url = params.size ? `/?${params}` : '/';
  if (`${location.pathname}${location.search}` !== url) window.history.replaceState(null, '', url);
}

/** Run one analysis (or open one), showing progress, the result or the error. */
async function run(task, { focus = false, query, failure } = {}) {
  const mine = ++sequence;
  const again = () => run(task, { focus, query, failure });
  errorBox.hidden = true;
  input.setBusy(true, 'Analyzing…');
  resultEl.setAttribute('aria-busy', 'true');
  try {
    const out = await task();
    if (mine !== sequence) return;
    show(out);
    input.setBusy(false, `Done: ${out.analysis.decision.action.toUpperCase()}, confidence ${Math.round(out.analysis.decision.confidence * 100)}%.`);
    if (query !== undefined) setQuery(query);
    if (focus) resultTitle.focus();
    if (!out.stored) history.refresh();
  } catch (err) {
    if (mine !== sequence) return;
    if (err?.status === 401) {
      input.setBusy(false, 'An API key is needed.');
      askForKey(err, again);
      return;
    }
    input.setBusy(false, failure ?? 'The analysis failed.');
    if (!(err instanceof api.ApiError)) console.error(err);
    renderError(errorBox, err, failure);
    if (focus) resultTitle.focus();
  } finally {
    if (mine === sequence) resultEl.setAttribute('aria-busy', 'false');
  }
}

input.els.form.addEventListener('submit', (e) => {
  e.preventDefault();
  let req;
  try {
    req = input.read();
  } catch (err) {
    if (err instanceof FormError) {
      input.setBusy(false, err.message);
      err.field?.focus();
      return;
    }
    throw err;
  }
  if (req.kind === 'files') run(() => analyzeFiles(req), { focus: true, query: {} });
  else run(() => analyzeTicker(req), { focus: true, query: { symbol: req.symbol, timeframe: req.timeframe, source: req.source } });
});

// A deep link runs on load: /?symbol=AAPL&timeframe=1d&source=yahoo, or /?analysis=<id>.
const params = new URLSearchParams(location.search);
if (input.applyQuery(params)) {
  const req = input.read();
  run(() => analyzeTicker(req));
} else if (params.get('analysis')) {
  const id = params.get('analysis');
  run(() => openStored(id), { failure: 'The analysis could not be opened.' });
}
history.refresh();
