import type { CallbackPoster } from '../../ports/job-queue.ts';

/**
 * Callbacks over fetch. Redirects are not followed (a receiver that moved answers 3xx, which counts
 * as a failed delivery), and the answer's body is not read.
 */
export function fetchCallbackPoster(o: { timeoutMs: number }): CallbackPoster {
  return {
    async post(url, body, headers) {
      const res = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(o.timeoutMs) });
      await res.body?.cancel().catch(() => {});
      return { status: res.status };
    },
  };
}
