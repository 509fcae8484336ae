import type { Analysis } from '../../core/analysis/analysis.ts';
import type { NewsItem } from '../../core/analysis/news.ts';
import type { Candle } from '../../core/market/candles.ts';
import { type ChartlensApi, ChartlensApiError } from '../../ports/chartlens-api.ts';

/** The chartlens HTTP API as the Slack bot (or any client) calls it. */
export class ChartlensClient implements ChartlensApi {
  private readonly o: { baseUrl: string; apiKey?: string | null; timeoutMs: number };

  constructor(o: { baseUrl: string; apiKey?: string | null; timeoutMs: number }) {
    this.o = o;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {}), ...extra };
  }

  private async call(path: string, init: RequestInit): Promise<Response> {
    const url = `${this.o.baseUrl.replace(/\/+$/, '')}${path}`;
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.o.timeoutMs) });
    } catch (err) {
      const name = (err as Error)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') throw new ChartlensApiError('timeout', `no answer within ${this.o.timeoutMs} ms`);
      throw new ChartlensApiError('unreachable', (err as Error)?.message ?? String(err));
    }
    if (res.ok) return res;
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    const message = body?.error?.message ?? `HTTP ${res.status}`;
    throw new ChartlensApiError(res.status >= 500 ? 'server' : 'rejected', message, res.status, body?.error?.code);
  }

  async analyzeSymbol(req: { symbol: string; timeframe: string; bars: number; source?: string; news?: NewsItem[] }): Promise<Analysis> {
    const { news, ...rest } = req;
    const res = await this.call('/v1/analyze', {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ ...rest, ...(news?.length ? { news } : {}) }),
    });
    return (await res.json()) as Analysis;
  }

  async analyzeCandles(req: { symbol: string; timeframe: string; candles: Candle[]; news?: NewsItem[] }): Promise<Analysis> {
    const candles = req.candles.map((c) => ({ ...c, time: new Date(c.time).toISOString() }));
    const res = await this.call('/v1/analyze', {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ symbol: req.symbol, timeframe: req.timeframe, candles, ...(req.news?.length ? { news: req.news } : {}) }),
    });
    return (await res.json()) as Analysis;
  }

  async analyzeImage(req: { image: Buffer; filename: string; news?: NewsItem[] }): Promise<Analysis> {
    const form = new FormData();
    form.append('image', new Blob([req.image]), req.filename);
    if (req.news?.length) form.append('news', JSON.stringify(req.news));
    const res = await this.call('/v1/analyze', { method: 'POST', headers: this.headers(), body: form });
    return (await res.json()) as Analysis;
  }

  async chartPng(id: string): Promise<Buffer> {
    const res = await this.call(`/v1/analyses/${encodeURIComponent(id)}/chart.png`, { headers: this.headers() });
    return Buffer.from(await res.arrayBuffer());
  }
}
