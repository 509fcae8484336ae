import type { AnalysisStore, PurgeResult } from '../ports/analysis-store.ts';

const DAY_MS = 86_400_000;
/** How often the server enforces the retention: an analysis lives at most this much past it. */
export const PURGE_INTERVAL_MS = 3_600_000;

/**
 * Enforce a retention of `retentionDays`: delete the analyses created before now minus that, and
 * the stored images and inputs no remaining analysis uses. Null when the store cannot purge.
 */
export async function purgeExpired(store: AnalysisStore, retentionDays: number, now: number = Date.now()): Promise<PurgeResult | null> {
  if (!store.purge) return null;
  return store.purge(new Date(now - retentionDays * DAY_MS));
}

export interface PurgeTimer {
  /** Runs one purge now (the timer's own runs go through this too); a run already going is awaited instead. */
  runNow(): Promise<PurgeResult | null>;
  /** Stops the timer and waits for a purge in progress. */
  stop(): Promise<void>;
}

/**
 * Purge after `firstDelayMs` (default: at once), then every `intervalMs`, until stopped. A failed
 * purge is logged and retried at the next tick; the timer never keeps the process alive.
 */
export function startPurgeTimer(
  store: AnalysisStore,
  retentionDays: number,
  o: { intervalMs?: number; firstDelayMs?: number; log?: (event: string, fields: Record<string, unknown>) => void; now?: () => number } = {},
): PurgeTimer {
  let running: Promise<PurgeResult | null> | null = null;
  let stopped = false;
  const runNow = (): Promise<PurgeResult | null> => {
    if (running) return running;
    if (stopped) return Promise.resolve(null);
    running = purgeExpired(store, retentionDays, (o.now ?? Date.now)())
      .then((r) => {
        if (r && (r.analyses > 0 || r.blobs > 0)) o.log?.('purge', { retentionDays, ...r });
        return r;
      })
      .catch((err: unknown) => {
        o.log?.('purge_failed', { retentionDays, error: (err as Error)?.message ?? String(err) });
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const tick = (): void => void runNow();
  const first = setTimeout(tick, o.firstDelayMs ?? 0);
  const timer = setInterval(tick, o.intervalMs ?? PURGE_INTERVAL_MS);
  first.unref();
  timer.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
