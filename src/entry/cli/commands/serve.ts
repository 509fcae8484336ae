import type { Command } from '../command.ts';

/** `chartlens serve`: the HTTP API, configured from the environment, until SIGINT/SIGTERM. */
export const command: Command = {
  name: 'serve',
  usage: 'chartlens serve',
  description: [
    'Starts the HTTP API (POST /v1/render, /v1/indicators, /v1/analyze, /v1/digitize, /v1/jobs, GET',
    '/v1/analyses, /v1/market/{source}/{symbol}, /healthz, /readyz, /openapi.json, /docs) and the web page',
    'at /, and runs until SIGINT or SIGTERM. It is configured from the environment only.',
  ].join('\n'),
  options: {},
  notes: [
    'environment (see the README for every variable):',
    '  PORT                3000      HTTP port (0 picks a free one)',
    '  HOST                0.0.0.0   interface to listen on',
    '  CHARTLENS_DATA_DIR  ./data    where the embedded store (PGlite) lives',
    '  DATABASE_URL        unset     a PostgreSQL URL instead of the embedded store',
    '  CHARTLENS_API_KEYS  unset     comma-separated keys; when set, /v1/* needs a Bearer key',
    '  CHARTLENS_ANALYZER  local     the default analyzer (openai needs OPENAI_API_KEY or OPENAI_BASE_URL)',
    '  CHARTLENS_MARKET_SOURCE  csv  where a request naming only a symbol gets its bars (csv, yahoo, binance...)',
    '  CHARTLENS_WORKERS   one per core   threads for facts and charts (0: the main thread)',
    '  CHARTLENS_MAX_INFLIGHT  2 per thread   analyses worked on at once; CHARTLENS_MAX_QUEUED (64) wait',
    '  CHARTLENS_JOB_WORKERS   2     queued jobs this server runs at once (chartlens worker runs more)',
  ].join('\n'),
  async run(_args, io) {
    const [{ startServer }, { loadConfig }] = await Promise.all([import('../../../composition/server.ts'), import('../../../composition/config.ts')]);
    const server = await startServer(loadConfig(io.env));
    // startServer stops the server (and the process) on SIGINT/SIGTERM; until then this waits.
    await new Promise<void>((resolve) => server.once('close', () => resolve()));
    return 0;
  },
};
