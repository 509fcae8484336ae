/* global window, document, LightweightCharts */
// The in-page half of the browser renderer: a plain script that runs in headless Chromium after
// lightweight-charts' standalone build. `window.chartlensPaint(scene)` draws one scene (see
// scene.ts: every choice is made there) and returns once the chart has painted. Each call starts
// from a fresh chart, and nothing here animates or reads the clock, so a scene always paints the
// same pixels in a given Chromium and lightweight-charts.
(function () {
  'use strict';
  const L = LightweightCharts;
  const FONT = "'DejaVu Sans', sans-serif";
  let current = null;

  const gap = (time, value) => (value === null ? { time } : { time, value });
  const line = (times, values) => values.map((v, i) => gap(times[i], v));

  /** Bollinger fill and chart-pattern boxes: what series and markers cannot draw, as one pane primitive. */
  class Shapes {
    constructor(scene) {
      this.scene = scene;
      this.chart = null;
      this.series = null;
      this.views = [
        { zOrder: () => 'bottom', renderer: () => ({ draw: (target) => target.useMediaCoordinateSpace((s) => this.drawBand(s.context)) }) },
        { zOrder: () => 'top', renderer: () => ({ draw: (target) => target.useMediaCoordinateSpace((s) => this.drawBoxes(s.context)) }) },
      ];
    }
    attached(p) {
      this.chart = p.chart;
      this.series = p.series;
    }
    detached() {
      this.chart = null;
      this.series = null;
    }
    paneViews() {
      return this.views;
    }
    x(logical) {
      return this.chart.timeScale().logicalToCoordinate(logical);
    }
    y(price) {
      return this.series.priceToCoordinate(price);
    }
    drawBand(ctx) {
      const band = this.scene.band;
      if (!band || !this.chart) return;
      ctx.fillStyle = band.color;
      let run = [];
      const flush = () => {
        if (run.length > 1) {
          ctx.beginPath();
          run.forEach((i, k) => (k ? ctx.lineTo(this.x(i), this.y(band.upper[i])) : ctx.moveTo(this.x(i), this.y(band.upper[i]))));
          for (let k = run.length - 1; k >= 0; k--) ctx.lineTo(this.x(run[k]), this.y(band.lower[run[k]]));
          ctx.closePath();
          ctx.fill();
        }
        run = [];
      };
      band.upper.forEach((u, i) => (u !== null && band.lower[i] !== null ? run.push(i) : flush()));
      flush();
    }
    drawBoxes(ctx) {
      if (!this.chart) return;
      ctx.font = `10px ${FONT}`;
      for (const b of this.scene.boxes) {
        const x0 = this.x(b.start - 0.45);
        const x1 = this.x(b.end + 0.45);
        const top = this.y(b.high) - 4;
        const bottom = this.y(b.low) + 4;
        if (x0 === null || x1 === null || top === null || bottom === null) continue;
        ctx.strokeStyle = b.color;
        ctx.fillStyle = b.color;
        ctx.lineWidth = 1.5;
        ctx.strokeRect(x0, top, x1 - x0, bottom - top);
        ctx.fillText(b.label, x0 + 2, top - 3);
      }
    }
  }

  function header(scene) {
    const c = scene.colors;
    const frame = document.getElementById('frame');
    frame.style.width = `${scene.width}px`;
    frame.style.height = `${scene.height}px`;
    frame.style.background = c.background;
    frame.style.color = c.text;
    document.getElementById('title').textContent = scene.title;
    const legend = document.getElementById('legend');
    legend.replaceChildren(
      ...scene.legend.map((item) => {
        const entry = document.createElement('span');
        entry.className = 'item';
        const swatch = document.createElement('span');
        swatch.className = 'swatch';
        swatch.style.borderTop = `2px ${item.dashed ? 'dashed' : 'solid'} ${item.color}`;
        entry.append(swatch, document.createTextNode(item.label));
        return entry;
      }),
    );
  }

  function createChart(scene) {
    const c = scene.colors;
    return L.createChart(document.getElementById('chart'), {
      width: scene.width,
      height: scene.height - document.getElementById('header').offsetHeight,
      autoSize: false,
      layout: {
        background: { type: L.ColorType.Solid, color: c.background },
        textColor: c.text,
        fontSize: 10,
        fontFamily: FONT,
        panes: { separatorColor: c.grid, separatorHoverColor: 'rgba(0,0,0,0)', enableResize: false },
      },
      grid: { vertLines: { color: c.grid }, horzLines: { color: c.grid } },
      crosshair: { mode: L.CrosshairMode.Hidden, vertLine: { visible: false, labelVisible: false }, horzLine: { visible: false, labelVisible: false } },
      handleScroll: false,
      handleScale: false,
      kineticScroll: { touch: false, mouse: false },
      rightPriceScale: { borderColor: c.grid },
      timeScale: {
        borderColor: c.grid,
        timeVisible: scene.intraday,
        secondsVisible: false,
        rightOffset: 0,
        minBarSpacing: 0.001,
      },
      localization: { locale: 'en-US', dateFormat: 'yyyy-MM-dd' },
    });
  }

  const quiet = { priceLineVisible: false, lastValueVisible: false };
  const lineOptions = (color, dashed) => ({
    ...quiet,
    color,
    lineWidth: 1,
    lineStyle: dashed ? L.LineStyle.Dashed : L.LineStyle.Solid,
    crosshairMarkerVisible: false,
    lastPriceAnimation: L.LastPriceAnimationMode.Disabled,
  });

  function pricePane(chart, scene) {
    const c = scene.colors;
    const t = scene.times;
    const price =
      scene.style === 'ohlc'
        ? chart.addSeries(L.BarSeries, { ...quiet, upColor: c.up, downColor: c.down, openVisible: true, thinBars: true })
        : chart.addSeries(L.CandlestickSeries, {
            ...quiet,
            upColor: c.up,
            downColor: c.down,
            borderVisible: false,
            wickUpColor: c.up,
            wickDownColor: c.down,
          });
    price.setData(scene.bars.map((b, i) => ({ time: t[i], ...b })));
    for (const o of scene.overlays) chart.addSeries(L.LineSeries, lineOptions(o.color, o.dashed)).setData(line(t, o.values));
    price.attachPrimitive(new Shapes(scene));
    for (const level of scene.levels) {
      price.createPriceLine({ price: level.price, color: level.color, lineWidth: 1, lineStyle: L.LineStyle.Dashed, axisLabelVisible: true, title: level.title });
    }
    if (scene.markers.length > 0) {
      L.createSeriesMarkers(
        price,
        scene.markers.map((m) => ({ time: t[m.bar], position: m.position, shape: m.shape, color: m.color, text: m.text, size: 1 })),
      );
    }
  }

  function lowerPanes(chart, scene) {
    const c = scene.colors;
    const t = scene.times;
    const weights = [scene.weights.price];
    if (scene.volume) {
      const pane = weights.length;
      const volume = chart.addSeries(L.HistogramSeries, { ...quiet, priceFormat: { type: 'volume' }, base: 0 }, pane);
      volume.setData(scene.volume.map((v, i) => ({ time: t[i], value: v.value, color: v.up ? c.volumeUp : c.volumeDown })));
      weights.push(scene.weights.volume);
    }
    if (scene.rsi) {
      const pane = weights.length;
      const rsi = chart.addSeries(
        L.LineSeries,
        { ...lineOptions(scene.rsi.color, false), priceFormat: { type: 'price', precision: 0, minMove: 1 }, autoscaleInfoProvider: () => ({ priceRange: { minValue: 0, maxValue: 100 } }) },
        pane,
      );
      rsi.setData(line(t, scene.rsi.values));
      for (const level of [30, 70]) rsi.createPriceLine({ price: level, color: c.grid, lineWidth: 1, lineStyle: L.LineStyle.Dotted, axisLabelVisible: false });
      weights.push(scene.weights.rsi);
    }
    if (scene.macd) {
      const pane = weights.length;
      const m = scene.macd;
      const hist = chart.addSeries(L.HistogramSeries, { ...quiet, base: 0 }, pane);
      hist.setData(m.hist.map((v, i) => (v === null ? { time: t[i] } : { time: t[i], value: v, color: v >= 0 ? c.volumeUp : c.volumeDown })));
      chart.addSeries(L.LineSeries, lineOptions(m.colors[0], false), pane).setData(line(t, m.macd));
      chart.addSeries(L.LineSeries, lineOptions(m.colors[1], false), pane).setData(line(t, m.signal));
      weights.push(scene.weights.macd);
    }
    chart.panes().forEach((pane, i) => pane.setStretchFactor(weights[i]));
  }

  window.chartlensPaint = function paint(scene) {
    if (current) current.remove();
    current = null;
    header(scene);
    const chart = createChart(scene);
    current = chart;
    pricePane(chart, scene);
    lowerPanes(chart, scene);
    // Every bar, half a bar of room at each end: the Chart.js renderer's x range.
    chart.timeScale().setVisibleLogicalRange({ from: -0.5, to: scene.times.length - 0.5 });
    // lightweight-charts draws on the next animation frame; taking its screenshot draws now, the
    // same pixels without waiting ~two frames (checked equal). The screenshot itself is dropped.
    // includeCrosshair: the crosshair is hidden anyway, and without it takeScreenshot re-applies
    // the crosshair mode afterwards, which schedules a second full draw on the next frame.
    chart.takeScreenshot(false, true);
    return { width: scene.width, height: scene.height };
  };
})();
