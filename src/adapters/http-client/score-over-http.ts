import type { Analysis } from '../../core/analysis/analysis.ts';
import type { AnalyzerId } from '../../core/analysis/analyzer-id.ts';
import { AppError, isErrorCode } from '../../core/errors.ts';
import { jsonCandles } from '../../core/market/candle-json.ts';
import type { RateLimiter } from '../../ports/rate-limiter.ts';
import type { LoadedInput, ScoreTarget } from '../../ports/score-target.ts';
import { cellText } from '../../core/text/cell-text.ts';

/** Candle rows as CSV text, so JSON data can ride along with an image in a multipart upload. */
function candlesToCsv(rows: unknown): string {
  if (!Array.isArray(rows)) throw new AppError('invalid_candles', 'The JSON file must hold an array of candles (or {candles: [...]})');
  const cell = cellText;
  const lines = rows.map((r) => {
    const c = (r ?? {}) as Record<string, unknown>;
    return [c.time, c.open, c.high, c.low, c.close, c.volume].map(cell).join(',');
  });
  return ['time,open,high,low,close,volume', ...lines].join('\n');
}

/**
 * The request body an input makes, as POST /v1/analyze (and POST /v1/jobs) take it: JSON for data
 * alone, multipart when there is an image (JSON candles then ride along as CSV).
 */
export function analyzeRequestInit(input: LoadedInput, o: { analyzer: AnalyzerId | null; model: string | null }): { body: FormData | string; headers: Record<string, string> } {
  if (input.image) {
    const form = new FormData();
    form.append('image', new Blob([input.image]), input.file);
    if (input.data) form.append('ohlcv', input.data.kind === 'csv' ? input.data.text : candlesToCsv(jsonCandles(input.data.value)));
    if (input.news !== undefined) form.append('news', JSON.stringify(input.news));
    if (o.analyzer) form.append('analyzer', o.analyzer);
    if (o.model) form.append('model', o.model);
    return { body: form, headers: {} };
  }
  const body = JSON.stringify({
    ...(input.data?.kind === 'csv' ? { csv: input.data.text } : { candles: jsonCandles(input.data?.kind === 'json' ? input.data.value : undefined) }),
    ...(input.news !== undefined ? { news: input.news } : {}),
    ...(o.analyzer ? { analyzer: o.analyzer } : {}),
    ...(o.model ? { model: o.model } : {}),
  });
  return { body, headers: { 'content-type': 'application/json' } };
}

/**
 * One call to a chartlens server, answered with its JSON. Failures keep the server's own code (one
 * of the same catalogue); a server that cannot be reached is `endpoint_unreachable`.
 */
export async function fetchJson(url: string, init: RequestInit, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new AppError('endpoint_unreachable', `${url} is unreachable: ${(err as Error).message}`, [], { cause: err });
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError('endpoint_error', `HTTP ${res.status} with a body that is not JSON`);
  }
  if (!res.ok) {
    // The server's own code is kept: it is one of ours (the same catalogue) or it is unknown.
    const e = (json as { error?: { code?: string; message?: string } }).error;
    const code = isErrorCode(e?.code) ? e.code : 'endpoint_error';
    throw new AppError(code, e?.message ?? `HTTP ${res.status}`);
  }
  return json;
}

/** Send each input to a running chartlens server, like any other client. */
export function httpTarget(o: { endpoint: string; apiKey: string | null; analyzer: AnalyzerId | null; model: string | null; limiter: RateLimiter; timeoutMs: number }): ScoreTarget {
  const url = `${o.endpoint.replace(/\/+$/, '')}/v1/analyze`;
  const headers: Record<string, string> = o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {};
  return {
    async analyze(input: LoadedInput): Promise<Analysis> {
      const init = analyzeRequestInit(input, o);
      const body = init.body;
      const h = { ...headers, ...init.headers };
      await o.limiter.take();
      return (await fetchJson(url, { method: 'POST', headers: h, body }, o.timeoutMs)) as Analysis;
    },
  };
}
