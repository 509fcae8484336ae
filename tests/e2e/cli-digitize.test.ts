/** `chartlens digitize IMAGE`, in process: the same JSON as POST /v1/digitize, and clear failures. */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { digitizeResponseSchema } from '../../src/contracts/digitize.ts';
import { runCaptured } from '../../src/entry/cli/run-captured.ts';

const SAMPLE = fileURLToPath(new URL('../../samples/charts/sp500-2020-light.png', import.meta.url));
const CSV = fileURLToPath(new URL('../../samples/sp500.csv', import.meta.url));
const ENV = { CHARTLENS_LOG: 'silent' };

describe('chartlens digitize', () => {
  test('when the sample chart is read, then exit 0 and the JSON holds its 150 candles, dated, ending on the true last bar', async () => {
    const r = await runCaptured(['digitize', SAMPLE], ENV);
    assert.equal(r.code, 0, r.stderr);
    const d = digitizeResponseSchema.parse(JSON.parse(r.stdout));
    assert.equal(d.candles.length, 150);
    const last = d.candles.at(-1);
    assert.equal(last?.time?.slice(0, 10), '2020-04-17');
    // The true close that day was 2874.56; the chart is read to a few points of a 1200-point range.
    assert.ok(last && Math.abs(last.close - 2874.56) < 12, `close read as ${last?.close}`);
  });

  test('when the file is missing, is not an image, or no image is named, then 1, 1 and 64 with a clear message', async () => {
    const missing = await runCaptured(['digitize', '/no/such/chart.png'], ENV);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read \/no\/such\/chart\.png: no such file/);
    const notImage = await runCaptured(['digitize', CSV], ENV);
    assert.equal(notImage.code, 1);
    assert.match(notImage.stderr, /unsupported_image|PNG, JPEG or WebP/);
    const none = await runCaptured(['digitize'], ENV);
    assert.equal(none.code, 64);
  });
});
