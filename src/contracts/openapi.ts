/**
 * The OpenAPI 3.1 document of the HTTP API, built from the zod contracts (pure: no I/O). The
 * statuses of the error codes live in the HTTP layer, so the caller passes them in.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../core/errors.ts';
import { analysisSchema } from './analysis.ts';
import { analyzeNewsSchema, analyzeRequestSchema } from './analyze-request.ts';
import { candleRowSchema } from './candle-input.ts';
import { digitizeResponseSchema } from './digitize.ts';
import { errorBodySchema } from './error-body.ts';
import { factsRequestSchema, factsResponseSchema } from './facts.ts';
import { healthBodySchema, readyBodySchema } from './health.ts';
import { renderRequestSchema } from './render-request.ts';
import { analysesPageSchema } from './analyses-list.ts';
import { marketResponseSchema } from './market.ts';
import { jobAcceptedSchema, jobCallbackSchema, jobRequestSchema, jobSchema } from './jobs.ts';

type Json = Record<string, unknown>;

/** A file part of a multipart form; a string here only so the form can be described and checked. */
const filePart = (description: string): z.ZodString => z.string().meta({ contentMediaType: 'application/octet-stream', description });

// Documentation views of the request bodies. `candles` and `news` stay `unknown` in the parsing
// schemas (their errors get their own codes), so the docs show the shape a client should send.
const candlesDoc = z.array(candleRowSchema).min(1).optional();
const analyzeRequestDoc = analyzeRequestSchema.extend({ candles: candlesDoc, news: analyzeNewsSchema });
const renderRequestDoc = renderRequestSchema.extend({ candles: candlesDoc });
const factsRequestDoc = factsRequestSchema.extend({ candles: candlesDoc });
const jobRequestDoc = jobRequestSchema.extend({ candles: candlesDoc, news: analyzeNewsSchema });

/** POST /v1/analyze as multipart/form-data: an image and/or OHLCV, the options as text fields. */
export const analyzeFormSchema = z
  .object({
    image: filePart('The chart image (PNG, JPEG, WebP).').optional(),
    ohlcv: z.string().meta({ description: 'OHLCV as a CSV or JSON file, or as a text field.' }).optional(),
    symbol: z.string().optional(),
    timeframe: z.string().optional(),
    news: z.string().meta({ description: 'JSON text: an array of news items.' }).optional(),
    chart: z.string().meta({ description: 'JSON text: chart options.' }).optional(),
    analyzer: z.string().optional(),
    model: z.string().optional(),
  })
  .strict();

/** POST /v1/jobs as multipart/form-data: the form of /v1/analyze plus callbackUrl. */
export const jobFormSchema = analyzeFormSchema.extend({ callbackUrl: z.string().meta({ description: 'Where the result is POSTed (signed) when the job ends.' }).optional() });

/** POST /v1/digitize: one multipart `image` file, nothing else. */
export const digitizeFormSchema = z.object({ image: filePart('The chart image to read back.') }).strict();

/** The CSV body of POST /v1/render, /v1/indicators and /v1/analyze (labels go in the query string). */
const csvBody = (schema: z.ZodType): z.ZodType => z.string().transform((csv) => ({ csv })).pipe(schema as z.ZodType<unknown, { csv: string }>);

const CANDLES_EXAMPLE = [
  { time: '2024-01-02', open: 100, high: 102, low: 99, close: 101, volume: 1200 },
  { time: '2024-01-03', open: 101, high: 103, low: 100, close: 102.5, volume: 1350 },
  { time: '2024-01-04', open: 102.5, high: 104, low: 101.5, close: 103.2, volume: 1100 },
  { time: '2024-01-05', open: 103.2, high: 103.8, low: 100.9, close: 101.4, volume: 1600 },
  { time: '2024-01-08', open: 101.4, high: 102.9, low: 100.2, close: 102.7, volume: 1250 },
];
const CSV_EXAMPLE = [
  'time,open,high,low,close,volume',
  ...CANDLES_EXAMPLE.map((c) => [c.time, c.open, c.high, c.low, c.close, c.volume].join(',')),
].join('\n');

/** One documented request body: the schema shown, the schema a real request must pass, an example. */
export interface RequestBodyDoc {
  mediaType: string;
  /** Shown in the document (as JSON Schema). */
  shown: z.ZodType;
  /** What the server's own validation accepts; the example must pass it. */
  parses: z.ZodType;
  example: unknown;
}

/** How a route is documented. */
export interface RouteDoc {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI path template (`{id}`, not `:id`). */
  path: string;
  summary: string;
  tag: 'analysis' | 'jobs' | 'market' | 'digitize' | 'health' | 'docs';
  /** Behind the optional API key (everything under /v1). */
  auth: boolean;
  requestBodies?: RequestBodyDoc[];
  /** The success answer: a JSON schema component, or a non-JSON media type. */
  ok: { schema: string } | { mediaType: string; description: string };
  /** The success status; default 200 (202 for a job accepted for later). */
  okStatus?: 200 | 202;
  /** The error codes this route can answer with. */
  errors: ErrorCode[];
  /** Query parameters (the labels of the CSV form). */
  query?: { name: string; description: string; type: 'string' | 'integer' }[];
}

const JSON_ERRORS: ErrorCode[] = ['invalid_request', 'invalid_json', 'invalid_csv', 'invalid_candles', 'unknown_field', 'unsupported_media_type', 'payload_too_large'];
/** Codes whose answer may carry Retry-After. */
const RETRY_CODES: ErrorCode[] = ['overloaded', 'market_data_unavailable'];

/** What fetching bars by symbol can answer: a 404 for what is unknown, a 502 (with Retry-After when known) for a provider that is down. */
const MARKET_ERRORS: ErrorCode[] = ['unknown_market_source', 'unknown_symbol', 'unsupported_timeframe', 'market_data_unavailable'];
const UPLOAD_ERRORS: ErrorCode[] = ['invalid_request', 'unknown_field', 'invalid_image', 'unsupported_image', 'image_too_large', 'unsupported_media_type', 'payload_too_large'];
const CSV_QUERY: NonNullable<RouteDoc['query']> = [
  { name: 'symbol', description: 'With a text/csv body: the symbol label.', type: 'string' },
  { name: 'timeframe', description: 'With a text/csv body: the timeframe label.', type: 'string' },
];

/** The response components, by name. */
export const RESPONSE_SCHEMAS = {
  Analysis: analysisSchema,
  AnalysesPage: analysesPageSchema,
  MarketResponse: marketResponseSchema,
  FactsResponse: factsResponseSchema,
  DigitizeResponse: digitizeResponseSchema,
  HealthBody: healthBodySchema,
  ReadyBody: readyBodySchema,
  ErrorBody: errorBodySchema,
  Job: jobSchema,
  JobAccepted: jobAcceptedSchema,
  /** Not an answer: the body a job's callbackUrl receives (see the jobs routes). */
  JobCallback: jobCallbackSchema,
} as const;

/** Every route the app serves. /v1/analyze, /v1/analyses/* and /v1/digitize need their services wired. */
export const ROUTES: RouteDoc[] = [
  {
    method: 'post',
    path: '/v1/analyze',
    summary: 'Analyze a chart: candles (JSON or CSV), an uploaded image, both, or a symbol whose bars are fetched (source, timeframe, bars); answers with verified facts and a decision.',
    tag: 'analysis',
    auth: true,
    query: CSV_QUERY,
    requestBodies: [
      { mediaType: 'application/json', shown: analyzeRequestDoc, parses: analyzeRequestSchema, example: { symbol: 'DEMO', timeframe: '1d', candles: CANDLES_EXAMPLE, analyzer: 'local', news: [{ headline: 'Demo Corp beats estimates' }] } },
      { mediaType: 'multipart/form-data', shown: analyzeFormSchema, parses: analyzeFormSchema, example: { symbol: 'DEMO', timeframe: '1d', ohlcv: CSV_EXAMPLE, analyzer: 'local' } },
      { mediaType: 'text/csv', shown: z.string(), parses: csvBody(analyzeRequestSchema), example: CSV_EXAMPLE },
    ],
    ok: { schema: 'Analysis' },
    errors: [...UPLOAD_ERRORS, 'invalid_json', 'invalid_csv', 'invalid_candles', 'invalid_chart_options', 'invalid_news', ...MARKET_ERRORS, 'unauthorized', 'store_unavailable', 'service_unavailable', 'overloaded', 'internal_error'],
  },
  {
    method: 'post',
    path: '/v1/render',
    summary: 'Render candles as a PNG chart.',
    tag: 'market',
    auth: true,
    query: CSV_QUERY,
    requestBodies: [
      { mediaType: 'application/json', shown: renderRequestDoc, parses: renderRequestSchema, example: { symbol: 'DEMO', candles: CANDLES_EXAMPLE, chart: { width: 800, height: 400, theme: 'dark' } } },
      { mediaType: 'text/csv', shown: z.string(), parses: csvBody(renderRequestSchema), example: CSV_EXAMPLE },
    ],
    ok: {
      mediaType: 'image/png',
      description:
        'The chart. X-Chartlens-Renderer (and the older X-Chart-Renderer) names the renderer that drew it; when chart.renderer "browser" was asked for and Chromium is absent or failed, Chart.js draws it and X-Chartlens-Warning says so.',
    },
    errors: [...JSON_ERRORS, 'invalid_chart_options', 'unauthorized', 'overloaded', 'internal_error'],
  },
  {
    method: 'post',
    path: '/v1/indicators',
    summary: 'Compute the market facts (indicators, patterns, levels, trend) at the last bar.',
    tag: 'market',
    auth: true,
    query: CSV_QUERY,
    requestBodies: [
      { mediaType: 'application/json', shown: factsRequestDoc, parses: factsRequestSchema, example: { symbol: 'DEMO', timeframe: '1d', candles: CANDLES_EXAMPLE } },
      { mediaType: 'text/csv', shown: z.string(), parses: csvBody(factsRequestSchema), example: CSV_EXAMPLE },
    ],
    ok: { schema: 'FactsResponse' },
    errors: [...JSON_ERRORS, 'unauthorized', 'overloaded', 'internal_error'],
  },
  {
    method: 'post',
    path: '/v1/digitize',
    summary: 'Read the candles back from a chart image (pixels and OCR of the axes).',
    tag: 'digitize',
    auth: true,
    requestBodies: [{ mediaType: 'multipart/form-data', shown: digitizeFormSchema, parses: digitizeFormSchema, example: { image: '(PNG bytes)' } }],
    ok: { schema: 'DigitizeResponse' },
    errors: [...UPLOAD_ERRORS, 'unauthorized', 'service_unavailable', 'overloaded', 'internal_error'],
  },
  {
    method: 'get',
    path: '/v1/market/{source}/{symbol}',
    summary: 'The last bars of a symbol from a market-data source, oldest first.',
    tag: 'market',
    auth: true,
    query: [
      { name: 'timeframe', description: 'The bar length: 1m 5m 15m 1h 4h 1d 1w 1M (default 1d; the csv source holds 1d). Sources: csv (the folder CHARTLENS_MARKET_DIR), yahoo, and the ccxt exchanges of CHARTLENS_CCXT_EXCHANGES.', type: 'string' },
      { name: 'bars', description: 'How many of the last bars, 2 to 10000 (default 300).', type: 'integer' },
    ],
    ok: { schema: 'MarketResponse' },
    errors: [...MARKET_ERRORS, 'invalid_request', 'unknown_field', 'unauthorized', 'internal_error'],
  },
  {
    method: 'get',
    path: '/v1/analyses',
    summary: 'The history: stored analyses, newest first, a page at a time (follow nextCursor).',
    tag: 'analysis',
    auth: true,
    query: [
      { name: 'limit', description: 'Analyses per page, 1 to 100 (default 20).', type: 'integer' },
      { name: 'cursor', description: 'The nextCursor of the previous page.', type: 'string' },
    ],
    ok: { schema: 'AnalysesPage' },
    errors: ['invalid_request', 'unknown_field', 'unauthorized', 'store_unavailable', 'internal_error'],
  },
  {
    method: 'get',
    path: '/v1/analyses/{id}',
    summary: 'A stored analysis, as POST /v1/analyze answered it.',
    tag: 'analysis',
    auth: true,
    ok: { schema: 'Analysis' },
    errors: ['not_found', 'unauthorized', 'store_unavailable', 'internal_error'],
  },
  {
    method: 'get',
    path: '/v1/analyses/{id}/chart.png',
    summary: 'The chart image a stored analysis was made from (the bytes the analyzer saw).',
    tag: 'analysis',
    auth: true,
    ok: { mediaType: 'image/png', description: 'The chart (immutable; cacheable).' },
    errors: ['not_found', 'unauthorized', 'store_unavailable', 'internal_error'],
  },
  {
    method: 'post',
    path: '/v1/jobs',
    summary:
      'Queue an analysis: the bodies of POST /v1/analyze, plus an optional callbackUrl that receives {id, status, timestamp, analysis | error} as a POST signed with X-Chartlens-Signature: sha256=<HMAC-SHA256 of the raw body> (needs CHARTLENS_CALLBACK_SECRET). Answers 202 at once; poll GET /v1/jobs/{id}.',
    tag: 'jobs',
    auth: true,
    query: [...CSV_QUERY, { name: 'callbackUrl', description: 'With a text/csv body: the callback URL.', type: 'string' }],
    requestBodies: [
      { mediaType: 'application/json', shown: jobRequestDoc, parses: jobRequestSchema, example: { symbol: 'DEMO', timeframe: '1d', candles: CANDLES_EXAMPLE, analyzer: 'local' } },
      { mediaType: 'multipart/form-data', shown: jobFormSchema, parses: jobFormSchema, example: { symbol: 'DEMO', timeframe: '1d', ohlcv: CSV_EXAMPLE, analyzer: 'local' } },
      { mediaType: 'text/csv', shown: z.string(), parses: csvBody(jobRequestSchema), example: CSV_EXAMPLE },
    ],
    ok: { schema: 'JobAccepted' },
    okStatus: 202,
    errors: [...UPLOAD_ERRORS, 'invalid_json', 'invalid_csv', 'invalid_candles', 'invalid_chart_options', 'invalid_news', 'unknown_market_source', 'unsupported_timeframe', 'callback_not_configured', 'unauthorized', 'service_unavailable', 'internal_error'],
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}',
    summary: 'A job: queued, running, done (with the analysis), failed (with the last error, after CHARTLENS_JOB_RETRIES tries or at once for bad input) or cancelled.',
    tag: 'jobs',
    auth: true,
    ok: { schema: 'Job' },
    errors: ['invalid_request', 'not_found', 'unauthorized', 'service_unavailable', 'internal_error'],
  },
  {
    method: 'delete',
    path: '/v1/jobs/{id}',
    summary: 'Cancel a queued job; one that is running or has ended answers 409 job_not_cancellable.',
    tag: 'jobs',
    auth: true,
    ok: { schema: 'Job' },
    errors: ['invalid_request', 'not_found', 'job_not_cancellable', 'unauthorized', 'service_unavailable', 'internal_error'],
  },
  { method: 'get', path: '/healthz', summary: 'Liveness: the process is up.', tag: 'health', auth: false, ok: { schema: 'HealthBody' }, errors: [] },
  { method: 'get', path: '/readyz', summary: 'Readiness: the analysis store answers; with the admission counters (inFlight, queued, rejected) when the expensive routes are capped.', tag: 'health', auth: false, ok: { schema: 'ReadyBody' }, errors: ['store_unavailable'] },
  { method: 'get', path: '/openapi.json', summary: 'This document.', tag: 'docs', auth: false, ok: { mediaType: 'application/json', description: 'The OpenAPI 3.1 document.' }, errors: [] },
  { method: 'get', path: '/docs', summary: 'Interactive API documentation (Swagger UI, served locally).', tag: 'docs', auth: false, ok: { mediaType: 'text/html', description: 'The Swagger UI page.' }, errors: [] },
];

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of one zod schema, refs into components.schemas. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
}

function errorResponses(route: RouteDoc, statuses: Record<ErrorCode, number>): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of route.errors) byStatus.set(statuses[code], [...(byStatus.get(statuses[code]) ?? []), code]);
  const out: Record<string, Json> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: `Error: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
      // A refusal under load, or a market-data provider that said when, tells when to come back.
      ...(RETRY_CODES.some((c) => codes.includes(c))
        ? { headers: { 'Retry-After': { description: `With ${RETRY_CODES.filter((c) => codes.includes(c)).map((c) => `\`${c}\``).join(' or ')}: seconds to wait before retrying (at least 1; for a provider, only when it said).`, schema: { type: 'integer', minimum: 1 } } } }
        : {}),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' }, example: { error: { code: codes[0], message: 'What went wrong, safe to show.', details: [] } } } },
    };
  }
  return out;
}

function operation(route: RouteDoc, statuses: Record<ErrorCode, number>): Json {
  const op: Json = { summary: route.summary, operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`, tags: [route.tag] };
  if (!route.auth) op.security = [];
  const params: Json[] = [];
  if (route.path.includes('{id}')) params.push({ name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: route.path.startsWith('/v1/jobs/') ? 'The job id (a UUID).' : 'The analysis id.' });
  if (route.path.includes('{source}')) params.push({ name: 'source', in: 'path', required: true, schema: { type: 'string' }, description: 'The market-data source (csv: the folder CHARTLENS_MARKET_DIR).' });
  if (route.path.includes('{symbol}')) params.push({ name: 'symbol', in: 'path', required: true, schema: { type: 'string' }, description: 'The symbol, e.g. sp500.' });
  for (const q of route.query ?? []) params.push({ name: q.name, in: 'query', required: false, schema: { type: q.type }, description: q.description });
  if (params.length > 0) op.parameters = params;
  if (route.requestBodies) {
    const content: Json = {};
    for (const body of route.requestBodies) content[body.mediaType] = { schema: jsonSchema(body.shown, 'input'), example: body.example };
    op.requestBody = { required: true, content };
  }
  const ok = 'schema' in route.ok
    ? { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${route.ok.schema}` } } } }
    : { description: route.ok.description, content: { [route.ok.mediaType]: { schema: route.ok.mediaType.startsWith('image/') ? { type: 'string', contentMediaType: route.ok.mediaType } : {} } } };
  op.responses = { [String(route.okStatus ?? 200)]: ok, ...errorResponses(route, statuses) };
  return op;
}

export interface OpenApiOptions {
  /** The HTTP status of every error code (entry/http/http-status.ts). */
  errorStatuses: Record<ErrorCode, number>;
  version: string;
}

/** The OpenAPI 3.1 document of every route in ROUTES. */
export function buildOpenApiDocument(opts: OpenApiOptions): Json {
  const codes = (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => ({ code, kind: ERROR_CODES[code], status: opts.errorStatuses[code] }));
  const paths: Record<string, Json> = {};
  for (const route of ROUTES) paths[route.path] = { ...paths[route.path], [route.method]: operation(route, opts.errorStatuses) };
  const schemas: Record<string, Json> = {};
  for (const [name, schema] of Object.entries(RESPONSE_SCHEMAS)) schemas[name] = jsonSchema(schema, 'output');
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'chartlens',
      version: opts.version,
      description: [
        'Reads candlestick charts like a trader: deterministic market facts, rendered charts, and verified LLM analysis.',
        '',
        'Every 4xx/5xx answer is an `ErrorBody` with a stable code:',
        '',
        '| code | kind | HTTP status |',
        '| --- | --- | --- |',
        ...codes.map((c) => `| \`${c.code}\` | ${c.kind} | ${c.status} |`),
      ].join('\n'),
    },
    tags: [
      { name: 'analysis', description: 'Chart analysis and stored results.' },
      { name: 'jobs', description: 'Analyses queued for workers, with retries, a dead letter and signed callbacks.' },
      { name: 'market', description: 'Charts and facts from candles.' },
      { name: 'digitize', description: 'Candles read back from chart images.' },
      { name: 'health', description: 'Liveness and readiness.' },
      { name: 'docs', description: 'This documentation.' },
    ],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'Only when the server is configured with API keys (CHARTLENS_API_KEYS); otherwise open.' },
      },
    },
    'x-error-codes': codes,
  };
}
