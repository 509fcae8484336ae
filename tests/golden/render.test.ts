import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { ChartJsRenderer } from '../../renderers/chartjs/chartjs-renderer.ts';
import type { Candle } from '../../src/core/market/candles.ts';
import { assertMatchesGolden as matchGolden, pixels } from '../helpers/golden.ts';
import { GOLDEN_CANDLES, goldenRequest } from '../helpers/golden-request.ts';

const assertMatchesGolden = (name: string, png: Buffer) => matchGolden(name, png, { maxShare: MAX_DIFF_SHARE, rerun: 'render' });

/** Share of pixels allowed to differ (anti-aliasing of another Cairo/FreeType build); 0 on this machine kind. */
const MAX_DIFF_SHARE = 0.005;

const renderer = new ChartJsRenderer();
after(() => renderer.close());

const candles = GOLDEN_CANDLES;
const request = (options: Record<string, unknown>, data: readonly Candle[] = candles) => goldenRequest(options, data);

describe('Chart.js renderer golden images', () => {
  it('when 150 S&P bars are drawn with defaults, then the light candle chart matches its golden image', async () => {
    const chart = await renderer.render(request({ last: 150 }));
    assert.equal(chart.renderer, 'chartjs');
    assert.deepEqual([chart.width, chart.height], [1024, 512]);
    await assertMatchesGolden('sp500-light-150', chart.png);
  });

  it('when the dark theme, RSI and MACD panes, Bollinger bands and marks are asked for, then that chart matches', async () => {
    const chart = await renderer.render(
      request({
        last: 150,
        theme: 'dark',
        overlays: ['sma20', 'bollinger'],
        panes: ['rsi', 'macd'],
        markPatterns: true,
        markLevels: true,
      }),
    );
    await assertMatchesGolden('sp500-dark-panes-marks', chart.png);
  });

  it('when OHLC bars at 800x600 are drawn from data without volume, then that chart matches', async () => {
    const noVolume = candles.slice(-120).map(({ volume: _v, ...c }) => c);
    const chart = await renderer.render(request({ style: 'ohlc', width: 800, height: 600, overlays: ['ema20'] }, noVolume));
    const meta = await sharp(chart.png).metadata();
    assert.deepEqual([meta.width, meta.height, meta.format], [800, 600, 'png']);
    await assertMatchesGolden('sp500-ohlc-800x600-novolume', chart.png);
  });

  it('when the same input is rendered twice, then the bytes are identical (cacheable)', async () => {
    const a = await renderer.render(request({ last: 150, panes: ['rsi'] }));
    const b = await renderer.render(request({ last: 150, panes: ['rsi'] }));
    assert.ok(a.png.equals(b.png));
    const c = await renderer.render(request({ last: 149, panes: ['rsi'] }));
    assert.ok(!a.png.equals(c.png), 'a different input gives a different image');
  });

  it('when charts of other shapes are drawn in between, then a repeat render is still byte-identical', async () => {
    // The renderer reuses one Chart.js chart per size; nothing from one render may leak into the next.
    const first = await renderer.render(request({ last: 150 }));
    await renderer.render(request({ last: 60, theme: 'dark', panes: ['macd', 'rsi'], overlays: ['bollinger'], markLevels: true }));
    await renderer.render(request({ last: 150, style: 'ohlc', volume: false }));
    const again = await renderer.render(request({ last: 150 }));
    assert.ok(first.png.equals(again.png));
    await assertMatchesGolden('sp500-light-150', again.png);
  });

  it('when the volume pane is off, then the image differs from the one with volume', async () => {
    const withVolume = await pixels((await renderer.render(request({ last: 150 }))).png);
    const without = await pixels((await renderer.render(request({ last: 150, volume: false }))).png);
    assert.ok(!withVolume.data.equals(without.data));
  });
});
