/**
 * The web page at / in a real browser (Debian Chromium driven by puppeteer-core) against the real
 * app on 127.0.0.1: a chart image, a CSV and a ticker are analysed through the page, a deep link
 * runs on load, the history reopens an analysis, the page is keyboard operable and labelled, fits
 * a 375 px phone, shows the API's errors in words, asks for an API key on a 401, and loads
 * nothing from another host. Screenshots are compared with golden images (UPDATE_GOLDEN=1
 * rewrites them); ids, times and latencies are hidden for them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import { findChromium, launchChromium } from '../../renderers/browser/chromium.ts';
import { type FakeYahoo, startFakeYahoo } from '../../testing/fake-yahoo.ts';
import { type AnalysisApp, type AnalysisAppOptions, startAnalysisApp } from '../helpers/analysis-app.ts';
import { assertMatchesGolden as matchGolden } from '../helpers/golden.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// The callbacks given to page.evaluate run in the browser. The project's types have no DOM library,
// so this module names the browser globals those callbacks use, for itself only.
type Dom = any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Element = Dom;
type HTMLElement = Dom;
type HTMLInputElement = Dom;
type HTMLImageElement = Dom;
declare const document: Dom;
declare const window: Dom;
declare const getComputedStyle: Dom;
declare const requestAnimationFrame: Dom;
declare const DataTransfer: Dom;
declare const ClipboardEvent: Dom;
declare const DragEvent: Dom;

/**
 * The ticker flow: the market-data source and symbol the page asks for, and the options of the
 * app that serves them. Pointing it at another source (the fake Yahoo) changes only these.
 */
const TICKER = { source: 'yahoo', symbol: 'AAPL', timeframe: '1d' };
/** The app's Yahoo is a fake on 127.0.0.1 replaying fixtures moved to end this week. */
let yahoo: FakeYahoo;
const appOptions = (): AnalysisAppOptions => ({ env: { CHARTLENS_YAHOO_URL: yahoo.url, CHARTLENS_MARKET_RATE_LIMIT: '6000' } });

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SAMPLE_CHART = join(ROOT, 'samples/charts/sp500-2020-light.png');
/** Share of pixels allowed to differ from a golden image (anti-aliasing of another font build). */
const MAX_DIFF_SHARE = 0.01;
const assertMatchesGolden = (name: string, png: Buffer) => matchGolden(name, png, { maxShare: MAX_DIFF_SHARE, rerun: 'web-page' });
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 800 };

const chromium = findChromium();

async function listen(app: Express): Promise<{ server: Server; base: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

describe('the web page at /', { skip: chromium ? false : 'Chromium is not installed (npm run setup installs it)' }, () => {
  let a: AnalysisApp;
  let server: Server;
  let base: string;
  let browser: Browser;
  let work: string;
  let csvFile: string;
  let badCsvFile: string;
  /** Requests the pages tried to send anywhere but the app; they are refused. */
  const offHost: string[] = [];
  /** Uncaught exceptions in any page. */
  const pageErrors: string[] = [];
  /** The JSON bodies the pages posted to /v1/analyze, in order. */
  const analyzeBodies: Json[] = [];
  /** Analyses made through the page, in order. */
  const made: { flow: string; id: string }[] = [];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'chartlens-web-'));
    const lines = readFileSync(join(ROOT, 'samples/sp500.csv'), 'utf8').trim().split('\n');
    csvFile = join(work, 'sp500-last300.csv');
    writeFileSync(csvFile, [lines[0], ...lines.slice(-300)].join('\n'));
    badCsvFile = join(work, 'no-close.csv');
    writeFileSync(badCsvFile, 'date,open,high,low\n2020-01-02,1,2,0.5\n2020-01-03,1,2,0.5\n');
    yahoo = await startFakeYahoo({ endAt: Date.now() });
    [a, browser] = await Promise.all([startAnalysisApp(appOptions()), launchChromium()]);
    ({ server, base } = await listen(a.app));
  });
  after(async () => {
    await browser?.close();
    if (server) await close(server);
    await a?.close();
    await yahoo?.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** A fresh page on the app; anything it asks of another host is refused and recorded. */
  async function open(path = '/', viewport = DESKTOP, origin?: string): Promise<Page> {
    const home = origin ?? base;
    const page = await browser.newPage();
    await page.setViewport(viewport);
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      const url = req.url();
      if (url === `${home}/v1/analyze` && req.method() === 'POST' && /json/.test(req.headers()['content-type'] ?? '')) analyzeBodies.push(JSON.parse(req.postData() ?? 'null') as Json);
      if (url.startsWith(`${home}/`) || url.startsWith('blob:') || url.startsWith('data:')) void req.continue();
      else {
        offHost.push(url);
        void req.abort();
      }
    });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await page.goto(`${home}${path}`, { waitUntil: 'load' });
    return page;
  }

  /** Wait until the result shows an analysis other than `previous`; returns its id. */
  async function nextResult(page: Page, previous: string | null = null): Promise<string> {
    const handle = await page.waitForFunction(
      (prev) => {
        const id = document.querySelector('#result article[data-id]')?.dataset.id;
        return id && id !== prev ? id : false;
      },
      { timeout: 20_000 },
      previous,
    );
    return String(await handle.jsonValue());
  }

  async function submit(page: Page): Promise<string> {
    const before = await page.evaluate(() => document.querySelector('#result article[data-id]')?.dataset.id ?? null);
    await page.click('#submit');
    return nextResult(page, before);
  }

  async function upload(page: Page, selector: string, file: string): Promise<void> {
    const input = (await page.$(selector)) as ElementHandle<HTMLInputElement> | null;
    assert.ok(input, selector);
    await input.uploadFile(file);
  }

  /** What the decision card and the verification table show. */
  function readResult(page: Page) {
    return page.evaluate(() => {
      const text = (sel: string) => document.querySelector(sel)?.textContent?.trim() ?? null;
      return {
        title: text('#analysis-title'),
        action: text('[data-field="action"]'),
        exposure: text('[data-field="exposure"]'),
        confidence: text('[data-field="confidence"]'),
        meaning: text('[data-field="confidence-meaning"]'),
        entry: text('[data-field="entry"]'),
        stop: text('[data-field="stop"]'),
        target: text('[data-field="target"]'),
        analyzer: text('[data-field="analyzer-label"]'),
        disclaimer: text('[data-field="disclaimer"]'),
        cost: text('[data-field="cost"]'),
        latency: text('[data-field="latency"]'),
        regimeLabel: document.querySelector('.regime-bar')?.getAttribute('aria-label') ?? null,
        experts: document.querySelectorAll('.expert').length,
        rows: [...document.querySelectorAll('#verification-table tbody tr')].map((tr) => ({
          claim: tr.querySelector('.claim-text')?.textContent ?? '',
          status: tr.getAttribute('data-status'),
          evidence: tr.querySelector('.evidence')?.textContent ?? '',
        })),
        headers: [...document.querySelectorAll('#verification-table thead th')].map((th) => th.textContent),
        canvases: document.querySelectorAll('#chart canvas').length,
        chartLabel: document.querySelector('#chart')?.getAttribute('aria-label') ?? '',
        image: (() => {
          const img = document.querySelector('#chart img.chart-image');
          return img ? { width: img.naturalWidth, complete: img.complete, src: img.src } : null;
        })(),
      };
    });
  }

  /** The page shows what the API stored for this analysis: action, exposure, confidence, every claim. */
  async function assertShows(page: Page, id: string): Promise<Awaited<ReturnType<typeof readResult>>> {
    const stored = (await (await fetch(`${base}/v1/analyses/${id}`)).json()) as Json;
    const shown = await readResult(page);
    assert.match(shown.action ?? '', /^(BUY|SELL|HOLD)$/);
    assert.equal(shown.action, String(stored.decision.action).toUpperCase());
    assert.match(shown.exposure ?? '', /^([+−]?\d+(\.\d)?%) \((long|short|flat)\)$/);
    assert.equal(shown.confidence, `${Math.round(stored.decision.confidence * 100)}%`);
    assert.ok((shown.meaning ?? '').length > 40, 'the confidence is explained');
    if (stored.decision.calibration) assert.match(shown.meaning ?? '', new RegExp(`Calibrated by the map ${stored.decision.calibration.map}`));
    for (const field of ['entry', 'stop', 'target'] as const) assert.ok(shown[field], `${field} is shown`);
    assert.match(shown.analyzer ?? '', /rules/, 'the local analyzer is called rules');
    assert.doesNotMatch(shown.analyzer ?? '', /\bLLM\b/);
    assert.equal(shown.disclaimer, stored.disclaimer);
    assert.match(shown.regimeLabel ?? '', /^Regime: Uptrend \d+%, Sideways \d+%, Downtrend \d+%$/);
    assert.equal(shown.experts, stored.experts.length);
    assert.deepEqual(shown.headers, ['Claim', 'Status', 'Evidence']);
    assert.ok(shown.rows.length > 0, 'the verification table has rows');
    assert.deepEqual(
      shown.rows.map((r) => [r.claim, r.status, r.evidence]),
      stored.verification.claims.map((c: Json) => [c.claim, c.status, c.detail]),
    );
    assert.match(shown.cost ?? '', /^\$0 /);
    assert.match(shown.latency ?? '', /^\d+(\.\d)? m?s$/);
    return shown;
  }

  /** Hide volatile text, drop focus and let the chart paint: what a golden screenshot needs. */
  async function steady(page: Page): Promise<void> {
    await page.evaluate(async () => {
      document.documentElement.classList.add('hide-volatile');
      (document.activeElement as HTMLElement | null)?.blur();
      await document.fonts.ready;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    });
  }

  async function shot(page: Page, selector: string): Promise<Buffer> {
    const el = await page.$(selector);
    assert.ok(el, selector);
    return Buffer.from(await el.screenshot({ type: 'png' }));
  }

  test('serves the page and its assets from the app only: no inline script, no other host, a fixed allow-list', async () => {
    const res = await fetch(`${base}/?symbol=AAPL&timeframe=1d&source=yahoo`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const html = await res.text();
    assert.doesNotMatch(html, /https?:\/\//, 'no absolute URLs');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline scripts');
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handlers');
    assert.doesNotMatch(html, /\sstyle\s*=/i, 'no style attributes');
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    const assets = refs.filter((r) => r.startsWith('/assets/'));
    assert.ok(assets.includes('/assets/vendor/lightweight-charts.js') && assets.includes('/assets/app.js') && assets.includes('/assets/styles.css'));
    for (const ref of assets) {
      const r = await fetch(`${base}${ref}`);
      assert.equal(r.status, 200, ref);
      const body = await r.text();
      assert.match(r.headers.get('content-type') ?? '', /^(text\/javascript|text\/css|image\/png)/, ref);
      if (ref.endsWith('.js') && !ref.includes('/vendor/')) assert.doesNotMatch(body, /https?:\/\/|innerHTML|insertAdjacentHTML|\.setAttribute\('style'/, `${ref} writes no HTML or style strings and names no host`);
    }
    // The module graph: every import of the page's scripts is an allowed asset.
    const app = await (await fetch(`${base}/assets/app.js`)).text();
    for (const [, file] of app.matchAll(/from '\.\/([\w-]+\.js)'/g)) assert.equal((await fetch(`${base}/assets/${file}`)).status, 200, file);
    for (const path of ['/assets/index.html', '/assets/..%2Fpackage.json', '/assets/vendor/typings.d.ts', '/assets/vendor/..%2F..%2Fpackage.json', '/assets/nope.js']) {
      assert.equal((await fetch(`${base}${path}`)).status, 404, path);
    }
  });

  test('when a sample chart image is uploaded, then the decision card and the verification table show, with the image as the chart', async () => {
    const page = await open('/');
    await upload(page, '#image-file', SAMPLE_CHART);
    assert.equal(await page.$eval('#submit', (b) => b.textContent), 'Analyze the image');
    const id = await submit(page);
    made.push({ flow: 'image', id });
    const shown = await assertShows(page, id);
    assert.equal(shown.canvases, 0, 'no interactive chart without candles');
    await page.waitForFunction(() => (document.querySelector('#chart img')?.naturalWidth ?? 0) > 0);
    const img = (await readResult(page)).image;
    assert.ok(img && img.width === 1024 && img.src.startsWith('blob:'), 'the uploaded image is shown');
    await page.close();
  });

  test('when a CSV is uploaded, then the interactive chart is drawn with the claims, and the result matches its golden image', async () => {
    const page = await open('/');
    await upload(page, '#csv-file', csvFile);
    const id = await submit(page);
    made.push({ flow: 'csv', id });
    const shown = await assertShows(page, id);
    assert.ok(shown.canvases > 0, 'lightweight-charts drew on canvases');
    const stored = (await (await fetch(`${base}/v1/analyses/${id}`)).json()) as Json;
    const levels = stored.claims.levels.support.length + stored.claims.levels.resistance.length;
    assert.match(shown.chartLabel, new RegExp(`300 bars, \\d+ claimed pattern\\(s\\) and ${levels} claimed level\\(s\\)`));
    assert.equal(new URL(page.url()).search, '', 'an upload leaves no deep link');
    await steady(page);
    await assertMatchesGolden('web-csv-result', await shot(page, '.result-panel'));
    await page.close();
  });

  test('when a ticker is typed and Enter pressed, then its bars are fetched, drawn and analysed, and the URL becomes its deep link', async () => {
    const page = await open('/');
    await page.type('#symbol', TICKER.symbol);
    await page.select('#timeframe', TICKER.timeframe);
    await page.select('#source', TICKER.source);
    // One headline per line becomes one news item (and makes this request differ from the deep link's).
    await page.type('#news', 'Stocks rally as the Fed signals patience\n\n');
    assert.equal(await page.$eval('#submit', (b) => b.textContent), `Analyze ${TICKER.symbol} from ${TICKER.source}`);
    const before = await page.evaluate(() => document.querySelector('#result article[data-id]')?.dataset.id ?? null);
    await page.focus('#symbol');
    const posted = analyzeBodies.length;
    await page.keyboard.press('Enter');
    const id = await nextResult(page, before);
    // The server fetches the bars itself: the page names the symbol and source, and sends no candles.
    assert.deepEqual(analyzeBodies.slice(posted), [{ symbol: TICKER.symbol, timeframe: TICKER.timeframe, source: TICKER.source, bars: 300, news: [{ headline: 'Stocks rally as the Fed signals patience' }] }]);
    made.push({ flow: 'ticker', id });
    const shown = await assertShows(page, id);
    const stored = (await (await fetch(`${base}/v1/analyses/${id}`)).json()) as Json;
    assert.equal(stored.input.newsCount, 1);
    assert.match(await page.$eval('.notes-card', (el) => el.textContent ?? ''), /news|Stocks rally/i);
    assert.ok(shown.canvases > 0, 'the fetched bars are drawn');
    assert.equal(shown.title, `${TICKER.symbol} · ${TICKER.timeframe}`);
    const q = new URL(page.url()).searchParams;
    assert.deepEqual([q.get('symbol'), q.get('timeframe'), q.get('source')], [TICKER.symbol, TICKER.timeframe, TICKER.source]);
    await page.close();
  });

  test('when the page is opened at a deep link, then that analysis runs on load; the history lists it first and reopens an older one', async () => {
    const q = new URLSearchParams(TICKER);
    const page = await open(`/?${q}`);
    const id = await nextResult(page);
    made.push({ flow: 'deep link', id });
    const shown = await assertShows(page, id);
    assert.equal(shown.title, `${TICKER.symbol} · ${TICKER.timeframe}`);
    assert.equal(await page.$eval('#symbol', (i) => (i as HTMLInputElement).value), TICKER.symbol);

    // The history: the analyses made above, newest first, as GET /v1/analyses lists them.
    await page.waitForFunction((first) => document.querySelector('#history-list .history-item')?.dataset.id === first, { timeout: 10_000 }, id);
    const items = await page.$$eval('#history-list .history-item', (els) => els.map((e) => ({ id: (e as HTMLElement).dataset.id, created: (e as HTMLElement).dataset.created, current: e.getAttribute('aria-current') })));
    const api = (await (await fetch(`${base}/v1/analyses?limit=10`)).json()) as Json;
    assert.deepEqual(items.map((i) => i.id), api.items.map((s: Json) => s.id));
    const ours = items.map((i) => i.id).filter((x) => made.some((m) => m.id === x));
    assert.deepEqual(ours, [...made].reverse().map((m) => m.id), 'newest first');
    const created = items.map((i) => Date.parse(String(i.created)));
    assert.deepEqual(created, [...created].sort((x, y) => y - x));
    assert.equal(items[0].current, 'true', 'the analysis on show is marked');

    // Opening the CSV analysis: its decision, and the stored chart.png (this tab has no candles for it).
    const csv = made.find((m) => m.flow === 'csv');
    assert.ok(csv);
    await page.click(`#history-list .history-item[data-id="${csv.id}"]`);
    assert.equal(await nextResult(page, id), csv.id);
    await assertShows(page, csv.id);
    await page.waitForFunction(() => (document.querySelector('#chart img')?.naturalWidth ?? 0) > 0);
    assert.equal((await readResult(page)).image?.width, 1024, 'the stored chart.png is shown');
    assert.equal(new URL(page.url()).searchParams.get('analysis'), csv.id);
    assert.equal(await page.$eval(`#history-list .history-item[data-id="${csv.id}"]`, (b) => b.getAttribute('aria-current')), 'true');
    // That URL is a link to the analysis: loading it opens the same one.
    await page.reload({ waitUntil: 'load' });
    assert.equal(await nextResult(page), csv.id);
    await page.close();
  });

  test('keyboard: Tab reaches every input and the submit button, focus is visible, and every control has a label', async () => {
    const page = await open('/');
    await steady(page);
    await assertMatchesGolden('web-form', await shot(page, '.input-panel'));
    const reached: string[] = [];
    const outlines: Record<string, string> = {};
    for (let i = 0; i < 30 && !reached.includes('submit'); i++) {
      await page.keyboard.press('Tab');
      const { id, outline } = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        const s = el ? getComputedStyle(el) : null;
        return { id: el?.id ?? '', outline: s ? `${s.outlineStyle} ${s.outlineWidth}` : '' };
      });
      reached.push(id);
      outlines[id] = outline;
    }
    const want = ['image-file', 'csv-file', 'symbol', 'timeframe', 'source', 'news', 'analyzer', 'submit'];
    const at = want.map((id) => reached.indexOf(id));
    assert.ok(at.every((i) => i >= 0), `Tab reached ${reached.join(', ')}`);
    assert.deepEqual(at, [...at].sort((x, y) => x - y), 'in reading order');
    for (const id of want) assert.match(outlines[id], /^solid [2-9]/, `${id} shows its focus (${outlines[id]})`);

    const unlabelled = await page.evaluate(() => {
      const nameOf = (el: Element): string => {
        const aria = el.getAttribute('aria-label');
        if (aria) return aria;
        const by = el.getAttribute('aria-labelledby');
        if (by) return by.split(/\s+/).map((x: string) => document.getElementById(x)?.textContent ?? '').join(' ');
        const labels = (el as HTMLInputElement).labels;
        if (labels?.length) return [...labels].map((l) => l.textContent ?? '').join(' ');
        return el.tagName === 'BUTTON' ? (el.textContent ?? '') : '';
      };
      return [...document.querySelectorAll('input, select, textarea, button')].filter((el) => nameOf(el).trim() === '').map((el) => el.outerHTML);
    });
    assert.deepEqual(unlabelled, []);
    // The result region is announced, and the skip link leads to it.
    assert.equal(await page.$eval('#result', (el) => el.getAttribute('aria-live')), 'polite');
    assert.equal(await page.$eval('.skip-link', (el) => el.getAttribute('href')), '#result-title');
    await page.close();
  });

  test('on a 375x800 phone the page and a CSV result fit without horizontal scrolling, and match their golden image', async () => {
    const page = await open('/', PHONE);
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth && document.body.scrollWidth <= window.innerWidth);
    assert.ok(await fits(), 'the empty page fits');
    await upload(page, '#csv-file', csvFile);
    const id = await submit(page);
    made.push({ flow: 'phone', id });
    await assertShows(page, id);
    assert.ok(await fits(), 'the result fits');
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5).map((el) => el.tagName + (el.id ? `#${el.id}` : '')),
    );
    assert.deepEqual(wide, [], 'nothing reaches past the right edge');
    await steady(page);
    await assertMatchesGolden('web-phone-decision', await shot(page, '.decision-card'));
    await page.close();
  });

  test('when the API answers 400 or 404, then the page shows its message in words', async () => {
    const page = await open('/');
    await upload(page, '#csv-file', badCsvFile);
    await page.click('#submit');
    await page.waitForSelector('#error:not([hidden])');
    let error = await page.$eval('#error', (el) => el.textContent ?? '');
    assert.match(error, /The analysis could not be made\./);
    assert.match(error, /The CSV header lacks close/);
    assert.match(error, /HTTP 400 · invalid_csv/);
    assert.equal(await page.$eval('#error', (el) => el.getAttribute('role')), 'alert');

    await page.click('#csv-clear');
    await page.type('#symbol', 'nosuch');
    await page.select('#source', TICKER.source);
    await page.click('#submit');
    await page.waitForFunction(() => /nosuch/.test(document.querySelector('#error')?.textContent ?? ''));
    error = await page.$eval('#error', (el) => el.textContent ?? '');
    assert.match(error, /"nosuch"/);
    assert.match(error, /HTTP 404/);

    // A form with nothing to analyse is caught on the page, next to the form.
    await page.$eval('#symbol', (i) => ((i as HTMLInputElement).value = ''));
    await page.click('#submit');
    await page.waitForFunction(() => /Choose a chart image or a CSV file, or type a ticker/.test(document.querySelector('#form-status')?.textContent ?? ''));
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'symbol');
    await page.close();
  });

  test('a pasted screenshot and a dropped CSV land in their inputs', async () => {
    const page = await open('/');
    const png = readFileSync(SAMPLE_CHART).toString('base64');
    const csv = readFileSync(csvFile, 'utf8');
    await page.evaluate(
      (b64, text) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const paste = new DataTransfer();
        paste.items.add(new File([bytes], 'screenshot.png', { type: 'image/png' }));
        document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: paste, bubbles: true, cancelable: true }));
        const drop = new DataTransfer();
        drop.items.add(new File([text], 'bars.csv', { type: 'text/csv' }));
        document.getElementById('dropzone')?.dispatchEvent(new DragEvent('drop', { dataTransfer: drop, bubbles: true, cancelable: true }));
      },
      png,
      csv,
    );
    const state = await page.evaluate(() => ({
      image: (document.getElementById('image-file') as HTMLInputElement).files?.[0]?.name,
      csv: (document.getElementById('csv-file') as HTMLInputElement).files?.[0]?.name,
      preview: !(document.getElementById('image-preview') as HTMLImageElement).hidden,
      submit: document.getElementById('submit')?.textContent,
    }));
    assert.deepEqual(state, { image: 'screenshot.png', csv: 'bars.csv', preview: true, submit: 'Analyze the image with its CSV' });
    await page.close();
  });

  test('when the server needs an API key, then the page asks for it, keeps it for the tab and sends it as a Bearer token', async () => {
    const locked = await startAnalysisApp({ ...appOptions(), store: a.store, apiKeys: ['web-secret'] });
    const { server: lockedServer, base: lockedBase } = await listen(locked.app);
    try {
      const page = await open(`/?${new URLSearchParams(TICKER)}`, DESKTOP, lockedBase);
      await page.waitForSelector('#api-key-section:not([hidden])');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'api-key');
      await page.type('#api-key', 'web-secret');
      await page.keyboard.press('Enter');
      const id = await nextResult(page);
      assert.ok(id);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('chartlens.apiKey')), 'web-secret');
      assert.ok(await page.$('#api-key-section[hidden]'));
      await page.waitForSelector('#history-list .history-item');
      await page.close();
    } finally {
      await close(lockedServer);
      await locked.close();
    }
  });

  test('no page loaded anything from another host or threw', () => {
    assert.deepEqual(offHost, []);
    assert.deepEqual(pageErrors, []);
  });
});
