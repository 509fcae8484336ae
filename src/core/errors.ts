/**
 * Every failure the caller can act on carries a stable machine-readable code.
 * HTTP maps the code to a status; the CLI prints it. Codes never change meaning once shipped.
 */
export const ERROR_STATUS = {
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
  unauthorized: 401,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One problem inside the input: where it is and what is wrong. */
export interface ErrorDetail {
  /** 0-based index into the candle array. */
  row?: number;
  /** 1-based line in the CSV text (the header is line 1). */
  line?: number;
  field?: string;
  message: string;
}

/** An error with a stable code, safe to show to the caller. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toJSON(): { error: { code: ErrorCode; message: string; details: ErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}
