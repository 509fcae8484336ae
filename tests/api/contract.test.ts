import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import request from 'supertest';
import { formatCandleTime, parseCandlesCsv } from '../../src/core/market/candles.ts';
import type { ChartRenderer } from '../../src/ports/chart-renderer.ts';
import { lastSampleCsv, rows } from '../helpers/candle-rows.ts';
import { httpApp, httpAppWith } from '../helpers/http-app.ts';

const app = httpApp();

const INDICATORS = [
  'rsi14',
  'macd',
  'macdSignal',
  'macdHist',
  'bbUpper',
  'bbMiddle',
  'bbLower',
  'sma20',
  'sma50',
  'sma200',
  'ema20',
  'ema50',
  'atr14',
  'stochK',
  'stochD',
  'adx14',
  'obv',
  'volumeRatio20',
];

/** The last `n` sample bars as JSON rows with ISO date times, the way a client would send them. */
function sampleRows(n: number): { time: string; open: number; high: number; low: number; close: number; volume?: number }[] {
  return parseCandlesCsv(lastSampleCsv(n)).map((c) => ({ ...c, time: formatCandleTime(c.time) }));
}

/** Width and height from a PNG's IHDR chunk (bytes 16..23, big-endian). */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('GET /healthz', () => {
  test('when asked, then it answers 200 JSON with status ok', async () => {
    const res = await request(app).get('/healthz');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(res.body.status, 'ok');
    assert.equal(typeof res.body.uptimeSeconds, 'number');
  });
});

describe('POST /v1/indicators', () => {
  const bars300 = sampleRows(300);

  test('when sent the last 300 sample bars, then facts carry all 18 indicators as finite numbers', async () => {
    const res = await request(app).post('/v1/indicators').send({ symbol: 'SPX', timeframe: '1d', candles: bars300 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(res.body).sort(), ['facts', 'symbol', 'timeframe']);
    assert.equal(res.body.symbol, 'SPX');
    assert.equal(res.body.timeframe, '1d');
    const { facts } = res.body;
    assert.equal(facts.bars, 300);
    assert.equal(facts.asOf.time, '2020-04-17');
    assert.equal(facts.lastBar.close, 2874.560059);
    assert.deepEqual(Object.keys(facts.indicators).sort(), [...INDICATORS].sort());
    for (const name of INDICATORS) {
      assert.equal(typeof facts.indicators[name], 'number', `${name} = ${facts.indicators[name]}`);
      assert.ok(Number.isFinite(facts.indicators[name]), name);
    }
    const ind = facts.indicators;
    assert.ok(ind.rsi14 >= 0 && ind.rsi14 <= 100);
    assert.ok(ind.bbLower <= ind.bbMiddle && ind.bbMiddle <= ind.bbUpper);
    assert.ok(Math.abs(ind.macd - ind.macdSignal - ind.macdHist) < 1e-6);
  });

  test('when sent 150 bars, then sma200 is null (never made up) while sma50 is a number', async () => {
    const res = await request(app).post('/v1/indicators').send({ candles: sampleRows(150) });
    assert.equal(res.status, 200);
    assert.equal(res.body.facts.indicators.sma200, null);
    assert.equal(typeof res.body.facts.indicators.sma50, 'number');
    assert.equal(res.body.symbol, null);
    assert.equal(res.body.timeframe, null);
  });

  test('when sent bars without volume, then obv and volumeRatio20 are null', async () => {
    const noVolume = bars300.map(({ volume: _volume, ...rest }) => rest);
    const res = await request(app).post('/v1/indicators').send({ candles: noVolume });
    assert.equal(res.status, 200);
    assert.equal(res.body.facts.indicators.obv, null);
    assert.equal(res.body.facts.indicators.volumeRatio20, null);
    assert.equal(res.body.facts.lastBar.volume, null);
  });

  test('when sent 300 bars, then each pattern has name, direction, indices and times that match its bars', async () => {
    const res = await request(app).post('/v1/indicators').send({ candles: bars300 });
    const { patterns } = res.body.facts;
    assert.ok(Array.isArray(patterns) && patterns.length > 0, 'the sample should show at least one pattern');
    for (const p of patterns) {
      assert.equal(typeof p.name, 'string');
      assert.ok(p.name.length > 0);
      assert.ok(['bullish', 'bearish', 'neutral'].includes(p.direction), p.direction);
      assert.ok(Number.isInteger(p.startIndex) && Number.isInteger(p.endIndex));
      assert.ok(p.startIndex >= 0 && p.startIndex <= p.endIndex && p.endIndex < 300, JSON.stringify(p));
      assert.equal(p.startTime, bars300[p.startIndex].time);
      assert.equal(p.endTime, bars300[p.endIndex].time);
    }
  });

  test('when sent 300 bars, then support is below the close and resistance at or above it', async () => {
    const res = await request(app).post('/v1/indicators').send({ candles: bars300 });
    const { levels, lastBar } = res.body.facts;
    assert.ok(Array.isArray(levels.support) && Array.isArray(levels.resistance));
    assert.ok(levels.support.length + levels.resistance.length > 0);
    for (const l of levels.support) assert.ok(l.price < lastBar.close);
    for (const l of levels.resistance) assert.ok(l.price >= lastBar.close);
  });

  test('when sent bars, then the trend probabilities are in [0, 1] and sum to 1', async () => {
    for (const candles of [bars300, sampleRows(2), rows(40)]) {
      const res = await request(app).post('/v1/indicators').send({ candles });
      const p = res.body.facts.trend.probabilities;
      for (const v of [p.uptrend, p.downtrend, p.sideways]) assert.ok(v >= 0 && v <= 1, JSON.stringify(p));
      assert.ok(Math.abs(p.uptrend + p.downtrend + p.sideways - 1) < 1e-9, JSON.stringify(p));
      assert.ok(['up', 'down', 'sideways'].includes(res.body.facts.trend.direction));
    }
  });

  test('when the same bars come as JSON rows or as CSV, then the facts are identical', async () => {
    const fromJson = await request(app).post('/v1/indicators').send({ candles: sampleRows(120) });
    const fromCsv = await request(app).post('/v1/indicators').send({ csv: lastSampleCsv(120) });
    assert.equal(fromJson.status, 200);
    assert.deepEqual(fromCsv.body, fromJson.body);
  });
});

describe('POST /v1/render', () => {
  test('when no size is given, then it returns a 1024x512 PNG', async () => {
    const res = await request(app).post('/v1/render').send({ candles: sampleRows(120) });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'image/png');
    assert.ok(Buffer.isBuffer(res.body));
    assert.deepEqual(res.body.subarray(0, 8), PNG_SIGNATURE);
    assert.equal(res.body.toString('latin1', 12, 16), 'IHDR');
    assert.deepEqual(pngSize(res.body), { width: 1024, height: 512 });
    assert.equal(res.headers['x-chart-renderer'], 'chartjs');
  });

  test('when a size and every option are given, then the PNG has exactly that size', async () => {
    const res = await request(app)
      .post('/v1/render')
      .send({
        symbol: 'SPX',
        timeframe: '1d',
        candles: sampleRows(300),
        chart: {
          width: 800,
          height: 600,
          style: 'ohlc',
          theme: 'dark',
          overlays: ['sma20', 'sma50', 'sma200', 'ema20', 'ema50', 'bollinger'],
          panes: ['rsi', 'macd'],
          volume: true,
          markPatterns: true,
          markLevels: true,
          last: 120,
        },
      });
    assert.equal(res.status, 200, res.body instanceof Buffer ? '' : JSON.stringify(res.body));
    assert.deepEqual(res.body.subarray(0, 8), PNG_SIGNATURE);
    assert.deepEqual(pngSize(res.body), { width: 800, height: 600 });
  });

  test('when the chart is the smallest allowed and only 2 bars are sent, then it still renders', async () => {
    const res = await request(app)
      .post('/v1/render')
      .send({ candles: rows(2), chart: { width: 320, height: 240, markPatterns: true, markLevels: true } });
    assert.equal(res.status, 200);
    assert.deepEqual(pngSize(res.body), { width: 320, height: 240 });
  });
});

describe('errors', () => {
  test('when a route does not exist, then 404 JSON not_found', async () => {
    for (const req of [request(app).get('/nope'), request(app).post('/v1/analyse'), request(app).get('/v1/render')]) {
      const res = await req;
      assert.equal(res.status, 404);
      assert.match(res.headers['content-type'] ?? '', /^application\/json/);
      assert.equal(res.body.error.code, 'not_found');
      assert.ok(Array.isArray(res.body.error.details));
    }
  });

  test('when an error is answered, then the body is only {error: {code, message, details}} with no stack trace', async () => {
    const responses = [
      await request(app).get('/missing'),
      await request(app).post('/v1/indicators').set('Content-Type', 'application/json').send('{bad'),
      await request(app).post('/v1/indicators').send({ candles: rows(3, () => ({ close: -1 })) }),
      await request(app).post('/v1/render').set('Content-Type', 'application/xml').send('<x/>'),
      await request(httpApp(2048)).post('/v1/indicators').send({ candles: rows(100) }),
    ];
    for (const res of responses) {
      assert.ok(res.status >= 400 && res.status < 500, String(res.status));
      assert.deepEqual(Object.keys(res.body), ['error']);
      assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'details', 'message']);
      assert.doesNotMatch(res.text, /\bat .*\.(ts|js):\d+|node_modules|Error:/);
    }
  });

  test('when the renderer fails unexpectedly, then 500 internal_error without the stack or message, and it is logged', async () => {
    const logged: string[] = [];
    const broken: ChartRenderer = {
      name: 'broken',
      render: () => Promise.reject(new Error('secret path /etc/shadow')),
      close: () => Promise.resolve(),
    };
    const res = await request(httpAppWith(broken, (m) => logged.push(m)))
      .post('/v1/render')
      .send({ candles: rows(3) });
    assert.equal(res.status, 500);
    assert.deepEqual(res.body, { error: { code: 'internal_error', message: 'Internal error', details: [] } });
    assert.doesNotMatch(res.text, /secret|shadow|\.ts:\d+/);
    assert.equal(logged.length, 1);
    assert.match(logged[0], /secret path/);
  });
});
