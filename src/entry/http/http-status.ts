import type { ErrorCode } from '../../core/errors.ts';

/** The HTTP status of each error code: 4xx for what the caller sent, 5xx for us or an upstream. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_json: 400,
  invalid_csv: 400,
  invalid_candles: 422,
  invalid_chart_options: 400,
  unknown_field: 400,
  invalid_news: 400,
  invalid_image: 400,
  unsupported_image: 415,
  image_too_large: 413,
  unsupported_media_type: 415,
  payload_too_large: 413,
  not_found: 404,
  unknown_symbol: 404,
  unknown_market_source: 404,
  unsupported_timeframe: 400,
  unauthorized: 401,
  job_not_cancellable: 409,
  callback_not_configured: 400,
  usage_error: 400,
  unsupported_file: 415,
  ambiguous_input: 400,
  orphan_news: 400,
  unreadable_file: 400,
  endpoint_unreachable: 502,
  endpoint_error: 502,
  llm_not_configured: 502,
  llm_timeout: 504,
  llm_deadline: 504,
  llm_rate_limited: 502,
  llm_unavailable: 502,
  llm_auth: 502,
  llm_bad_request: 502,
  llm_refusal: 502,
  llm_invalid_output: 502,
  llm_budget: 502,
  market_data_unavailable: 502,
  store_unavailable: 503,
  service_unavailable: 503,
  overloaded: 503,
  job_interrupted: 500,
  internal_error: 500,
};

/** The status for an error code. */
export function httpStatus(code: ErrorCode): number {
  return HTTP_STATUS[code];
}
