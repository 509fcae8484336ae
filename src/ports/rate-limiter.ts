/** Paces calls: `take()` resolves when the next call may start. */
export interface RateLimiter {
  take(): Promise<void>;
}
