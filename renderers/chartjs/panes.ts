import type { ChartRequest } from '../../src/core/scene/chart-options.ts';
import { chartTitle } from '../../src/core/scene/chart-title.ts';
import type { ChartWindow } from '../../src/core/scene/chart-window.ts';
import type { ChartTheme } from '../../src/core/scene/theme.ts';
import { barDateLabel, compactNumber, ticksOnWholeBars } from './axes.ts';
import type { ChartlensConfig, ChartlensDataset, LinearScale } from './chart-types.ts';
import { lineDataset, priceDataset } from './datasets.ts';
import type { DrawState, Histogram } from './draw-state.ts';

/**
 * The candle chart: the price pane (bars, overlays, marks) on top and the optional volume, RSI and
 * MACD panes stacked under it on one bar-index x axis. Histograms (volume, MACD) are not Chart.js
 * datasets; they go to the draw state for the histogram plugin.
 */
export function candleChartConfig(win: ChartWindow, req: ChartRequest, theme: ChartTheme): { config: ChartlensConfig; state: DrawState } {
  const { candles, indicators } = win;
  const o = req.options;
  const showVolume = o.volume && candles.every((c) => c.volume !== undefined);
  const datasets: ChartlensDataset[] = [priceDataset(candles, o.style, req.symbol ?? 'price', theme)];
  for (const name of o.overlays) {
    if (name === 'bollinger') {
      datasets.push(lineDataset('BB upper', indicators.bbUpper, theme.overlays.bollinger, 'y', { borderDash: [4, 3] }));
      datasets.push(
        lineDataset('BB lower', indicators.bbLower, theme.overlays.bollinger, 'y', {
          borderDash: [4, 3],
          fill: '-1',
          backgroundColor: theme.bollingerFill,
        }),
      );
    } else {
      datasets.push(lineDataset(name.toUpperCase(), indicators[name], theme.overlays[name], 'y'));
    }
  }
  // Stacked panes are laid out top-down in declaration order: price first, then the lower panes.
  const scales: Record<string, LinearScale> = {
    x: {
      type: 'linear',
      min: -0.5,
      max: candles.length - 0.5,
      offset: false,
      grid: { color: theme.grid },
      afterBuildTicks: ticksOnWholeBars(candles.length, o.width),
      ticks: {
        color: theme.text,
        maxRotation: 0,
        autoSkip: false,
        font: { size: 10 },
        callback: barDateLabel((i) => candles[i]?.time),
      },
    },
  };
  const pane = (weight: number, extra: LinearScale = {}): LinearScale => ({
    type: 'linear',
    position: 'right',
    stack: 'panes',
    stackWeight: weight,
    offset: true,
    grid: { color: theme.grid },
    ticks: { color: theme.text, font: { size: 9 }, maxTicksLimit: 4 },
    ...extra,
  });
  scales.y = pane(4, { ticks: { color: theme.text, font: { size: 10 }, maxTicksLimit: 8 } });
  const histograms: Histogram[] = [];
  if (showVolume) {
    const volumes = candles.map((c) => c.volume ?? 0);
    scales.yVolume = pane(1, {
      min: 0,
      max: Math.max(1, ...volumes),
      ticks: { color: theme.text, font: { size: 9 }, maxTicksLimit: 3, callback: (v) => (typeof v === 'number' ? compactNumber(v) : v) },
    });
    histograms.push({ axis: 'yVolume', values: volumes, isUp: (i) => candles[i].close >= candles[i].open });
  }
  if (o.panes.includes('rsi')) {
    scales.yRsi = pane(1.2, {
      min: 0,
      max: 100,
      offset: false,
      ticks: { color: theme.text, font: { size: 9 }, stepSize: 30 },
    });
    datasets.push(lineDataset('RSI14', indicators.rsi14, theme.rsi, 'yRsi'));
  }
  if (o.panes.includes('macd')) {
    scales.yMacd = pane(1.2);
    datasets.push(lineDataset('MACD', indicators.macd, theme.macd, 'yMacd'));
    datasets.push(lineDataset('Signal', indicators.macdSignal, theme.macdSignal, 'yMacd'));
    histograms.push({ axis: 'yMacd', values: indicators.macdHist, isUp: (i) => (indicators.macdHist[i] ?? 0) >= 0 });
  }

  const config: ChartlensConfig = {
    data: { datasets },
    options: {
      devicePixelRatio: 1,
      animation: false,
      responsive: false,
      parsing: false,
      normalized: true,
      layout: { padding: { left: 4, right: 4, top: 2, bottom: 2 } },
      scales,
      plugins: {
        legend: {
          display: o.overlays.length > 0,
          position: 'top',
          align: 'end',
          labels: {
            color: theme.text,
            boxWidth: 10,
            boxHeight: 2,
            font: { size: 10 },
            filter: (item) => (item.datasetIndex ?? 0) > 0 && ['Volume', 'Hist', 'BB lower'].indexOf(item.text) < 0,
          },
        },
        title: { display: true, text: chartTitle(win, req), align: 'start', color: theme.text, font: { size: 12, weight: 'bold' } },
        tooltip: { enabled: false },
      },
    },
  };
  return { config, state: { theme, histograms, win } };
}
