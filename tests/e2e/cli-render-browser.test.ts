/** `chartlens render --renderer browser`: Chromium draws it, or Chart.js with a warning when there is none. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCaptured } from '../../src/entry/cli/run-captured.ts';

const work = mkdtempSync(join(tmpdir(), 'chartlens-cli-render-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('chartlens render --renderer', () => {
  test('when --renderer browser is given, then the PNG differs from the Chart.js one; without Chromium it is the Chart.js one and stderr warns', async () => {
    const args = (out: string, ...more: string[]) => ['render', '--csv', 'samples/sp500.csv', '--last', '120', '--out', join(work, out), ...more];
    const chartjs = await runCaptured(args('chartjs.png'), {});
    assert.equal(chartjs.code, 0, chartjs.stderr);
    const browser = await runCaptured(args('browser.png', '--renderer', 'browser'), {});
    assert.equal(browser.code, 0, browser.stderr);
    assert.doesNotMatch(browser.stderr, /warning/);
    assert.ok(!readFileSync(join(work, 'browser.png')).equals(readFileSync(join(work, 'chartjs.png'))), 'Chromium drew another picture');
    const fallback = await runCaptured(args('fallback.png', '--renderer', 'browser'), { CHROMIUM_PATH: join(work, 'no-such-chromium') });
    assert.equal(fallback.code, 0, fallback.stderr);
    assert.match(fallback.stderr, /^chartlens: warning: .*browser.*chartjs|Chart\.js/im);
    assert.ok(readFileSync(join(work, 'fallback.png')).equals(readFileSync(join(work, 'chartjs.png'))), 'the fallback is the Chart.js chart');
    const bad = await runCaptured(args('bad.png', '--renderer', 'svg'), {});
    assert.equal(bad.code, 64);
    assert.match(bad.stderr, /--renderer must be chartjs or browser/);
  });
});
