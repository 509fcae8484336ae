import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';

/**
 * Chromium flags for a closed network and a root user: without the background-networking and
 * component flags Chromium keeps dialling out and fails; as root it refuses to start sandboxed.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Fonts and text are rasterised the same way on every run: golden images rely on it.
  '--font-render-hinting=none',
  '--force-color-profile=srgb',
] as const;

/** Where Debian puts its Chromium; `CHROMIUM_PATH` overrides. */
const CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The Chromium binary to drive, or null when none is installed. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const own = env.CHROMIUM_PATH?.trim();
  if (own) return existsSync(own) ? own : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** A headless Chromium with a fresh profile that is removed when the browser closes. */
export async function launchChromium(options: { executablePath?: string } = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? findChromium();
  if (!executablePath) throw new Error('Chromium is not installed (npm run setup installs Debian chromium; CHROMIUM_PATH names another binary)');
  // Loaded on first launch: importing puppeteer costs ~150 ms, which a process that never starts a browser should not pay.
  const { default: puppeteer } = await import('puppeteer-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'chartlens-chromium-'));
  try {
    const browser = await puppeteer.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS], userDataDir, pipe: true });
    const removeProfile = (): void => rmSync(userDataDir, { recursive: true, force: true, maxRetries: 3 });
    browser.once('disconnected', removeProfile);
    // Chromium may still write its profile (Local State, caches) between the pipe closing and the
    // process exiting; removing it only on disconnect left the folder behind about one time in three.
    browser.process()?.once('exit', removeProfile);
    return browser;
  } catch (err) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
}
