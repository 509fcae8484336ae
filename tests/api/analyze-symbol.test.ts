/** POST /v1/analyze with a symbol and no bars: the server fetches them from a market-data source. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { analysisSchema } from '../../src/contracts/analysis.ts';
import { type AnalysisApp, openMemoryStore, startAnalysisApp } from '../helpers/analysis-app.ts';
import { sp500 } from '../helpers/sample-data.ts';

let app: AnalysisApp;
before(async () => {
  app = await startAnalysisApp({ store: await openMemoryStore() });
});
after(async () => {
  await app.close();
  await app.store.close();
});

const post = (body: unknown) => request(app.app).post('/v1/analyze').send(body as object);

describe('POST /v1/analyze by symbol', () => {
  test('when only a symbol is sent, then the default source (the CSV folder) supplies 300 daily bars and the answer says so', async () => {
    const res = await post({ symbol: 'sp500' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const a = analysisSchema.parse(res.body);
    assert.equal(a.symbol, 'sp500');
    assert.equal(a.timeframe, '1d');
    // The facts are of the sample's last day, read over the fetched bars.
    assert.equal(a.market?.lastBar.time.slice(0, 10), '2020-04-17');
    assert.equal(a.market?.bars, 300);
    const stored = await app.store.get(a.id);
    const req = stored?.request as { source?: string; bars?: number; candles?: unknown[] };
    assert.equal(req.source, 'csv');
    assert.equal(req.bars, 300);
    assert.equal(req.candles?.length, 300, 'the audit copy keeps the bars that were analysed');
  });

  test('when bars, source and a timeframe alias are given, then they are honoured and the timeframe is canonical', async () => {
    const res = await post({ symbol: 'SP500', source: 'CSV', bars: 220, timeframe: 'daily' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.market.bars, 220);
    assert.equal(res.body.timeframe, '1d');
  });

  test('when the same request is multipart text fields only, then it is fetched the same way', async () => {
    const res = await request(app.app).post('/v1/analyze').field('symbol', 'sp500').field('bars', '250');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.market.bars, 250);
  });

  test('when the source, the symbol or the timeframe cannot be served, then a 4xx with its stable code', async () => {
    const cases: [unknown, number, string][] = [
      [{ symbol: 'sp500', source: 'bloomberg' }, 404, 'unknown_market_source'],
      [{ symbol: 'AAPL' }, 404, 'unknown_symbol'],
      [{ symbol: 'sp500', timeframe: '1h' }, 400, 'unsupported_timeframe'],
      [{ symbol: 'sp500', timeframe: 'fortnightly' }, 400, 'invalid_request'],
      [{ symbol: 'sp500', bars: 1 }, 400, 'invalid_request'],
      [{ symbol: 'sp500', bars: 'many' }, 400, 'invalid_request'],
    ];
    for (const [body, status, code] of cases) {
      const res = await post(body);
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(res.body.error.code, code, JSON.stringify(body));
    }
    const unsupported = await post({ symbol: 'sp500', timeframe: '1h' });
    assert.match(unsupported.body.error.message, /csv source serves 1d bars, not 1h/);
  });

  test('when candles come with source or bars, then 400 names the fields that only fetch', async () => {
    const candles = sp500().slice(-60).map((c) => ({ ...c, time: new Date(c.time).toISOString() }));
    const res = await post({ symbol: 'sp500', source: 'csv', bars: 100, candles });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'invalid_request');
    assert.deepEqual(res.body.error.details.map((d: { field: string }) => d.field), ['source', 'bars']);
  });

  test('when the bars are 4-hour ones, then the rules never call their range "daily"', async () => {
    const candles = sp500().slice(-260).map((c, i) => ({ ...c, time: new Date(Date.UTC(2024, 0, 1) + i * 4 * 3_600_000).toISOString() }));
    const four = await post({ symbol: 'X', timeframe: '4h', candles });
    assert.equal(four.status, 200, JSON.stringify(four.body));
    const risks = four.body.decision ? (four.body.risks as string[]) : [];
    assert.ok(risks.some((r) => r.startsWith('The 4-hour bar range (ATR14)')), risks.join(' | '));
    assert.ok(!risks.some((r) => /daily/i.test(r)));
    const daily = await post({ symbol: 'X', timeframe: '1d', candles: sp500().slice(-260).map((c) => ({ ...c, time: new Date(c.time).toISOString() })) });
    assert.ok((daily.body.risks as string[]).some((r) => r.startsWith('Daily range (ATR14)')));
  });
});
