import type { LineChartRequest } from '../../src/ports/chart-renderer.ts';
import type { ChartTheme } from '../../src/core/scene/theme.ts';
import { barDateLabel, ticksOnWholeBars } from './axes.ts';
import type { ChartlensConfig } from './chart-types.ts';
import { lineDataset } from './datasets.ts';

/** Series colours, in order, for series that bring none. */
const PALETTE = ['#2563eb', '#6b7280', '#f59e0b', '#16a34a', '#dc2626'];

/** A plain line chart over time (equity curves): one pane, a point per time, dates on the x axis. */
export function lineChartConfig(req: LineChartRequest, theme: ChartTheme): ChartlensConfig {
  const n = req.times.length;
  return {
    data: {
      datasets: req.series.map((s, k) => lineDataset(s.label, [...s.values], s.color ?? PALETTE[k % PALETTE.length], 'y', { borderWidth: 1.5 })),
    },
    options: {
      devicePixelRatio: 1,
      animation: false,
      responsive: false,
      parsing: false,
      normalized: true,
      layout: { padding: { left: 4, right: 8, top: 2, bottom: 2 } },
      scales: {
        x: {
          type: 'linear',
          min: 0,
          max: Math.max(1, n - 1),
          grid: { color: theme.grid },
          afterBuildTicks: ticksOnWholeBars(n, req.width),
          ticks: {
            color: theme.text,
            maxRotation: 0,
            autoSkip: false,
            font: { size: 10 },
            callback: barDateLabel((i) => req.times[i]),
          },
        },
        y: { type: 'linear', position: 'right', grid: { color: theme.grid }, ticks: { color: theme.text, font: { size: 10 }, maxTicksLimit: 8 } },
      },
      plugins: {
        legend: { display: true, position: 'top', align: 'end', labels: { color: theme.text, boxWidth: 10, boxHeight: 2, font: { size: 10 } } },
        title: { display: true, text: req.title, align: 'start', color: theme.text, font: { size: 12, weight: 'bold' } },
        tooltip: { enabled: false },
      },
    },
  };
}
