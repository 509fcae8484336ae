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

/** Send each input to a running chartlens server, like any other client. */
export function httpTarget(o: { endpoint: string; apiKey: string | null; analyzer: AnalyzerId | null; model: string | null; limiter: RateLimiter; timeoutMs: number }): ScoreTarget {
  const url = `${o.endpoint.replace(/\/+$/, '')}/v1/analyze`;
  const headers: Record<string, string> = o.apiKey ? { authorization: `Bearer ${o.apiKey}` } : {};
  return {
    async analyze(input: LoadedInput): Promise<Analysis> {
      let body: FormData | string;
      const h = { ...headers };
      if (input.image) {
        const form = new FormData();
        form.append('image', new Blob([input.image]), input.file);
        if (input.data) form.append('ohlcv', input.data.kind === 'csv' ? input.data.text : candlesToCsv(jsonCandles(input.data.value)));
        if (input.news !== undefined) form.append('news', JSON.stringify(input.news));
        if (o.analyzer) form.append('analyzer', o.analyzer);
        if (o.model) form.append('model', o.model);
        body = form;
      } else {
        body = JSON.stringify({
          ...(input.data?.kind === 'csv' ? { csv: input.data.text } : { candles: jsonCandles(input.data?.kind === 'json' ? input.data.value : undefined) }),
          ...(input.news !== undefined ? { news: input.news } : {}),
          ...(o.analyzer ? { analyzer: o.analyzer } : {}),
          ...(o.model ? { model: o.model } : {}),
        });
        h['content-type'] = 'application/json';
      }
      await o.limiter.take();
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers: h, body, signal: AbortSignal.timeout(o.timeoutMs) });
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
      return json as Analysis;
    },
  };
}
