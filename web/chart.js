// The interactive chart (TradingView Lightweight Charts 5, served by the app as a plain script that
// defines `LightweightCharts`): candles and volume, the claimed patterns as markers at their bars
// and the claimed levels as price lines, each coloured and labelled by its verification status.

import { h } from './dom.js';
import { statusOf } from './format.js';

const TONE_COLOR = { good: '#1a7f37', bad: '#cf222e', neutral: '#6e7781' };
const UP = '#1f9d74';
const DOWN = '#d1453b';
const DAY_MS = 86_400_000;
/** Bars shown at first: the window an analysis chart draws (the rest is a scroll away); fewer on a phone. */
const VISIBLE_BARS = 150;
const VISIBLE_BARS_NARROW = 60;
const NARROW_PX = 560;

let current = null;

/** Remove whatever chart or image the container shows. */
export function clearChart(container) {
  current?.remove();
  current = null;
  container.replaceChildren();
}

const seconds = (ms) => Math.floor(ms / 1000);

/** Index of the last candle at or before `ms`, or -1. */
function barAtOrBefore(candles, ms) {
  let lo = 0;
  let hi = candles.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (candles[mid].time <= ms) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** A claim's time text (a date or date-time, as the analyzer wrote it) as epoch ms, or NaN. */
function claimTime(text) {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return Number.NaN;
  const t = text.trim();
  const noOffset = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/i.test(t);
  return Date.parse(noOffset ? `${t.replace(' ', 'T')}Z` : t);
}

/**
 * Pair each claimed pattern and level with its verified claim. The verifier lists the patterns,
 * then the supports, then the resistances, in the order they were claimed; levels are also matched
 * by their text ("support at 2856.365").
 */
export function claimMarks(analysis) {
  const claims = analysis.verification?.claims ?? [];
  const patternClaims = claims.filter((c) => c.kind === 'pattern');
  const levelClaims = claims.filter((c) => c.kind === 'level');
  const patterns = (analysis.claims?.patterns ?? []).map((p, i) => ({ pattern: p, claim: patternClaims[i] ?? null }));
  const levels = [];
  for (const side of ['support', 'resistance']) {
    for (const price of analysis.claims?.levels?.[side] ?? []) {
      const claim = levelClaims.find((c) => c.claim === `${side} at ${price}`) ?? null;
      levels.push({ side, price, claim });
    }
  }
  return { patterns, levels };
}

/**
 * Draw candles (`{time: epoch ms, open, high, low, close, volume?}`, oldest first) with the
 * analysis's claims. Returns what was drawn, for the chart's text description.
 */
export function drawChart(container, candles, analysis) {
  clearChart(container);
  const L = globalThis.LightweightCharts;
  if (!L) throw new Error('The chart library did not load');
  const intraday = candles.some((c) => c.time % DAY_MS !== 0);
  const chart = L.createChart(container, {
    autoSize: true,
    layout: {
      background: { type: 'solid', color: '#ffffff' },
      textColor: '#24292f',
      fontSize: 12,
      fontFamily: getComputedStyle(container).fontFamily,
      // Attributed in the page footer instead of a link to another site.
      attributionLogo: false,
    },
    grid: { vertLines: { color: '#f0f2f5' }, horzLines: { color: '#f0f2f5' } },
    rightPriceScale: { borderColor: '#d0d7de' },
    timeScale: { borderColor: '#d0d7de', timeVisible: intraday, secondsVisible: false, rightOffset: 12 },
    // The page scrolls with the wheel and touch; dragging and pinching still move the chart.
    handleScroll: { mouseWheel: false, pressedMouseMove: true, horzTouchDrag: true, vertTouchDrag: false },
    handleScale: { mouseWheel: false, pinch: true, axisPressedMouseMove: true },
  });
  current = chart;

  const series = chart.addSeries(L.CandlestickSeries, {
    upColor: UP,
    downColor: DOWN,
    borderVisible: false,
    wickUpColor: UP,
    wickDownColor: DOWN,
    priceLineVisible: false,
  });
  series.setData(candles.map((c) => ({ time: seconds(c.time), open: c.open, high: c.high, low: c.low, close: c.close })));

  if (candles.every((c) => c.volume !== undefined && c.volume !== null)) {
    const volume = chart.addSeries(L.HistogramSeries, { priceScaleId: '', priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false });
    volume.priceScale().applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
    volume.setData(candles.map((c) => ({ time: seconds(c.time), value: c.volume, color: c.close >= c.open ? '#1f9d7433' : '#d1453b33' })));
    series.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.22 } });
  }

  const { patterns, levels } = claimMarks(analysis);
  const markers = [];
  for (const { pattern, claim } of patterns) {
    const at = claimTime(pattern.end ?? pattern.start);
    const index = Number.isNaN(at) ? -1 : barAtOrBefore(candles, at);
    // A claim dated before or after the bars is in the table, not on the chart.
    if (index < 0 || at > candles[candles.length - 1].time + DAY_MS) continue;
    const s = statusOf(claim?.status ?? 'unverifiable');
    const bullish = pattern.direction === 'bullish';
    markers.push({
      time: seconds(candles[index].time),
      position: bullish ? 'belowBar' : 'aboveBar',
      shape: pattern.direction === 'neutral' ? 'circle' : bullish ? 'arrowUp' : 'arrowDown',
      color: TONE_COLOR[s.tone],
      text: `${s.mark} ${pattern.name}`,
    });
  }
  markers.sort((a, b) => a.time - b.time);
  L.createSeriesMarkers(series, markers);

  for (const { side, price, claim } of levels) {
    const s = statusOf(claim?.status ?? 'unverifiable');
    series.createPriceLine({ price, color: TONE_COLOR[s.tone], lineWidth: 1, lineStyle: L.LineStyle.Dashed, axisLabelVisible: true, title: `${side === 'support' ? 'S' : 'R'} ${s.mark}` });
  }
  const d = analysis.decision ?? {};
  const plans = [
    ['entry', d.entry, '#0969da'],
    ['stop', d.invalidation, '#9a6700'],
    ['target', d.target, '#8250df'],
  ];
  for (const [title, price, color] of plans) {
    if (typeof price === 'number') series.createPriceLine({ price, color, lineWidth: 1, lineStyle: L.LineStyle.Dotted, axisLabelVisible: true, title });
  }

  const n = candles.length;
  // Room right of the last bar for the price lines' labels, so they do not cover the recent bars.
  const shown = Math.min(n, container.clientWidth < NARROW_PX ? VISIBLE_BARS_NARROW : VISIBLE_BARS);
  chart.timeScale().setVisibleLogicalRange({ from: n - shown, to: n - 1 + Math.ceil(shown * 0.12) });
  return { bars: n, markers: markers.length, levels: levels.length };
}

/** Show a picture (the uploaded chart, or the stored chart.png) where the interactive chart goes. */
export function showImage(container, url, alt) {
  clearChart(container);
  container.append(h('img', { class: 'chart-image', src: url, alt }));
}
