import type { ChartRenderer, LineChartRenderer, LineChartRequest, RenderedChart } from '../../src/ports/chart-renderer.ts';
import type { ChartRequest } from '../../src/core/scene/chart-options.ts';
import { chartWindow } from '../../src/core/scene/chart-window.ts';
import { THEMES } from '../../src/core/scene/theme.ts';
import { EMPTY_STATE } from './draw-state.ts';
import { lineChartConfig } from './line-chart.ts';
import { candleChartConfig } from './panes.ts';
import { bgraToRgbaInPlace, encodeOpaquePng } from './pixels.ts';
import { reusableCanvas, type ReusableChartCanvas } from './reusable-canvas.ts';

// bench/render.ts times the pixel conversion on its own, through this module.
export { bgraToRgbaInPlace } from './pixels.ts';

export interface ChartJsRendererOptions {
  /** zlib level for the PNG (1 is fastest; the chart's flat colours compress well at any level). */
  compressionLevel?: number;
}

/**
 * Server-side Chart.js renderer. Charts are drawn to raw pixels and encoded by sharp, which is about
 * twice as fast as Cairo's own PNG encoder; the output is byte-identical for identical input.
 */
export class ChartJsRenderer implements ChartRenderer, LineChartRenderer {
  readonly name = 'chartjs';
  private readonly canvases = new Map<string, ReusableChartCanvas>();
  private readonly compressionLevel: number;

  constructor(options: ChartJsRendererOptions = {}) {
    this.compressionLevel = options.compressionLevel ?? 3;
  }

  private canvasOf(width: number, height: number): ReusableChartCanvas {
    const key = `${width}x${height}`;
    let canvas = this.canvases.get(key);
    if (!canvas) {
      canvas = reusableCanvas(width, height);
      this.canvases.set(key, canvas);
    }
    return canvas;
  }

  /** PNG from opaque RGBA: the alpha channel carries nothing, and dropping it shrinks the file. */
  private encode(rgba: Buffer, width: number, height: number): Promise<Buffer> {
    return encodeOpaquePng(rgba, width, height, this.compressionLevel);
  }

  /** Draw to raw RGBA pixels (synchronous: Chart.js and Cairo run on this thread). */
  drawRgba(req: ChartRequest): Buffer {
    const { width, height } = req.options;
    const theme = THEMES[req.options.theme];
    const { config, state } = candleChartConfig(chartWindow(req), req, theme);
    return bgraToRgbaInPlace(this.canvasOf(width, height).drawRaw(config, state));
  }

  /** A line chart (equity curves): same canvas reuse, same encoder, same determinism. */
  async renderLineChart(req: LineChartRequest): Promise<RenderedChart> {
    const theme = THEMES[req.theme];
    const config = lineChartConfig(req, theme);
    const rgba = bgraToRgbaInPlace(this.canvasOf(req.width, req.height).drawRaw(config, { ...EMPTY_STATE, theme }));
    return { png: await this.encode(rgba, req.width, req.height), width: req.width, height: req.height, renderer: this.name };
  }

  async render(req: ChartRequest): Promise<RenderedChart> {
    const { width, height } = req.options;
    return { png: await this.encode(this.drawRgba(req), width, height), width, height, renderer: this.name };
  }

  /** Destroys the charts; nothing to wait for, but the port's close() is asynchronous. */
  close(): Promise<void> {
    for (const canvas of this.canvases.values()) canvas.destroy();
    this.canvases.clear();
    return Promise.resolve();
  }
}
