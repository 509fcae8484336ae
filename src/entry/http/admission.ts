import type { RequestHandler, Response } from 'express';
import type { ErrorCode } from '../../core/errors.ts';
import { httpStatus } from './http-status.ts';

/**
 * Admission control for the expensive routes: at most `maxInFlight` requests are worked on at
 * once, up to `maxQueued` more wait in FIFO order (each at most `queueTimeoutMs`), and anything
 * beyond is refused at once with 503 `overloaded` and a Retry-After. A request whose client goes
 * away while it waits leaves the queue. The queue is a small class with an injectable clock (the
 * unit tests drive it with fake time); the middleware below puts it in front of a route.
 */
export interface AdmissionLimits {
  /** Requests worked on at once; 0: no cap (every request is admitted at once, still counted). */
  maxInFlight: number;
  /** Requests that may wait behind the cap; 0: none (beyond the cap is refused at once). */
  maxQueued: number;
  /** The longest a request waits for a slot before it is refused. */
  queueTimeoutMs: number;
}

/** What /readyz (or a metrics endpoint) reports. `rejected` counts since start: full queue and waits too long. */
export interface AdmissionCounters {
  inFlight: number;
  queued: number;
  rejected: number;
}

/** The time source of the queue: the real clock, or a fake one in the unit tests. */
export interface AdmissionClock {
  now(): number;
  /** Calls `fn` after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: AdmissionClock = {
  now: () => performance.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** Why a request was not admitted. `aborted`: its client left while it waited (nobody to answer). */
export class AdmissionRefused extends Error {
  readonly reason: 'queue_full' | 'queue_timeout' | 'aborted';
  readonly retryAfterSeconds: number;

  constructor(reason: AdmissionRefused['reason'], retryAfterSeconds: number) {
    super(reason === 'queue_full' ? 'the admission queue is full' : reason === 'queue_timeout' ? 'waited too long for a slot' : 'the client left while waiting');
    this.name = 'AdmissionRefused';
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

interface Waiter {
  admit: (release: () => void) => void;
  cancelTimer: () => void;
  dropAbort: () => void;
}

/** Seconds a refused client is told to wait: never less than this, never more than the cap. */
const RETRY_AFTER_MIN_S = 1;
const RETRY_AFTER_MAX_S = 120;
/** Weight of the newest service time in the running mean (an exponential moving average). */
const SERVICE_EWMA = 0.2;

/** The cap, the FIFO queue behind it, and the counters. */
export class AdmissionQueue {
  private readonly limits: AdmissionLimits;
  private readonly clock: AdmissionClock;
  private readonly waiting: Waiter[] = [];
  /** Holders taking their slot back after a wait (see `lend`): served before the queue. */
  private readonly resuming: (() => void)[] = [];
  private running = 0;
  private refused = 0;
  /** Mean time from admission to release of recent requests, in ms; null until one has finished. */
  private serviceMs: number | null = null;

  constructor(limits: AdmissionLimits, clock: AdmissionClock = systemClock) {
    this.limits = limits;
    this.clock = clock;
  }

  private get cap(): number {
    return this.limits.maxInFlight > 0 ? this.limits.maxInFlight : Number.POSITIVE_INFINITY;
  }

  counters(): AdmissionCounters {
    return { inFlight: this.running, queued: this.waiting.length, rejected: this.refused };
  }

  /**
   * The wait a newcomer would see: the queue ahead of it (plus itself) drained `maxInFlight` at a
   * time, each taking the recent mean service time. In whole seconds, at least 1.
   */
  retryAfterSeconds(): number {
    const perSlotMs = this.serviceMs ?? 0;
    const slots = Number.isFinite(this.cap) ? this.cap : 1;
    const waitMs = ((this.waiting.length + 1) / slots) * perSlotMs;
    return Math.min(RETRY_AFTER_MAX_S, Math.max(RETRY_AFTER_MIN_S, Math.ceil(waitMs / 1000)));
  }

  /**
   * A slot: at once when one is free, else after the requests queued before this one. Resolves
   * with the function that gives the slot back (call it once the work is done; later calls do
   * nothing). Rejects with AdmissionRefused when the queue is full, the wait passes
   * `queueTimeoutMs`, or `signal` aborts while waiting (the request leaves the queue).
   */
  enter(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new AdmissionRefused('aborted', this.retryAfterSeconds()));
    if (this.running < this.cap && this.waiting.length === 0) return Promise.resolve(this.admit());
    if (this.waiting.length >= this.limits.maxQueued) {
      this.refused++;
      return Promise.reject(new AdmissionRefused('queue_full', this.retryAfterSeconds()));
    }
    return new Promise((resolve, reject) => {
      const leave = (reason: 'queue_timeout' | 'aborted'): void => {
        const i = this.waiting.indexOf(waiter);
        if (i < 0) return;
        this.waiting.splice(i, 1);
        waiter.cancelTimer();
        waiter.dropAbort();
        if (reason === 'queue_timeout') this.refused++;
        reject(new AdmissionRefused(reason, this.retryAfterSeconds()));
      };
      const onAbort = (): void => leave('aborted');
      const waiter: Waiter = {
        admit: resolve,
        cancelTimer: this.clock.after(this.limits.queueTimeoutMs, () => leave('queue_timeout')),
        dropAbort: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /**
   * Give a held slot up while `work` waits on I/O (a model's answer), and take it back when it is
   * done, ahead of every queued newcomer and without a timeout: the holder's work is half done, and
   * refusing it now would waste what it cost. The holder's release works as before.
   */
  async lend<T>(work: () => Promise<T>): Promise<T> {
    this.running--;
    this.next();
    try {
      return await work();
    } finally {
      if (this.running < this.cap && this.resuming.length === 0) this.running++;
      else await new Promise<void>((resume) => this.resuming.push(resume));
    }
  }

  private admit(): () => void {
    this.running++;
    const since = this.clock.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      const took = this.clock.now() - since;
      this.serviceMs = this.serviceMs === null ? took : this.serviceMs + SERVICE_EWMA * (took - this.serviceMs);
      this.next();
    };
  }

  /** Hand free slots to the oldest waiters. */
  private next(): void {
    while (this.running < this.cap && this.resuming.length > 0) {
      this.running++;
      (this.resuming.shift() as () => void)();
    }
    while (this.running < this.cap && this.waiting.length > 0) {
      const waiter = this.waiting.shift() as Waiter;
      waiter.cancelTimer();
      waiter.dropAbort();
      waiter.admit(this.admit());
    }
  }
}

/**
 * A slot whose client left before the answer is held until the handler answers anyway (its work
 * goes on: that is what the cap counts); past this, it is given back even if no answer came.
 */
const ABANDONED_SLOT_MS = 120_000;

/** Give the slot back when the handler has answered (res.end), not merely when the client has gone. */
function releaseWhenAnswered(res: Response, release: () => void, clock: AdmissionClock): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  let cancelFallback: (() => void) | null = null;
  const done = (): void => {
    cancelFallback?.();
    release();
  };
  res.end = ((...args: unknown[]) => {
    done();
    return end(...args);
  }) as Response['end'];
  res.once('close', () => {
    if (!res.writableEnded) cancelFallback = clock.after(ABANDONED_SLOT_MS, release);
  });
}

const OVERLOADED: ErrorCode = 'overloaded';

/**
 * The 503 answer, in the one error shape ({error: {code, message, details}}), written here rather
 * than by the error handler: a refusal is expected under load, not a failure to log, and a burst
 * sheds hundreds of them at once, so each is one plain write (no Error, no ETag, no content
 * negotiation) to keep the main thread free for the requests it does serve.
 */
function refuse(res: Response, err: AdmissionRefused, { inFlight, queued }: AdmissionCounters): void {
  const why = err.reason === 'queue_full' ? `${inFlight} requests are being worked on and ${queued} are waiting` : 'no slot came free in time';
  const body = JSON.stringify({ error: { code: OVERLOADED, message: `The server is overloaded: ${why}. Retry after ${err.retryAfterSeconds} s.`, details: [] } });
  res.writeHead(httpStatus(OVERLOADED), {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Retry-After': String(err.retryAfterSeconds),
  });
  res.end(body);
}

/**
 * The middleware: waits for a slot before the body is read (a queued request costs no parsing),
 * answers 503 `overloaded` with Retry-After when refused, and drops a queued request whose client
 * disconnects.
 */
export function admissionControl(queue: AdmissionQueue, clock: AdmissionClock = systemClock): RequestHandler {
  return (_req, res, next) => {
    const left = new AbortController();
    const onClose = (): void => left.abort();
    res.once('close', onClose);
    queue.enter(left.signal).then(
      (release) => {
        res.off('close', onClose);
        if (left.signal.aborted) {
          release();
          return;
        }
        releaseWhenAnswered(res, release, clock);
        // The route hands this to the use case: a model's wait holds no slot.
        res.locals.whileWaiting = <T>(work: () => Promise<T>) => queue.lend(work);
        next();
      },
      (err: unknown) => {
        res.off('close', onClose);
        if (!(err instanceof AdmissionRefused)) {
          next(err);
          return;
        }
        if (err.reason === 'aborted') return;
        refuse(res, err, queue.counters());
      },
    );
  };
}
