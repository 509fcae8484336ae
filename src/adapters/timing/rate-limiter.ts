import type { RateLimiter } from '../../ports/rate-limiter.ts';

/** Spaces calls evenly so no more than `perMinute` start in any minute (null: no limit). */
export function createRateLimiter(perMinute: number | null, now: () => number = Date.now): RateLimiter {
  if (!perMinute) return { take: async () => {} };
  const interval = 60_000 / perMinute;
  let next = 0;
  return {
    async take() {
      const t = now();
      const slot = Math.max(t, next);
      next = slot + interval;
      if (slot > t) await new Promise((resolve) => setTimeout(resolve, slot - t));
    },
  };
}
