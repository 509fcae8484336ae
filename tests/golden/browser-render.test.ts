/**
 * The browser renderer (lightweight-charts in headless Chromium): golden images per chart kind,
 * byte-stable repeats, concurrent renders on a small tab pool, exact output sizes, and a new
 * browser after the old one died. UPDATE_GOLDEN=1 rewrites the images.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { BrowserRenderer } from '../../renderers/browser/browser-renderer.ts';
import { findChromium } from '../../renderers/browser/chromium.ts';
import { chartScene } from '../../renderers/browser/scene.ts';
import { ChartJsRenderer } from '../../renderers/chartjs/chartjs-renderer.ts';
import type { Candle } from '../../src/core/market/candles.ts';
import { assertMatchesGolden as matchGolden, differingShare, type Pixels, pixels } from '../helpers/golden.ts';
import { GOLDEN_CANDLES, goldenRequest } from '../helpers/golden-request.ts';

const assertMatchesGolden = (name: string, png: Buffer) => matchGolden(name, png, { maxShare: MAX_DIFF_SHARE, rerun: 'browser' });

/** Share of pixels allowed to differ (anti-aliasing of another Chromium/FreeType build); 0 on this machine kind. */
const MAX_DIFF_SHARE = 0.005;
const NO_CHROMIUM = findChromium() ? false : 'no Chromium here (npm run setup installs it; CHROMIUM_PATH names one)';

const renderer = new BrowserRenderer({ pages: 2 });
after(() => renderer.close());

const candles = GOLDEN_CANDLES;
const request = (options: Record<string, unknown>, data: readonly Candle[] = candles) => goldenRequest({ renderer: 'browser', ...options }, data);

/** The pixel at (x, y) as [r, g, b]. */
const at = (p: Pixels, x: number, y: number): number[] => [...p.data.subarray((y * p.width + x) * 3, (y * p.width + x) * 3 + 3)];

/** How many pixels within the rectangle are close to `rgb` (each channel within 40). */
function countNear(p: Pixels, rgb: number[], x0 = 0, y0 = 0, x1 = p.width, y1 = p.height): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const c = at(p, x, y);
      if (Math.abs(c[0] - rgb[0]) < 40 && Math.abs(c[1] - rgb[1]) < 40 && Math.abs(c[2] - rgb[2]) < 40) n++;
    }
  }
  return n;
}

const hex = (h: string): number[] => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));

describe('browser renderer golden images', { skip: NO_CHROMIUM }, () => {
  it('when 150 S&P bars are drawn with defaults (candles, volume, SMA20/50), then the light chart matches its golden image', async () => {
    const chart = await renderer.render(request({ last: 150 }));
    assert.equal(chart.renderer, 'browser');
    assert.deepEqual([chart.width, chart.height], [1024, 512]);
    const p = await pixels(chart.png);
    // The light background, green and red candles, and the SMA20 colour are all on the image.
    assert.deepEqual(at(p, 500, 30), hex('#ffffff'));
    assert.ok(countNear(p, hex('#16a34a')) > 500, 'up candles are drawn');
    assert.ok(countNear(p, hex('#dc2626')) > 500, 'down candles are drawn');
    assert.ok(countNear(p, hex('#f59e0b'), 0, 30, 940, 400) > 200, 'the SMA20 line is drawn');
    await assertMatchesGolden('browser-sp500-light-150', chart.png);
  });

  it('when the dark theme with RSI and MACD panes is asked for, then that chart matches and has four panes', async () => {
    const req = request({ last: 150, theme: 'dark', overlays: ['sma20', 'bollinger'], panes: ['rsi', 'macd'] });
    const chart = await renderer.render(req);
    const p = await pixels(chart.png);
    assert.deepEqual(at(p, 500, 30), hex('#0f172a'));
    // The RSI line (its own colour) is drawn below the price and volume panes only.
    assert.ok(countNear(p, hex('#a78bfa'), 0, 0, 940, 250) < 40, 'no RSI in the price pane');
    assert.ok(countNear(p, hex('#a78bfa'), 0, 300, 940, 512) > 200, 'the RSI line is drawn in a lower pane');
    assert.ok(countNear(p, hex('#fb923c'), 0, 380, 940, 512) > 100, 'the MACD signal line is drawn in the bottom pane');
    assert.deepEqual(chartScene(req).weights, { price: 4, volume: 1, rsi: 1.2, macd: 1.2 });
    await assertMatchesGolden('browser-sp500-dark-rsi-macd', chart.png);
  });

  it('when OHLC bars at 800x600 are drawn from data without volume, then that chart matches', async () => {
    const noVolume = candles.slice(-120).map(({ volume: _v, ...c }) => c);
    const chart = await renderer.render(request({ style: 'ohlc', width: 800, height: 600, overlays: ['ema20'] }, noVolume));
    const meta = await sharp(chart.png).metadata();
    assert.deepEqual([meta.width, meta.height, meta.format], [800, 600, 'png']);
    assert.equal(chartScene(request({ style: 'ohlc' }, noVolume)).volume, null);
    await assertMatchesGolden('browser-sp500-ohlc-800x600-novolume', chart.png);
  });

  it('when patterns and levels are marked, then that chart matches and differs from the unmarked one', async () => {
    const req = request({ last: 150, markPatterns: true, markLevels: true });
    const scene = chartScene(req);
    assert.ok(scene.levels.length > 0 && scene.markers.length + scene.boxes.length > 0, 'the facts give marks to draw');
    const marked = await renderer.render(req);
    const plain = await renderer.render(request({ last: 150 }));
    const share = differingShare(await pixels(marked.png), await pixels(plain.png));
    assert.ok(share > 0.002, `marks change the image (${(share * 100).toFixed(2)}% of pixels)`);
    await assertMatchesGolden('browser-sp500-marks', marked.png);
  });
});

describe('browser renderer behaviour', { skip: NO_CHROMIUM }, () => {
  it('when the same request is drawn twice, then the bytes are identical; another input gives another image', async () => {
    const a = await renderer.render(request({ last: 150, panes: ['rsi'] }));
    await renderer.render(request({ last: 60, theme: 'dark', panes: ['macd', 'rsi'], overlays: ['bollinger'], markLevels: true, width: 700, height: 400 }));
    const b = await renderer.render(request({ last: 150, panes: ['rsi'] }));
    assert.ok(a.png.equals(b.png), 'a repeat render, with another chart drawn in between, is byte-identical');
    const c = await renderer.render(request({ last: 149, panes: ['rsi'] }));
    assert.ok(!a.png.equals(c.png));
  });

  it('when 6 charts are asked for at once on a pool of 2 tabs, then each is the one drawn alone', async () => {
    const reqs = [
      request({ last: 150 }),
      request({ last: 100, theme: 'dark' }),
      request({ last: 150, style: 'ohlc' }),
      request({ last: 80, panes: ['rsi'], width: 640, height: 480 }),
      request({ last: 150, markPatterns: true, markLevels: true }),
      request({ last: 120, overlays: ['bollinger'], panes: ['macd'], width: 900, height: 700 }),
    ];
    const together = await Promise.all(reqs.map((r) => renderer.render(r)));
    for (const [i, r] of reqs.entries()) {
      const alone = await renderer.render(r);
      assert.deepEqual([together[i].width, together[i].height], [r.options.width, r.options.height]);
      assert.ok(together[i].png.equals(alone.png), `chart ${i} drawn concurrently equals the one drawn alone`);
    }
    assert.equal(new Set(together.map((c) => c.png.toString('base64'))).size, reqs.length, 'six different charts');
  });

  it('when odd sizes are asked for, then the PNG is exactly options.width x options.height', async () => {
    for (const [width, height] of [
      [320, 240],
      [1023, 511],
      [1600, 900],
    ]) {
      const chart = await renderer.render(request({ last: 100, width, height }));
      const meta = await sharp(chart.png).metadata();
      assert.deepEqual([meta.width, meta.height, chart.width, chart.height], [width, height, width, height]);
    }
  });

  it('when it draws the same request as Chart.js, then the image is its own (lightweight-charts, not Chart.js)', async () => {
    const chartjs = new ChartJsRenderer();
    try {
      const req = request({ last: 150 });
      const [b, c] = await Promise.all([renderer.render(req), chartjs.render(req)]);
      assert.equal(c.renderer, 'chartjs');
      assert.ok(differingShare(await pixels(b.png), await pixels(c.png)) > 0.01);
    } finally {
      await chartjs.close();
    }
  });

  it('when its Chromium dies, then the next render starts a new one and draws the same chart', async () => {
    const own = new BrowserRenderer({ pages: 1 });
    try {
      const req = request({ last: 150 });
      const first = await own.render(req);
      const pid = own.pid();
      assert.ok(pid, 'a browser is running');
      process.kill(pid, 'SIGKILL');
      // Wait until the renderer has seen the disconnect.
      for (let i = 0; i < 100 && own.pid() !== null; i++) await new Promise((r) => setTimeout(r, 20));
      const again = await own.render(req);
      assert.equal(own.launches, 2);
      assert.notEqual(own.pid(), pid);
      assert.ok(again.png.equals(first.png));
    } finally {
      await own.close();
    }
    assert.equal(own.pid(), null, 'closed: no browser left running');
    await assert.rejects(own.render(request({ last: 50 })), /closed/);
  });
});
