// The chartlens HTTP API, as the page uses it. Every call sends the API key (if one was given)
// as `Authorization: Bearer <key>`; a failed call throws an ApiError carrying the server's
// {error: {code, message, details}} body.

const KEY_STORAGE = 'chartlens.apiKey';
/** The key when session storage refuses to keep it (private mode). */
let memoryKey = null;

/** A failed API call: HTTP status (0 when the server could not be reached), code, message, details. */
export class ApiError extends Error {
  constructor(status, body, fallback) {
    const error = body && typeof body === 'object' && body.error && typeof body.error === 'object' ? body.error : null;
    super(error?.message ?? fallback ?? `The server answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = error?.code ?? (status === 0 ? 'network_error' : 'http_error');
    this.details = Array.isArray(error?.details) ? error.details : [];
  }
}

/** The API key of this tab, or null. Session storage: it is gone when the tab closes. */
export function getApiKey() {
  try {
    return sessionStorage.getItem(KEY_STORAGE) ?? memoryKey;
  } catch {
    return memoryKey;
  }
}

export function setApiKey(key) {
  try {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  } catch {
    // Storage refused (private mode): the key then lasts until the page reloads.
  }
  memoryKey = key || null;
}

async function call(path, init = {}) {
  const headers = new Headers(init.headers);
  const key = getApiKey();
  if (key) headers.set('Authorization', `Bearer ${key}`);
  let res;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new ApiError(0, null, 'The server could not be reached. Check that chartlens is running and try again.');
  }
  if (!res.ok) {
    let body = null;
    try {
      body = await res.json();
    } catch {
      // Not JSON (a proxy's error page): the status alone has to do.
    }
    throw new ApiError(res.status, body);
  }
  return res;
}

const json = (body) => ({ method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) });

/** POST /v1/analyze with a JSON body: candles/csv, or a symbol for the server to fetch. */
export async function analyzeJson(body, signal) {
  return (await call('/v1/analyze', { ...json(body), signal })).json();
}

/** POST /v1/analyze as multipart: an `image` and/or an `ohlcv` file plus text fields. */
export async function analyzeForm(form, signal) {
  return (await call('/v1/analyze', { method: 'POST', headers: { Accept: 'application/json' }, body: form, signal })).json();
}

/** GET /v1/market/{source}/{symbol}: the last bars of a symbol. */
export async function getMarket(source, symbol, { timeframe, bars }, signal) {
  const q = new URLSearchParams({ timeframe, bars: String(bars) });
  const path = `/v1/market/${encodeURIComponent(source)}/${encodeURIComponent(symbol)}?${q}`;
  return (await call(path, { headers: { Accept: 'application/json' }, signal })).json();
}

/** GET /v1/analyses: one page of the history, newest first. */
export async function listAnalyses({ limit = 10, cursor } = {}) {
  const q = new URLSearchParams({ limit: String(limit) });
  if (cursor) q.set('cursor', cursor);
  return (await call(`/v1/analyses?${q}`, { headers: { Accept: 'application/json' } })).json();
}

/** GET /v1/analyses/{id}: a stored analysis. */
export async function getAnalysis(id) {
  return (await call(`/v1/analyses/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' } })).json();
}

/** GET /v1/analyses/{id}/chart.png as an object URL (fetched, so the API key goes with it). */
export async function getChartImageUrl(id) {
  const res = await call(`/v1/analyses/${encodeURIComponent(id)}/chart.png`, { headers: { Accept: 'image/png' } });
  return URL.createObjectURL(await res.blob());
}
