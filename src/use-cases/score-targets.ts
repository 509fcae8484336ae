import type { Analysis } from '../core/analysis/analysis.ts';
import { AppError } from '../core/errors.ts';
import { type AnalyzeDeps, type AnalyzerChoice, analyzeChart } from './analyze-chart.ts';
import { toAnalyzeCommand } from './analyze-request.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { LoadedInput, ScoreTarget } from './score-folder.ts';

/** JSON OHLCV may be a bare array of candles or an object holding one under `candles`. */
function jsonCandles(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'candles' in value) return (value as { candles: unknown }).candles;
  return value;
}

/** Analyse in this process, through the same use case as POST /v1/analyze. */
export function inProcessTarget(deps: AnalyzeDeps, o: { analyzer: AnalyzerChoice | null; model: string | null }): ScoreTarget {
  return {
    async analyze(input: LoadedInput): Promise<Analysis> {
      const body: Record<string, unknown> = {
        ...(o.analyzer ? { analyzer: o.analyzer } : {}),
        ...(o.model ? { model: o.model } : {}),
        ...(input.news !== undefined ? { news: input.news } : {}),
        ...(input.data?.kind === 'json' ? { candles: jsonCandles(input.data.value) } : {}),
      };
      const cmd = toAnalyzeCommand(body, { image: input.image, ohlcv: input.data?.kind === 'csv' ? input.data.text : undefined });
      return analyzeChart(deps, cmd);
    },
  };
}

/** Candle rows as CSV text, so JSON data can ride along with an image in a multipart upload. */
function candlesToCsv(rows: unknown): string {
  if (!Array.isArray(rows)) throw new AppError('invalid_candles', 'The JSON file must hold an array of candles (or {candles: [...]})');
  const cell = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
  const lines = rows.map((r) => {
    const c = (r ?? {}) as Record<string, unknown>;
    return [c.time, c.open, c.high, c.low, c.close, c.volume].map(cell).join(',');
  });
  return ['time,open,high,low,close,volume', ...lines].join('\n');
}

/** Send each input to a running chartlens server, like any other client. */
export function httpTarget(o: { endpoint: string; apiKey: string | null; analyzer: AnalyzerChoice | null; model: string | null; limiter: RateLimiter; timeoutMs: number }): ScoreTarget {
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
        throw Object.assign(new Error(`${url} is unreachable: ${(err as Error).message}`), { code: 'endpoint_unreachable' });
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw Object.assign(new Error(`HTTP ${res.status} with a body that is not JSON`), { code: `http_${res.status}` });
      }
      if (!res.ok) {
        const e = (json as { error?: { code?: string; message?: string } }).error;
        throw Object.assign(new Error(e?.message ?? `HTTP ${res.status}`), { code: e?.code ?? `http_${res.status}` });
      }
      return json as Analysis;
    },
  };
}
