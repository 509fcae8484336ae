#!/usr/bin/env bash
# Installs everything chartlens needs on a fresh Debian/Ubuntu machine, then the npm packages.
# Idempotent: when nothing is missing it only checks, which takes a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."

# Cairo/Pango headers: chartjs-node-canvas's `canvas` builds from source against them.
# build-essential + python3: node-gyp builds canvas and TA-Lib (talib).
# fonts-dejavu-core: the charts' font; golden images assume it.
# python3-matplotlib: the baseline that bench/render measures against.
APT_PACKAGES=(build-essential python3 pkg-config libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev
  fonts-dejavu-core python3-matplotlib)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
else
  echo "setup: not a Debian/Ubuntu system; install the equivalents of: ${APT_PACKAGES[*]}" >&2
fi

if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing system packages. Run as root:" >&2
    echo "  $cmd" >&2
    exit 1
  fi
fi

# Puppeteer must never download its own browser: the machine's Chromium is used.
export PUPPETEER_SKIP_DOWNLOAD=true

stamp=node_modules/.chartlens-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f node_modules/talib/build/Release/talib.node ] \
  && [ -f node_modules/canvas/build/Release/canvas.node ]; then
  echo "setup: npm packages up to date"
else
  echo "setup: npm ci (builds canvas and TA-Lib from source, about a minute)"
  npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
fi
