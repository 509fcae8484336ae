import type { Canvas } from 'canvas';
import { ChartJSNodeCanvasBase } from 'chartjs-node-canvas';
import type { ChartlensChart, ChartlensConfig, ChartlensPoint, ChartlensType } from './chart-types.ts';
import { EMPTY_STATE, type DrawState, type PaintTarget } from './draw-state.ts';
import { primeChartJsRequireCache } from './loader.ts';
import { chartlensPlugins } from './plugins.ts';

/** The chart, its canvas and what its plugins paint with, made on the first draw. */
interface LiveChart {
  chart: ChartlensChart;
  canvas: Canvas;
  target: PaintTarget;
}

/**
 * One long-lived Chart.js chart on one canvas per image size. Rebuilding a chart per render (as
 * chartjs-node-canvas's renderToBuffer does) spends a third of the draw on setup and a new Cairo
 * surface; updating the existing chart with new data and options gives the same pixels for less.
 */
export class ReusableChartCanvas extends ChartJSNodeCanvasBase {
  private live: LiveChart | undefined;

  /** Draw `config` with the plugins reading `state`; Cairo's raw premultiplied BGRA pixels. */
  drawRaw(config: ChartlensConfig, state: DrawState): Buffer {
    const options = { ...config.options, responsive: false, animation: false as const };
    if (!this.live) {
      const canvas = this._createCanvas(this._width, this._height);
      const target: PaintTarget = { ctx: canvas.getContext('2d'), state: EMPTY_STATE };
      const chart = new this._chartJs<ChartlensType, ChartlensPoint[]>(target.ctx, {
        data: { datasets: [] },
        options,
        plugins: chartlensPlugins(target),
      });
      this.live = { chart, canvas, target };
    }
    const { chart, canvas, target } = this.live;
    target.state = state;
    chart.data = config.data;
    chart.options = options;
    chart.update('none');
    return canvas.toBuffer('raw');
  }

  destroy(): void {
    this.live?.chart.destroy();
    this.live = undefined;
  }
}

/** A canvas of this size drawing with the Chart.js that has the financial charts registered. */
export function reusableCanvas(width: number, height: number): ReusableChartCanvas {
  primeChartJsRequireCache();
  return new ReusableChartCanvas({ width, height });
}
