#!/usr/bin/python3
"""Baseline for bench/render.ts: the same candlestick chart drawn by matplotlib's Agg backend.

Run with Debian's interpreter (python3-matplotlib), not a pyenv/venv python:

    /usr/bin/python3 bench/matplotlib_render.py --csv bars.csv --iterations 50 --warmup 5

Reads OHLCV rows (header date,open,high,low,close[,adjclose],volume) from --csv, or from stdin when
--csv is "-". Every row read is drawn (bench/render.ts passes the last 150 bars), with SMA20/SMA50
computed on those rows, so the first 19/49 bars have no average, as in chartlens' /v1/render.

One warm process draws the chart --warmup + --iterations times. Each timed iteration is what an
mplfinance-based tool does per request: new figure, candles (wicks as a LineCollection from vlines,
bodies as a PolyCollection, like mplfinance), volume pane, two overlays, legend, title, savefig to
an in-memory PNG, close the figure. Prints one JSON object on stdout; times are in milliseconds.
"""

import argparse
import csv
import io
import json
import sys
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator  # noqa: E402

WIDTH_PX, HEIGHT_PX, DPI = 1024, 512, 100
UP, DOWN = "#26a69a", "#ef5350"
UP_VOL, DOWN_VOL = "#26a69a80", "#ef535080"
SMA_COLORS = {20: "#2962ff", 50: "#ff6d00"}
BODY_WIDTH = 0.6


def read_rows(path):
    handle = sys.stdin if path == "-" else open(path, newline="")
    with handle:
        reader = csv.DictReader(handle)
        rows = [{k.strip().lower(): v for k, v in r.items()} for r in reader]
    if len(rows) < 2:
        raise SystemExit("need at least 2 rows")
    dates = [r["date"][:10] for r in rows]
    cols = {k: np.array([float(r[k]) for r in rows]) for k in ("open", "high", "low", "close", "volume")}
    return dates, cols


def sma(values, period):
    """Simple moving average; NaN until a full window exists (matplotlib leaves NaN unplotted)."""
    out = np.full(values.shape, np.nan)
    if len(values) >= period:
        c = np.cumsum(np.insert(values, 0, 0.0))
        out[period - 1:] = (c[period:] - c[:-period]) / period
    return out


def compact(v, _pos=None):
    a = abs(v)
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if a >= div:
            return f"{v / div:.1f}{suffix}"
    return f"{v:g}"


def draw(dates, c, overlays):
    """Draw the chart and return the PNG bytes."""
    n = len(dates)
    x = np.arange(n)
    o, h, low, cl, vol = c["open"], c["high"], c["low"], c["close"], c["volume"]
    up = cl >= o
    colors = np.where(up, UP, DOWN)

    fig, (ax, axv) = plt.subplots(
        2, 1, sharex=True, figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI,
        gridspec_kw={"height_ratios": [4, 1], "hspace": 0.05},
    )
    fig.subplots_adjust(left=0.02, right=0.93, top=0.92, bottom=0.07)

    # Wicks: one LineCollection for all bars.
    ax.vlines(x, low, h, colors=colors, linewidths=1)
    # Bodies: one PolyCollection of rectangles (a doji gets a visible sliver).
    bottom = np.minimum(o, cl)
    top = np.maximum(np.maximum(o, cl), bottom + (h.max() - low.min()) * 1e-4)
    x0, x1 = x - BODY_WIDTH / 2, x + BODY_WIDTH / 2
    verts = np.stack(
        [np.column_stack([x0, bottom]), np.column_stack([x0, top]),
         np.column_stack([x1, top]), np.column_stack([x1, bottom])], axis=1)
    ax.add_collection(PolyCollection(verts, facecolors=colors, edgecolors=colors, linewidths=0.5))

    for period in overlays:
        ax.plot(x, sma(cl, period), color=SMA_COLORS[period], linewidth=1.2, label=f"SMA{period}")

    pad = (h.max() - low.min()) * 0.03
    ax.set_ylim(low.min() - pad, h.max() + pad)
    ax.set_xlim(-0.5, n - 0.5)
    ax.yaxis.tick_right()
    ax.yaxis.set_major_locator(MaxNLocator(8))
    ax.grid(True, color="#e0e3eb", linewidth=0.8)
    ax.tick_params(labelsize=8, bottom=False)
    ax.legend(loc="upper right", fontsize=8, frameon=False, ncol=len(overlays))
    ax.set_title(f"{dates[0]} to {dates[-1]}  ·  last close {cl[-1]:.2f}", loc="left", fontsize=10, fontweight="bold")

    axv.bar(x, vol, width=0.8, color=np.where(up, UP_VOL, DOWN_VOL))
    axv.yaxis.tick_right()
    axv.yaxis.set_major_locator(MaxNLocator(3))
    axv.yaxis.set_major_formatter(FuncFormatter(compact))
    axv.grid(True, color="#e0e3eb", linewidth=0.8)
    axv.tick_params(labelsize=8)
    step = max(1, int(np.ceil(n / max(2, WIDTH_PX // 110) / 5.0) * 5))
    axv.xaxis.set_major_locator(MultipleLocator(step))
    axv.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: dates[int(v)] if v.is_integer() and 0 <= v < n else ""))

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    plt.close(fig)
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--csv", required=True, help='OHLCV CSV file, or "-" for stdin')
    ap.add_argument("--iterations", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--out", help="also write the last PNG here (to eyeball it)")
    args = ap.parse_args()

    dates, cols = read_rows(args.csv)
    overlays = (20, 50)
    for _ in range(args.warmup):
        draw(dates, cols, overlays)
    times = []
    png = b""
    for _ in range(args.iterations):
        t0 = time.perf_counter()
        png = draw(dates, cols, overlays)
        times.append((time.perf_counter() - t0) * 1000.0)
    if args.out:
        with open(args.out, "wb") as f:
            f.write(png)
    json.dump({
        "matplotlib": matplotlib.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "bars": len(dates),
        "width": WIDTH_PX,
        "height": HEIGHT_PX,
        "pngBytes": len(png),
        "warmup": args.warmup,
        "timesMs": times,
    }, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
