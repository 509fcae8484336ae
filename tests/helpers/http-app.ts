import type { Express } from 'express';
import { ChartJsRenderer } from '../../renderers/chartjs/chartjs-renderer.ts';
import { createApp } from '../../src/entry/http/create-app.ts';
import type { ChartRenderer } from '../../src/ports/chart-renderer.ts';

let renderer: ChartJsRenderer | undefined;

/** The real app with the Chart.js renderer (shared, it caches canvases) and a silent log. */
export function httpApp(maxBodyBytes = 4 * 1024 * 1024, log: (msg: string) => void = () => {}): Express {
  renderer ??= new ChartJsRenderer();
  return createApp({ config: { maxBodyBytes }, renderer, log });
}

/** The app with a renderer of the test's choosing (e.g. one that throws). */
export function httpAppWith(custom: ChartRenderer, log: (msg: string) => void = () => {}): Express {
  return createApp({ config: { maxBodyBytes: 4 * 1024 * 1024 }, renderer: custom, log });
}
