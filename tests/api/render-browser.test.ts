/**
 * `chart.renderer: "browser"` over HTTP: POST /v1/render draws with lightweight-charts in Chromium
 * and says so in X-Chartlens-Renderer; without a usable Chromium it draws with Chart.js, says so,
 * adds X-Chartlens-Warning, and logs the fallback once. An analysis on the prepare pool gets its
 * browser chart from the one browser of the main process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import request from 'supertest';
import { findChromium } from '../../renderers/browser/chromium.ts';
import type { Analysis } from '../../src/core/analysis/analysis.ts';
import { formatCandleTime } from '../../src/core/market/candles.ts';
import { createSelectingRenderer } from '../../src/composition/chart-renderer.ts';
import { loadConfig } from '../../src/composition/config.ts';
import { buildServices, type Services } from '../../src/composition/root.ts';
import { createApp } from '../../src/entry/http/create-app.ts';
import type { ChartRenderer, LineChartRenderer } from '../../src/ports/chart-renderer.ts';
import { openMemoryStore } from '../helpers/analysis-app.ts';
import { sp500 } from '../helpers/sample-data.ts';

const NO_CHROMIUM = findChromium() ? false : 'no Chromium here (npm run setup installs it)';

const rows = sp500()
  .slice(-150)
  .map((c) => ({ time: formatCandleTime(c.time), open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume }));

/** supertest keeps image/png bodies as a Buffer. */
function png(res: request.Response): Buffer {
  assert.match(res.headers['content-type'] ?? '', /^image\/png/);
  assert.ok(Buffer.isBuffer(res.body));
  return res.body as Buffer;
}

function appWith(renderer: ChartRenderer & LineChartRenderer) {
  return createApp({ config: { maxBodyBytes: 4 * 1024 * 1024 }, renderer, log: () => {} });
}

describe('POST /v1/render with chart.renderer "browser"', { skip: NO_CHROMIUM }, () => {
  const logs: string[] = [];
  const renderer = createSelectingRenderer({ log: (m) => logs.push(m) });
  const app = appWith(renderer);
  after(() => renderer.close());

  test('when Chromium is here, then the PNG comes from the browser at the asked size, and the header says so', async () => {
    const res = await request(app)
      .post('/v1/render')
      .send({ symbol: 'SPX', timeframe: '1d', candles: rows, chart: { renderer: 'browser', width: 900, height: 450 } })
      .expect(200);
    assert.equal(res.headers['x-chartlens-renderer'], 'browser');
    assert.equal(res.headers['x-chart-renderer'], 'browser');
    assert.equal(res.headers['x-chartlens-warning'], undefined);
    const meta = await sharp(png(res)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 900, 450]);
    assert.deepEqual(logs, []);
  });

  test('when the same request is sent as chartjs and as browser, then the images differ, and each repeats byte for byte', async () => {
    const body = (renderer: string) => ({ symbol: 'SPX', candles: rows, chart: { renderer, markLevels: true } });
    const [b1, c1, b2, c2] = await Promise.all(['browser', 'chartjs', 'browser', 'chartjs'].map((r) => request(app).post('/v1/render').send(body(r)).expect(200)));
    assert.deepEqual([b1, c1].map((r) => r.headers['x-chartlens-renderer']), ['browser', 'chartjs']);
    assert.ok(!png(b1).equals(png(c1)));
    assert.ok(png(b1).equals(png(b2)));
    assert.ok(png(c1).equals(png(c2)));
  });

  test('when no renderer is named, then Chart.js draws it and there is no warning', async () => {
    const res = await request(app).post('/v1/render').send({ candles: rows }).expect(200);
    assert.equal(res.headers['x-chartlens-renderer'], 'chartjs');
    assert.equal(res.headers['x-chartlens-warning'], undefined);
  });

  test('when an unknown renderer is named, then it is a 400 invalid_chart_options', async () => {
    const res = await request(app).post('/v1/render').send({ candles: rows, chart: { renderer: 'svg' } }).expect(400);
    assert.equal(res.body.error.code, 'invalid_chart_options');
  });
});

describe('POST /v1/render with chart.renderer "browser" and no usable Chromium', () => {
  for (const [what, path] of [
    ['CHROMIUM_PATH names a file that does not exist', '/nonexistent/chromium-for-chartlens-tests'],
    ['CHROMIUM_PATH names a program that is not a browser', '/bin/false'],
  ] as const) {
    test(`when ${what}, then Chart.js draws it, the headers say so, and the fallback is logged once`, async () => {
      const logs: string[] = [];
      const renderer = createSelectingRenderer({ env: { CHROMIUM_PATH: path }, log: (m) => logs.push(m) });
      try {
        const app = appWith(renderer);
        const body = { candles: rows, chart: { renderer: 'browser' } };
        const first = await request(app).post('/v1/render').send(body).expect(200);
        const second = await request(app).post('/v1/render').send(body).expect(200);
        const chartjs = await request(app).post('/v1/render').send({ candles: rows }).expect(200);
        for (const res of [first, second]) {
          assert.equal(res.headers['x-chartlens-renderer'], 'chartjs');
          assert.match(res.headers['x-chartlens-warning'] ?? '', /chart\.renderer "browser" is not available here; the chart was drawn by "chartjs"/);
          // The very chart a chartjs request gets.
          assert.ok(png(res).equals(png(chartjs)));
        }
        assert.equal(logs.length, 1, `one log line for two fallbacks: ${logs.join(' | ')}`);
        const event = JSON.parse(logs[0]);
        assert.deepEqual([event.event, event.requested, event.drawnBy], ['renderer_fallback', 'browser', 'chartjs']);
      } finally {
        await renderer.close();
      }
    });
  }
});

describe('POST /v1/analyze with chart.renderer "browser" on the prepare pool', { skip: NO_CHROMIUM }, () => {
  let services: Services;
  let app: ReturnType<typeof createApp>;
  before(async () => {
    const config = loadConfig({ CHARTLENS_LOG: 'silent', CHARTLENS_DATA_DIR: ':memory:', CHARTLENS_ANALYZER: 'local' });
    // The root builds the renderer (one warm browser on this thread) and a pool of 1 worker thread.
    services = await buildServices(config, { store: await openMemoryStore(), workers: 1 });
    app = createApp({ config: { maxBodyBytes: 4 * 1024 * 1024 }, renderer: services.renderer, analyze: services.analyze, log: () => {} });
  });
  after(async () => {
    await services.close();
    await services.store.close();
  });

  test('when an analysis asks for a browser chart, then the worker thread hands it to the main browser and the analysis says browser', async () => {
    assert.ok(services.analyze.preparer, 'the analysis runs on the prepare pool');
    const res = await request(app)
      .post('/v1/analyze')
      .send({ symbol: 'SPX', timeframe: '1d', candles: rows, chart: { renderer: 'browser', width: 800, height: 400 } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const a = res.body as Analysis;
    assert.deepEqual(a.input.chart, { width: 800, height: 400, renderer: 'browser' });
    const chart = await request(app).get(`/v1/analyses/${a.id}/chart.png`).expect(200);
    const meta = await sharp(png(chart)).metadata();
    assert.deepEqual([meta.width, meta.height], [800, 400]);

    const plain = await request(app).post('/v1/analyze').send({ symbol: 'SPX', timeframe: '1d', candles: rows, chart: { width: 800, height: 400 } });
    assert.equal(plain.status, 200, JSON.stringify(plain.body));
    assert.equal((plain.body as Analysis).input.chart.renderer, 'chartjs');
    assert.notEqual((plain.body as Analysis).input.imageSha256, a.input.imageSha256);
  });
});
