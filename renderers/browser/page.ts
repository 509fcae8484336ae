import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const LWC_DIR = dirname(require.resolve('lightweight-charts/package.json'));

/** lightweight-charts' version: with Chromium's, what the browser renderer's pixels depend on. */
export const LIGHTWEIGHT_CHARTS_VERSION = (JSON.parse(readFileSync(join(LWC_DIR, 'package.json'), 'utf8')) as { version: string }).version;

/** The title and legend strip above the chart, in CSS px (paint.js sizes the chart to the rest). */
export const HEADER_PX = 22;

let cached: string | undefined;

/**
 * The page every pooled tab loads once: lightweight-charts' standalone build and the painting
 * script, inline, so the page never asks the network for anything (there is no network here).
 */
export function chartPageHtml(): string {
  if (cached) return cached;
  const library = readFileSync(join(LWC_DIR, 'dist/lightweight-charts.standalone.production.js'), 'utf8');
  const paint = readFileSync(new URL('./paint.js', import.meta.url), 'utf8');
  // A script's text ends at the first "</script"; neither file has one, but make sure.
  for (const [name, text] of [['lightweight-charts', library], ['paint.js', paint]]) {
    if (/<\/script/i.test(text)) throw new Error(`${name} contains "</script" and cannot be inlined`);
  }
  cached = `<!doctype html>
<html><head><meta charset="utf-8">
<style>
  html, body { margin: 0; padding: 0; }
  #frame { position: absolute; left: 0; top: 0; overflow: hidden; display: flex; flex-direction: column;
    font-family: 'DejaVu Sans', sans-serif; }
  #header { flex: 0 0 ${HEADER_PX}px; height: ${HEADER_PX}px; display: flex; align-items: center; justify-content: space-between;
    padding: 0 6px; box-sizing: border-box; white-space: nowrap; overflow: hidden; }
  #title { font-size: 12px; font-weight: bold; white-space: pre; }
  #legend { font-size: 10px; display: flex; gap: 10px; }
  #legend .item { display: inline-flex; align-items: center; gap: 4px; }
  #legend .swatch { display: inline-block; width: 12px; height: 0; }
  #chart { flex: 1 1 auto; position: relative; }
</style>
<script>${library}</script>
<script>${paint}</script>
</head><body><div id="frame"><div id="header"><span id="title"></span><span id="legend"></span></div><div id="chart"></div></div></body></html>`;
  return cached;
}
