#!/usr/bin/python3
"""Chart fixtures with pixel truth for the chart digitiser (src/core/digitize), drawn by matplotlib.

Run with Debian's interpreter (python3-matplotlib, installed by `npm run setup`):

    /usr/bin/python3 testing/digitize/draw_matplotlib.py --out /tmp/mpl-fixtures [--only NAME ...] [--list]

Candles are drawn with plain matplotlib the way mplfinance-based tools draw them: wicks as one
`vlines` LineCollection, bodies as Rectangle patches (OHLC bars as vlines plus hlines ticks). Each
fixture is written as NAME.png plus NAME.json holding the truth:

    {name, style, width, height, kind, hollow, up, down, background, priceLabels: "left"|"right",
     plot: {left, top, right, bottom}, volume: rect|null, axis: {ymin, ymax},
     bars: [{open, high, low, close, x, openY, highY, lowY, closeY, direction}]}

Pixel coordinates are image pixels with y down, continuous (row r spans [r, r + 1)): exactly
matplotlib's display coordinates flipped, so a value's y is where the renderer put it. index.json
lists every fixture written. Data are seeded random walks: the same command gives the same files.
"""

import argparse
import json
import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

DPI = 100

# One entry per style. Sizes span 800x600 .. 1920x1080; colour pairs and options vary so that no
# single palette or layout is baked into the digitiser.
FIXTURES = [
    dict(name="light-basic", size=(800, 600), bars=60, seed=1, up="#2ca02c", down="#d62728"),
    dict(name="light-grid-ma", size=(1280, 720), bars=120, seed=2, up="#16a34a", down="#dc2626", grid=True, ma=[20]),
    dict(name="dark-teal-orange", size=(1600, 900), bars=150, seed=3, bg="#131722", up="#26a69a", down="#ff9800",
         grid=True, grid_color="#2a2e39", fg="#b2b5be", labels="right", ma=[20, 50], ma_colors=["#f7e463", "#d500f9"]),
    dict(name="hollow-mono", size=(1024, 768), bars=100, seed=4, up="#ffffff", down="#000000", edge="#000000",
         wick="#000000", hollow=True),
    dict(name="hollow-colour", size=(1920, 1080), bars=200, seed=5, up="#089981", down="#f23645", hollow=True, grid=True,
         labels="right", ma=[20]),
    dict(name="volume-blue-red", size=(1280, 800), bars=120, seed=6, up="#1f77b4", down="#d62728", volume=True,
         grid=True),
    dict(name="volume-dark", size=(1920, 1080), bars=180, seed=7, bg="#000000", fg="#cccccc", up="#00c853",
         down="#ff1744", volume=True, grid=True, grid_color="#333333", ma=[20], ma_colors=["#ffffff"], labels="right"),
    dict(name="tv-like", size=(1600, 900), bars=150, seed=8, up="#26a69a", down="#ef5350", grid=True,
         grid_color="#f0f3fa", labels="right", spines="tv", watermark="BTCUSD", last_price=True, ma=[50],
         ma_colors=["#2962ff"]),
    dict(name="ohlc-light", size=(1024, 640), bars=100, seed=9, up="#26a69a", down="#ef5350", kind="ohlc", grid=True),
    dict(name="ohlc-dark", size=(1280, 720), bars=80, seed=10, bg="#1e1e1e", fg="#dddddd", up="#4caf50",
         down="#f44336", kind="ohlc", labels="right", volume=True),
    dict(name="dense", size=(1280, 720), bars=250, seed=11, up="#16a34a", down="#dc2626", grid=True, ma=[20]),
    dict(name="sparse-wide", size=(1920, 1080), bars=40, seed=12, up="#0ecb81", down="#f6465d", bg="#0b0e11",
         fg="#848e9c", grid=True, grid_color="#1e2329", labels="right"),
    # Near misses: the digitiser must say "no candles" rather than invent some.
    dict(name="empty-plot", size=(1024, 640), bars=0, seed=13, grid=True),
    dict(name="line-chart", size=(1024, 640), bars=120, seed=14, kind="line", grid=True),
]


def walk(n, seed):
    """Seeded OHLC random walk: each bar opens near the previous close; wicks are random."""
    rng = np.random.default_rng(seed)
    price = 100.0 * np.exp(rng.normal(0, 0.5))
    sigma = 0.012 + 0.01 * rng.random()
    rows = []
    for _ in range(n):
        o = price * (1 + rng.normal(0, sigma * 0.15))
        c = o * np.exp(rng.normal(0, sigma))
        hi = max(o, c) * (1 + abs(rng.normal(0, sigma * 0.6)))
        lo = min(o, c) * (1 - abs(rng.normal(0, sigma * 0.6)))
        v = float(np.exp(rng.normal(13, 0.4)))
        rows.append((o, hi, lo, c, v))
        price = c
    return rows


def sma(values, period):
    out = np.full(len(values), np.nan)
    if len(values) >= period:
        cs = np.cumsum(np.insert(np.asarray(values, dtype=float), 0, 0.0))
        out[period - 1:] = (cs[period:] - cs[:-period]) / period
    return out


def rect_of(ax, height):
    """The axes' plot area in image pixels (y down, continuous)."""
    bb = ax.get_window_extent()
    return {"left": bb.x0, "top": height - bb.y1, "right": bb.x1, "bottom": height - bb.y0}


def style_axes(ax, f, fg, bg):
    ax.set_facecolor(bg)
    ax.tick_params(colors=fg, labelsize=9)
    for s in ax.spines.values():
        s.set_color(fg)
    if f.get("grid"):
        ax.grid(True, color=f.get("grid_color", "#dddddd"), linewidth=0.8, zorder=0)
        ax.set_axisbelow(True)
    if f.get("labels") == "right":
        ax.yaxis.tick_right()
    if f.get("spines") == "tv":
        ax.spines["top"].set_visible(False)
        ax.spines["left"].set_visible(False)


def draw_bars(ax, rows, f, bg):
    n = len(rows)
    x = np.arange(n)
    o = np.array([r[0] for r in rows])
    h = np.array([r[1] for r in rows])
    lo = np.array([r[2] for r in rows])
    c = np.array([r[3] for r in rows])
    up = c >= o
    colors = [f["up"] if u else f["down"] for u in up]
    wick_colors = [f.get("wick", col) for col in colors]
    kind = f.get("kind", "candle")
    lw = f.get("wick_width", 1.0)
    if kind == "ohlc":
        ax.vlines(x, lo, h, colors=colors, linewidth=lw * 1.2, zorder=3)
        arm = 0.3
        ax.hlines(o, x - arm, x, colors=colors, linewidth=lw * 1.2, zorder=3)
        ax.hlines(c, x, x + arm, colors=colors, linewidth=lw * 1.2, zorder=3)
        return
    width = f.get("body", 0.7)
    hollow = f.get("hollow", False)
    if hollow:
        # Like mplfinance's hollow style: the wick stops at the body so the hollow stays empty.
        top = np.maximum(o, c)
        bot = np.minimum(o, c)
        ax.vlines(x, top, h, colors=wick_colors, linewidth=lw, zorder=2)
        ax.vlines(x, lo, bot, colors=wick_colors, linewidth=lw, zorder=2)
    else:
        ax.vlines(x, lo, h, colors=wick_colors, linewidth=lw, zorder=2)
    for i in range(n):
        bottom = min(o[i], c[i])
        height = abs(c[i] - o[i])
        if hollow and up[i]:
            face = bg if f["up"].lower() in ("#ffffff", "white") else "none"
            edge = f.get("edge", f["up"])
            ax.add_patch(Rectangle((x[i] - width / 2, bottom), width, height, facecolor=face if face != "none" else bg,
                                   edgecolor=edge, linewidth=1.0, zorder=3))
        else:
            ax.add_patch(Rectangle((x[i] - width / 2, bottom), width, height, facecolor=colors[i],
                                   edgecolor=f.get("edge", colors[i]), linewidth=0.6, zorder=3))


def draw_fixture(f, out_dir):
    w, hgt = f["size"]
    bg = f.get("bg", "#ffffff")
    fg = f.get("fg", "#000000")
    n = f["bars"]
    rows = walk(n, f["seed"])
    kind = f.get("kind", "candle")
    fig = plt.figure(figsize=(w / DPI, hgt / DPI), dpi=DPI, facecolor=bg)
    left_margin = 0.04 if f.get("labels") == "right" else 0.08
    width_frac = 0.88
    if f.get("volume"):
        ax = fig.add_axes([left_margin, 0.32, width_frac, 0.6])
        axv = fig.add_axes([left_margin, 0.08, width_frac, 0.2], sharex=ax)
    else:
        ax = fig.add_axes([left_margin, 0.08, width_frac, 0.84])
        axv = None
    style_axes(ax, f, fg, bg)
    if f.get("title", True):
        ax.set_title(f"{f['name']}  1d", color=fg, fontsize=11, loc="left")
    if f.get("watermark"):
        ax.text(0.5, 0.5, f["watermark"], transform=ax.transAxes, fontsize=int(hgt / 9), color="#787b86", alpha=0.12,
                ha="center", va="center", zorder=1)
    if n:
        if kind == "line":
            ax.plot(np.arange(n), [r[3] for r in rows], color="#2962ff", linewidth=1.5, zorder=3)
        else:
            draw_bars(ax, rows, f, bg)
        closes = [r[3] for r in rows]
        for k, period in enumerate(f.get("ma", [])):
            colors = f.get("ma_colors", ["#1f77b4", "#ff7f0e"])
            ax.plot(np.arange(n), sma(closes, period), color=colors[k % len(colors)], linewidth=1.3, zorder=4)
        lo = min(r[2] for r in rows)
        hi = max(r[1] for r in rows)
        pad = (hi - lo) * 0.05
        ax.set_ylim(lo - pad, hi + pad)
    else:
        ax.set_ylim(90, 110)
    ax.set_xlim(-1, max(n, 10))
    if axv is not None:
        style_axes(axv, f, fg, bg)
        vcol = [f["up"] if r[3] >= r[0] else f["down"] for r in rows]
        axv.bar(np.arange(n), [r[4] for r in rows], width=0.7, color=vcol, alpha=0.6, zorder=2)
        axv.set_ylim(0, max(r[4] for r in rows) * 1.1)
        plt.setp(ax.get_xticklabels(), visible=False)
    last = rows[-1] if n and kind != "line" else None
    if f.get("last_price") and last:
        col = f["up"] if last[3] >= last[0] else f["down"]
        ax.axhline(last[3], color=col, linestyle=":", linewidth=1.0, zorder=1)
        ax.text(1.0, last[3], f" {last[3]:.2f} ", transform=ax.get_yaxis_transform(), color="#ffffff", fontsize=9,
                va="center", ha="left", clip_on=False, bbox=dict(boxstyle="square,pad=0.3", facecolor=col, edgecolor=col))
    fig.canvas.draw()
    # Truth: the renderer's own transform of each value.
    truth_bars = []
    for i, (o, h, low, c, _v) in enumerate(rows if kind in ("candle", "ohlc") else []):
        px = ax.transData.transform([(i, o), (i, h), (i, low), (i, c)])
        truth_bars.append({
            "open": o, "high": h, "low": low, "close": c,
            "x": float(px[0][0]),
            "openY": float(hgt - px[0][1]), "highY": float(hgt - px[1][1]),
            "lowY": float(hgt - px[2][1]), "closeY": float(hgt - px[3][1]),
            "direction": "up" if c >= o else "down",
        })
    ymin, ymax = ax.get_ylim()
    truth = {
        "name": f["name"], "style": f["name"], "width": w, "height": hgt,
        "kind": kind if n else "empty", "hollow": bool(f.get("hollow", False)),
        "up": f.get("up"), "down": f.get("down"), "background": bg,
        "priceLabels": "right" if f.get("labels") == "right" else "left",
        "plot": rect_of(ax, hgt), "volume": rect_of(axv, hgt) if axv is not None else None,
        "axis": {"ymin": ymin, "ymax": ymax},
        "bars": truth_bars,
    }
    path = os.path.join(out_dir, f["name"] + ".png")
    fig.savefig(path, dpi=DPI, facecolor=bg)
    plt.close(fig)
    with open(os.path.join(out_dir, f["name"] + ".json"), "w") as fh:
        json.dump(truth, fh)
    return f["name"]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=False)
    p.add_argument("--only", nargs="*")
    p.add_argument("--list", action="store_true")
    args = p.parse_args()
    if args.list:
        print(json.dumps([f["name"] for f in FIXTURES]))
        return
    if not args.out:
        p.error("--out is required")
    os.makedirs(args.out, exist_ok=True)
    names = [draw_fixture(f, args.out) for f in FIXTURES if not args.only or f["name"] in args.only]
    with open(os.path.join(args.out, "index.json"), "w") as fh:
        json.dump(names, fh)
    print(json.dumps(names))


if __name__ == "__main__":
    main()
