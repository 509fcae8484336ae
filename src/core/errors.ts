/**
 * The one catalogue of stable error codes. Every failure a caller can act on carries one; the
 * HTTP layer maps codes to statuses (entry/http/http-status.ts), the CLI to exit codes, and a
 * degraded answer names one. Codes never change meaning once shipped.
 *
 * Kinds: `input` the caller sent something wrong; `usage` a command was called wrongly; `batch`
 * an input of a folder cannot be scored; `upstream` a service we depend on failed (an LLM, a
 * chartlens endpoint), which degrades an answer instead of failing it; `service` our own state.
 */
export const ERROR_CODES = {
  invalid_request: 'input',
  invalid_json: 'input',
  invalid_csv: 'input',
  invalid_candles: 'input',
  invalid_chart_options: 'input',
  unknown_field: 'input',
  invalid_news: 'input',
  invalid_image: 'input',
  unsupported_image: 'input',
  image_too_large: 'input',
  unsupported_media_type: 'input',
  payload_too_large: 'input',
  not_found: 'input',
  unknown_symbol: 'input',
  unknown_market_source: 'input',
  unsupported_timeframe: 'input',
  unauthorized: 'input',
  job_not_cancellable: 'input',
  callback_not_configured: 'input',
  usage_error: 'usage',
  unsupported_file: 'batch',
  ambiguous_input: 'batch',
  orphan_news: 'batch',
  unreadable_file: 'batch',
  endpoint_unreachable: 'upstream',
  endpoint_error: 'upstream',
  llm_not_configured: 'upstream',
  llm_timeout: 'upstream',
  llm_deadline: 'upstream',
  llm_rate_limited: 'upstream',
  llm_unavailable: 'upstream',
  llm_auth: 'upstream',
  llm_bad_request: 'upstream',
  llm_refusal: 'upstream',
  llm_invalid_output: 'upstream',
  llm_budget: 'upstream',
  market_data_unavailable: 'upstream',
  store_unavailable: 'service',
  service_unavailable: 'service',
  /** Too many analyses in flight and the wait queue full (or the wait too long): retry after Retry-After. */
  overloaded: 'service',
  job_interrupted: 'service',
  internal_error: 'service',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export type ErrorKind = (typeof ERROR_CODES)[ErrorCode];

/** Codes an analyzer failure can carry; each turns an LLM answer into the rules' degraded answer. */
export type UpstreamCode = { [K in ErrorCode]: (typeof ERROR_CODES)[K] extends 'upstream' ? K : never }[ErrorCode];

/**
 * The fixed sentence a degraded answer shows for its code. The upstream's own text (an HTML error
 * page, a provider's message) may hold anything, so it goes to the log, never to the caller.
 */
export const DEGRADED_MESSAGES: Record<UpstreamCode, string> = {
  endpoint_unreachable: 'The chartlens endpoint could not be reached.',
  endpoint_error: 'The chartlens endpoint answered with an error.',
  llm_not_configured: 'No OpenAI-compatible endpoint is configured (set OPENAI_API_KEY or OPENAI_BASE_URL); the rules answered instead.',
  llm_timeout: 'The model did not answer in time; the rules answered instead.',
  llm_deadline: 'The request deadline passed before the model gave a valid answer; the rules answered instead.',
  llm_rate_limited: 'The model provider is rate limiting this key; the rules answered instead.',
  llm_unavailable: 'The model provider failed or could not be reached; the rules answered instead.',
  llm_auth: 'The model provider refused the API key; the rules answered instead.',
  llm_bad_request: 'The model provider rejected the request (unknown model or unsupported input); the rules answered instead.',
  llm_refusal: 'The model refused to answer; the rules answered instead.',
  llm_invalid_output: 'The model did not produce a valid analysis after one repair; the rules answered instead.',
  llm_budget: 'The token or USD budget was spent; the rules answered instead.',
  market_data_unavailable: 'The market-data provider could not be reached or refused; no bars were fetched.',
};

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/** One problem inside the input: where it is and what is wrong. */
export interface ErrorDetail {
  /** 0-based index into the candle array. */
  row?: number;
  /** 1-based line in the CSV text (the header is line 1). */
  line?: number;
  field?: string;
  message: string;
}

/** An error with a stable code and a message safe to show to the caller. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  /** Seconds after which a retry may succeed, when the cause said so (an HTTP answer sends Retry-After). */
  readonly retryAfterSeconds: number | null;

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = [], options?: { cause?: unknown; retryAfterSeconds?: number | null }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
    this.retryAfterSeconds = options?.retryAfterSeconds ?? null;
  }

  get kind(): ErrorKind {
    return ERROR_CODES[this.code];
  }

  toJSON(): { error: { code: ErrorCode; message: string; details: ErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}
