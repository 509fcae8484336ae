import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * How much lower than the main thread the prepare threads run (a nice value). Under contention the
 * main thread, which answers every request (/healthz included), then gets the CPU first; on idle
 * cores the threads run at full speed all the same. Measured with bench/admission.ts on 2 cores:
 * /healthz p50 during the burst fell from 20-170 ms to 3-7 ms.
 */
export const PREPARE_THREAD_NICE = 10;

/**
 * Lower the OS priority of the calling thread only. On Linux a thread is a task with its own id
 * (/proc/thread-self names it) and setpriority(2) on that id changes that thread alone. Elsewhere,
 * or when refused, nothing changes: this is an optimisation, never a reason to fail.
 */
export function lowerThisThreadPriority(nice = PREPARE_THREAD_NICE): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0 || tid === process.pid) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
