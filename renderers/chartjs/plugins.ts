import type { ChartlensPlugin } from './chart-types.ts';
import type { PaintTarget } from './draw-state.ts';

/** Paints the theme's background under everything (Cairo's canvas starts transparent). */
function backgroundPlugin(target: PaintTarget): ChartlensPlugin {
  return {
    id: 'chartlensBackground',
    beforeDraw(chart) {
      const { ctx, state } = target;
      ctx.save();
      ctx.fillStyle = state.theme.background;
      ctx.fillRect(0, 0, chart.width, chart.height);
      ctx.restore();
    },
  };
}

/**
 * Volume and MACD histogram bars are painted with plain rectangles: as Chart.js bar datasets
 * they cost a third of the whole draw (an element and resolved options per bar) for no gain.
 */
function histogramPlugin(target: PaintTarget): ChartlensPlugin {
  return {
    id: 'chartlensHistograms',
    beforeDatasetsDraw(chart) {
      const { ctx, state } = target;
      const { histograms, theme } = state;
      const x = chart.scales.x;
      for (const h of histograms) {
        const y = chart.scales[h.axis];
        if (!y) continue;
        const width = Math.max(1, (x.getPixelForValue(1) - x.getPixelForValue(0)) * 0.8);
        const base = y.getPixelForValue(Math.min(Math.max(0, y.min), y.max));
        for (const up of [true, false]) {
          ctx.fillStyle = up ? theme.volumeUp : theme.volumeDown;
          ctx.beginPath();
          h.values.forEach((v, i) => {
            if (v === null || h.isUp(i) !== up) return;
            const top = y.getPixelForValue(v);
            ctx.rect(x.getPixelForValue(i) - width / 2, Math.min(top, base), width, Math.abs(base - top));
          });
          ctx.fill();
        }
      }
    },
  };
}

/** Draws detected patterns as labelled brackets and levels as dashed lines on the price pane. */
function marksPlugin(target: PaintTarget): ChartlensPlugin {
  return {
    id: 'chartlensMarks',
    afterDatasetsDraw(chart) {
      const { ctx, state } = target;
      const { win, theme } = state;
      const x = chart.scales.x;
      const y = chart.scales.y;
      ctx.save();
      ctx.beginPath();
      ctx.rect(x.left, y.top, x.right - x.left, y.bottom - y.top);
      ctx.clip();
      ctx.font = '10px sans-serif';
      for (const level of win.levels) {
        const py = Math.round(y.getPixelForValue(level.price)) + 0.5;
        ctx.strokeStyle = level.side === 'support' ? theme.support : theme.resistance;
        ctx.setLineDash([6, 4]);
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x.left, py);
        ctx.lineTo(x.right, py);
        ctx.stroke();
        ctx.setLineDash([]);
        const label = `${level.side === 'support' ? 'S' : 'R'} ${level.price.toFixed(2)} x${level.touches}`;
        const w = ctx.measureText(label).width + 6;
        ctx.fillStyle = theme.background;
        ctx.fillRect(x.right - w, py - 13, w, 12);
        ctx.fillStyle = ctx.strokeStyle;
        ctx.fillText(label, x.right - w + 3, py - 3);
      }
      const lane = new Map<number, number>();
      for (const p of win.patterns) {
        const color = p.direction === 'bullish' ? theme.bullishMark : p.direction === 'bearish' ? theme.bearishMark : theme.neutralMark;
        const slice = win.candles.slice(p.start, p.end + 1);
        const hi = Math.max(...slice.map((c) => c.high));
        const lo = Math.min(...slice.map((c) => c.low));
        const x0 = x.getPixelForValue(p.start - 0.45);
        const x1 = x.getPixelForValue(p.end + 0.45);
        ctx.strokeStyle = color;
        ctx.fillStyle = color;
        ctx.lineWidth = p.kind === 'chart' ? 1.5 : 1;
        if (p.kind === 'chart') {
          const top = y.getPixelForValue(hi) - 4;
          const bottom = y.getPixelForValue(lo) + 4;
          ctx.strokeRect(x0, top, x1 - x0, bottom - top);
          ctx.fillText(p.label, x0 + 2, top - 3);
        } else {
          // Stack labels that end on the same bar so they stay readable.
          const n = lane.get(p.end) ?? 0;
          lane.set(p.end, n + 1);
          const below = p.direction === 'bullish';
          const base = below ? y.getPixelForValue(lo) + 12 + n * 11 : y.getPixelForValue(hi) - 4 - n * 11;
          ctx.beginPath();
          ctx.moveTo(x0, base + (below ? -8 : 0));
          ctx.lineTo(x1, base + (below ? -8 : 0));
          ctx.stroke();
          ctx.fillText(p.label, x0, base + (below ? 2 : -2));
        }
      }
      ctx.restore();
    },
  };
}

/** The chart's own plugins, in the order Chart.js runs them: background, histograms, marks. */
export function chartlensPlugins(target: PaintTarget): ChartlensPlugin[] {
  return [backgroundPlugin(target), histogramPlugin(target), marksPlugin(target)];
}
