/**
 * Takes the README's screenshot of the web page: the real server on its embedded defaults (the
 * local rules, the CSV folder), a deep link to the sample S&P 500, in Debian Chromium.
 *
 *   node scripts/readme-screenshot.ts [--out docs/screenshot.png]
 */
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { launchChromium } from '../renderers/browser/chromium.ts';
import { loadConfig } from '../src/composition/config.ts';
import { startServer } from '../src/composition/server.ts';

const outArg = process.argv.find((a) => a.startsWith('--out='));
const out = outArg ? outArg.slice('--out='.length) : 'docs/screenshot.png';
const dataDir = mkdtempSync(join(tmpdir(), 'chartlens-shot-'));
const server = await startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', CHARTLENS_DATA_DIR: dataDir, CHARTLENS_LOG: 'silent' }));
const browser = await launchChromium();
try {
  const { port } = server.address() as AddressInfo;
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1000, deviceScaleFactor: 1 });
  await page.goto(`http://127.0.0.1:${port}/?symbol=sp500&timeframe=1d&source=csv`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('#result article[data-id]', { timeout: 30_000 });
  // The chart draws on the next animation frames.
  await new Promise((resolve) => setTimeout(resolve, 500));
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out as `${string}.png` });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
