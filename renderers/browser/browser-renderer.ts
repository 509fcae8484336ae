import type { Browser, CDPSession, Page } from 'puppeteer-core';
import type { ChartRequest } from '../../src/core/scene/chart-options.ts';
import type { ChartRenderer, RenderedChart } from '../../src/ports/chart-renderer.ts';
import { launchChromium } from './chromium.ts';
import { chartPageHtml } from './page.ts';
import { chartScene, type Scene } from './scene.ts';

export interface BrowserRendererOptions {
  /** The Chromium binary; default: findChromium() (CHROMIUM_PATH, then Debian's). */
  executablePath?: string;
  /** Tabs kept open, each with the chart page loaded: how many charts draw at once (default 2, one per core here). */
  pages?: number;
  /** Per step (paint, screenshot) in ms before the render fails (default 15 s). */
  timeoutMs?: number;
}

/** Chromium could not be started (missing, broken, or killed while starting): the caller may draw another way. */
export class BrowserUnavailableError extends Error {
  override readonly name = 'BrowserUnavailableError';
}

/** A pooled page with the chart page loaded, and its own DevTools session for screenshots. */
interface Tab {
  page: Page;
  cdp: CDPSession;
}

/** One running Chromium and its tabs; replaced as a whole when the browser goes away. */
interface Session {
  browser: Browser;
  /** Ready tabs; a tab is taken for one render and given back (or replaced when it failed). */
  idle: Promise<Tab>[];
  gone: boolean;
}

/** `promise`, or a rejection after `ms` (evaluate and CDP commands wait for the protocol's timeout otherwise: minutes). */
async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the page's script exposes (paint.js). */
type PaintWindow = { chartlensPaint(scene: Scene): { width: number; height: number } };

/**
 * Charts drawn by lightweight-charts in headless Chromium. One warm browser, started on the first
 * render, with a pool of tabs that each have the library and the painting script loaded; a render
 * paints the scene in a free tab and screenshots exactly the chart's width x height at device scale
 * 1. If the browser dies, the next render starts a new one.
 */
export class BrowserRenderer implements ChartRenderer {
  readonly name = 'browser';
  private readonly executablePath: string | undefined;
  private readonly pages: number;
  private readonly timeoutMs: number;
  private session: Promise<Session> | null = null;
  /** Free render slots (at most `pages` renders at once, whichever session their tab belongs to). */
  private free: number;
  private readonly waiting: (() => void)[] = [];
  private closed = false;
  private launched = 0;

  constructor(options: BrowserRendererOptions = {}) {
    this.executablePath = options.executablePath;
    this.pages = Math.max(1, options.pages ?? 2);
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.free = this.pages;
  }

  /**
   * A tab in a window of its own: Chromium draws no frames for a tab behind another in the same
   * window, and a screenshot of it then waits (measured: minutes) for one.
   */
  private async openTab(browser: Browser): Promise<Tab> {
    const page = await browser.newPage({ type: 'window' });
    page.setDefaultTimeout(this.timeoutMs);
    await page.setViewport({ width: 1024, height: 512, deviceScaleFactor: 1 });
    await page.setContent(chartPageHtml(), { waitUntil: 'load' });
    return { page, cdp: await page.createCDPSession() };
  }

  private async start(): Promise<Session> {
    let browser: Browser;
    try {
      browser = await launchChromium(this.executablePath ? { executablePath: this.executablePath } : {});
    } catch (err) {
      throw new BrowserUnavailableError(`Chromium did not start: ${(err as Error).message}`, { cause: err });
    }
    this.launched++;
    const session: Session = { browser, idle: [], gone: false };
    browser.once('disconnected', () => {
      session.gone = true;
    });
    session.idle = Array.from({ length: this.pages }, () => this.openTab(browser));
    // A tab that cannot load the page means no tab will: fail the start, not each render.
    try {
      await Promise.all(session.idle);
    } catch (err) {
      await browser.close().catch(() => {});
      throw new BrowserUnavailableError(`Chromium started but the chart page did not load: ${(err as Error).message}`, { cause: err });
    }
    return session;
  }

  /** The session `session` resolved to, once it has. */
  private current: Session | null = null;

  /** The running browser, or a new one when there is none or it has gone away (crashed, killed). */
  private sessionNow(): Promise<Session> {
    if (this.current?.gone) {
      this.session = null;
      this.current = null;
    }
    if (!this.session) {
      const starting = this.start().then(
        (s) => {
          this.current = s;
          return s;
        },
        (err: unknown) => {
          if (this.session === starting) this.session = null;
          throw err;
        },
      );
      this.session = starting;
    }
    return this.session;
  }

  private async acquireSlot(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }

  private async paint({ page, cdp }: Tab, scene: Scene): Promise<Buffer> {
    const viewport = page.viewport();
    if (viewport?.width !== scene.width || viewport.height !== scene.height) {
      await page.setViewport({ width: scene.width, height: scene.height, deviceScaleFactor: 1 });
    }
    await withTimeout(
      page.evaluate((s) => (globalThis as unknown as PaintWindow).chartlensPaint(s), scene),
      this.timeoutMs,
      'painting the chart',
    );
    // Page.captureScreenshot itself: page.screenshot() first asks the page for its visual viewport,
    // one more round trip, to clip a rectangle that is the viewport here anyway.
    const shot = await withTimeout(
      cdp.send('Page.captureScreenshot', { format: 'png', clip: { x: 0, y: 0, width: scene.width, height: scene.height, scale: 1 }, captureBeyondViewport: false, fromSurface: true }),
      this.timeoutMs,
      'Page.captureScreenshot',
    );
    return Buffer.from(shot.data, 'base64');
  }

  async render(req: ChartRequest): Promise<RenderedChart> {
    if (this.closed) throw new Error('the browser renderer is closed');
    const scene = chartScene(req);
    await this.acquireSlot();
    try {
      let session = await this.sessionNow();
      if (session.gone) session = await this.sessionNow();
      const tab = session.idle.pop();
      if (!tab) throw new Error('browser renderer: no free tab (a slot was taken without one)');
      let ready: Tab | undefined;
      let ok = false;
      try {
        ready = await tab;
        const png = await this.paint(ready, scene);
        ok = true;
        return { png, width: scene.width, height: scene.height, renderer: this.name };
      } finally {
        if (ok && ready) {
          session.idle.push(Promise.resolve(ready));
        } else if (!session.gone) {
          // A tab that failed is not trusted again: close it and load a fresh one in its place.
          if (ready) void ready.page.close().catch(() => {});
          const fresh = this.openTab(session.browser);
          fresh.catch(() => {});
          session.idle.push(fresh);
        }
      }
    } finally {
      this.releaseSlot();
    }
  }

  /** Browsers started so far, the first one included (a crash and the restart after it make 2). */
  get launches(): number {
    return this.launched;
  }

  /** The running Chromium's process id, or null when none is running (not started yet, closed, or gone). */
  pid(): number | null {
    const s = this.current;
    return s && !s.gone ? (s.browser.process()?.pid ?? null) : null;
  }

  /** The Chromium version the pixels come from (starts the browser if it is not running). */
  async version(): Promise<string> {
    return (await this.sessionNow()).browser.version();
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = null;
    this.current = null;
    if (!session) return;
    const s = await session.catch(() => null);
    if (s && !s.gone) await s.browser.close().catch(() => {});
  }
}
