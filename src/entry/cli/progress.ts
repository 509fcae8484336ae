import type { ScoreProgress } from '../../use-cases/score-folder.ts';
import type { CliStream } from './command.ts';

const formatDuration = (ms: number): string => {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m` : s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`;
};

/** One status line: done/total, rate, ETA, spend and failures. */
export function progressText(p: ScoreProgress, barWidth = 24): string {
  const share = p.total ? p.done / p.total : 1;
  const filled = Math.round(share * barWidth);
  const rate = p.elapsedMs > 0 ? (p.done * 1000) / p.elapsedMs : 0;
  const eta = rate > 0 ? ((p.total - p.done) / rate) * 1000 : Number.POSITIVE_INFINITY;
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
  return `${bar} ${p.done}/${p.total} ${rate.toFixed(1)}/s ETA ${p.done === p.total ? '0s' : formatDuration(eta)} $${p.costUsd.toFixed(4)} failed ${p.failed}`;
}

/**
 * On a terminal, a bar redrawn in place (at most 10 times a second); otherwise a plain log line
 * every few seconds, so CI logs and files stay readable.
 */
export function progressReporter(stream: CliStream, intervalMs = 5000): { update(p: ScoreProgress): void; finish(): void } {
  let last = 0;
  let latest: ScoreProgress | null = null;
  const tty = stream.isTTY === true;
  return {
    update(p) {
      latest = p;
      const now = Date.now();
      if (now - last < (tty ? 100 : intervalMs) && p.done !== p.total) return;
      last = now;
      stream.write(tty ? `\r${progressText(p)}\x1b[K` : `${new Date().toISOString()} ${progressText(p)}\n`);
    },
    finish() {
      if (!latest) return;
      stream.write(tty ? `\r${progressText(latest)}\x1b[K\n` : `${new Date().toISOString()} ${progressText(latest)}\n`);
    },
  };
}
