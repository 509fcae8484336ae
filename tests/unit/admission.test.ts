/**
 * The admission queue with fake tasks and a fake clock: the cap, FIFO order, a bounded queue that
 * refuses, the wait limit, a client that leaves the queue, the Retry-After estimate; and the
 * server's default limits from the configuration. No real time passes in these tests.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, test } from 'node:test';
import { defaultWorkers, loadConfig } from '../../src/composition/config.ts';
import { type AdmissionClock, type AdmissionLimits, AdmissionQueue, AdmissionRefused } from '../../src/entry/http/admission.ts';

/** Time that moves only when the test says so. */
class FakeClock implements AdmissionClock {
  t = 0;
  private timers: { at: number; fn: () => void; live: boolean }[] = [];

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + ms, fn, live: true };
    this.timers.push(timer);
    return () => {
      timer.live = false;
    };
  }

  /** Move time on, firing the timers that fall due, oldest first. */
  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((x) => x.live && x.at <= this.t).sort((a, b) => a.at - b.at);
    for (const timer of due) {
      timer.live = false;
      timer.fn();
    }
  }

  get pending(): number {
    return this.timers.filter((x) => x.live).length;
  }
}

/** A fake task: asks for a slot and records what became of it. */
interface Task {
  name: string;
  state: 'waiting' | 'running' | 'refused';
  error: AdmissionRefused | null;
  release: () => void;
}

/** Let the queue's promise callbacks run (no timers involved). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function harness(limits: Partial<AdmissionLimits> = {}) {
  const clock = new FakeClock();
  const queue = new AdmissionQueue({ maxInFlight: 2, maxQueued: 4, queueTimeoutMs: 10_000, ...limits }, clock);
  const started: string[] = [];
  const start = (name: string, signal?: AbortSignal): Task => {
    const task: Task = { name, state: 'waiting', error: null, release: () => assert.fail(`${name} was never admitted`) };
    queue.enter(signal).then(
      (release) => {
        task.state = 'running';
        task.release = release;
        started.push(name);
      },
      (err: unknown) => {
        task.state = 'refused';
        task.error = err as AdmissionRefused;
      },
    );
    return task;
  };
  return { clock, queue, started, start };
}

describe('the admission queue', () => {
  test('when a holder lends its slot for a wait, then the next waiter runs, and the holder takes it back ahead of newer waiters', async () => {
    const { queue, start, started } = harness({ maxInFlight: 1, maxQueued: 4 });
    const a = start('a');
    const b = start('b');
    await settle();
    assert.deepEqual(started, ['a']);
    let answer!: (v: string) => void;
    const lent = queue.lend(() => new Promise<string>((resolve) => (answer = resolve)));
    await settle();
    assert.deepEqual(started, ['a', 'b'], 'b got the lent slot');
    assert.equal(queue.counters().inFlight, 1);
    const c = start('c');
    await settle();
    answer('model answer');
    await settle();
    // a's wait is over, but b holds the only slot: a waits, ahead of c.
    let aBack = false;
    void lent.then(() => (aBack = true));
    await settle();
    assert.equal(aBack, false);
    b.release();
    await settle();
    assert.equal(aBack, true, 'a took the slot back first');
    assert.equal(await lent, 'model answer');
    assert.equal(c.state, 'waiting');
    a.release();
    await settle();
    assert.equal(c.state, 'running');
    c.release();
    assert.deepEqual(queue.counters(), { inFlight: 0, queued: 0, rejected: 0 });
  });

  test('when more tasks ask than the cap, then only the cap runs and the rest wait', async () => {
    const { queue, start } = harness({ maxInFlight: 2 });
    const tasks = ['a', 'b', 'c', 'd'].map((n) => start(n));
    await settle();
    assert.deepEqual(tasks.map((t) => t.state), ['running', 'running', 'waiting', 'waiting']);
    assert.deepEqual(queue.counters(), { inFlight: 2, queued: 2, rejected: 0 });
  });

  test('when slots come free, then the waiting tasks start in the order they came (FIFO), never above the cap', async () => {
    const { queue, started, start } = harness({ maxInFlight: 1, maxQueued: 10 });
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((n) => start(n));
    await settle();
    for (let i = 0; i < tasks.length; i++) {
      assert.equal(queue.counters().inFlight, 1);
      assert.equal(tasks[i].state, 'running');
      tasks[i].release();
      await settle();
    }
    assert.deepEqual(started, ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(queue.counters(), { inFlight: 0, queued: 0, rejected: 0 });
  });

  test('when a task releases twice, then only one slot is given back', async () => {
    const { queue, start } = harness({ maxInFlight: 1, maxQueued: 10 });
    const [a, b, c] = ['a', 'b', 'c'].map((n) => start(n));
    await settle();
    a.release();
    a.release();
    await settle();
    assert.deepEqual([b.state, c.state], ['running', 'waiting']);
    assert.equal(queue.counters().inFlight, 1);
  });

  test('when the queue is full, then the next task is refused at once (queue_full), counted, with a Retry-After of at least 1 s', async () => {
    const { queue, start } = harness({ maxInFlight: 1, maxQueued: 1 });
    const [a, b, c] = ['a', 'b', 'c'].map((n) => start(n));
    await settle();
    assert.deepEqual([a.state, b.state, c.state], ['running', 'waiting', 'refused']);
    assert.ok(c.error instanceof AdmissionRefused);
    assert.equal(c.error.reason, 'queue_full');
    assert.ok(c.error.retryAfterSeconds >= 1);
    assert.deepEqual(queue.counters(), { inFlight: 1, queued: 1, rejected: 1 });
  });

  test('when there is no queue (maxQueued 0), then a task beyond the cap is refused at once', async () => {
    const { queue, start } = harness({ maxInFlight: 1, maxQueued: 0 });
    const [a, b] = ['a', 'b'].map((n) => start(n));
    await settle();
    assert.deepEqual([a.state, b.state], ['running', 'refused']);
    assert.equal(b.error?.reason, 'queue_full');
    assert.equal(queue.counters().rejected, 1);
  });

  test('when a task waits longer than the wait limit, then it is refused (queue_timeout) and the ones behind it move up', async () => {
    const { clock, queue, start } = harness({ maxInFlight: 1, maxQueued: 3, queueTimeoutMs: 1000 });
    const a = start('a');
    const b = start('b');
    clock.advance(500);
    const c = start('c');
    await settle();
    clock.advance(499);
    await settle();
    assert.deepEqual([a.state, b.state, c.state], ['running', 'waiting', 'waiting']);
    clock.advance(1);
    await settle();
    assert.equal(b.state, 'refused');
    assert.equal(b.error?.reason, 'queue_timeout');
    assert.deepEqual(queue.counters(), { inFlight: 1, queued: 1, rejected: 1 });
    a.release();
    await settle();
    assert.equal(c.state, 'running');
    // c's wait timer was cancelled when it was admitted: nothing fires later.
    clock.advance(10_000);
    await settle();
    assert.equal(c.state, 'running');
    assert.equal(queue.counters().rejected, 1);
    assert.equal(clock.pending, 0);
  });

  test('when a waiting client leaves (its signal aborts), then it leaves the queue, is not counted as rejected, and never runs', async () => {
    const { clock, queue, started, start } = harness({ maxInFlight: 1, maxQueued: 3 });
    const a = start('a');
    const gone = new AbortController();
    const b = start('b', gone.signal);
    const c = start('c');
    await settle();
    assert.equal(queue.counters().queued, 2);
    gone.abort();
    await settle();
    assert.equal(b.state, 'refused');
    assert.equal(b.error?.reason, 'aborted');
    assert.deepEqual(queue.counters(), { inFlight: 1, queued: 1, rejected: 0 });
    a.release();
    await settle();
    assert.equal(c.state, 'running');
    assert.deepEqual(started, ['a', 'c']);
    // b's wait timer went with it.
    assert.equal(clock.pending, 0);
  });

  test('when a signal has already aborted, then the task is not queued at all', async () => {
    const { queue, start } = harness({ maxInFlight: 1 });
    start('a');
    const b = start('b', AbortSignal.abort());
    await settle();
    assert.equal(b.error?.reason, 'aborted');
    assert.deepEqual(queue.counters(), { inFlight: 1, queued: 0, rejected: 0 });
  });

  test('when an admitted task is aborted later, then nothing changes (the slot is given back by release only)', async () => {
    const { queue, start } = harness({ maxInFlight: 1 });
    const gone = new AbortController();
    const a = start('a', gone.signal);
    await settle();
    gone.abort();
    await settle();
    assert.equal(a.state, 'running');
    assert.equal(queue.counters().inFlight, 1);
  });

  test('when tasks have taken 4 s each, then Retry-After is the queue ahead drained at the cap: (queued + 1) / cap x 4 s', async () => {
    const { clock, queue, start } = harness({ maxInFlight: 2, maxQueued: 3 });
    assert.equal(queue.retryAfterSeconds(), 1, 'no history yet: the floor');
    const first = [start('a'), start('b')];
    await settle();
    clock.advance(4000);
    for (const t of first) t.release();
    await settle();
    const tasks = ['c', 'd', 'e', 'f', 'g', 'h'].map((n) => start(n));
    await settle();
    // 2 running, 3 queued: a newcomer waits for 3 + 1 tasks at 2 at a time, 4 s each = 8 s.
    assert.equal(queue.retryAfterSeconds(), 8);
    const refused = tasks.find((t) => t.state === 'refused');
    assert.equal(refused?.error?.retryAfterSeconds, 8);
  });

  test('when the cap is 0, then every task runs at once and is still counted', async () => {
    const { queue, start } = harness({ maxInFlight: 0, maxQueued: 0 });
    const tasks = Array.from({ length: 50 }, (_, i) => start(String(i)));
    await settle();
    assert.ok(tasks.every((t) => t.state === 'running'));
    assert.deepEqual(queue.counters(), { inFlight: 50, queued: 0, rejected: 0 });
  });
});

describe('the admission and worker defaults of the configuration', () => {
  test('when nothing is set, then the server pool has a thread per core and the cap is 2 per thread, 64 queued, 10 s wait', () => {
    const cores = Math.max(1, availableParallelism());
    const c = loadConfig({});
    assert.equal(defaultWorkers(), Math.min(64, cores));
    assert.equal(c.workers, Math.min(64, cores));
    assert.deepEqual(c.admission, { maxInFlight: 2 * c.workers, maxQueued: 64, queueTimeoutMs: 10_000 });
  });

  test('when CHARTLENS_WORKERS=0, then facts and charts stay on the main thread (debugging) and the cap is 2', () => {
    const c = loadConfig({ CHARTLENS_WORKERS: '0' });
    assert.equal(c.workers, 0);
    assert.equal(c.admission.maxInFlight, 2);
  });

  test('when the limits are set, then they are taken as given (CHARTLENS_MAX_INFLIGHT=0: no cap)', () => {
    const c = loadConfig({ CHARTLENS_WORKERS: '3', CHARTLENS_MAX_INFLIGHT: '0', CHARTLENS_MAX_QUEUED: '0', CHARTLENS_QUEUE_TIMEOUT_MS: '250' });
    assert.equal(c.workers, 3);
    assert.deepEqual(c.admission, { maxInFlight: 0, maxQueued: 0, queueTimeoutMs: 250 });
    assert.equal(loadConfig({ CHARTLENS_WORKERS: '3' }).admission.maxInFlight, 6);
  });

  test('when a limit is wrong, then start-up fails naming the variable', () => {
    assert.throws(() => loadConfig({ CHARTLENS_MAX_INFLIGHT: '-1' }), /CHARTLENS_MAX_INFLIGHT/);
    assert.throws(() => loadConfig({ CHARTLENS_MAX_QUEUED: 'many' }), /CHARTLENS_MAX_QUEUED/);
    assert.throws(() => loadConfig({ CHARTLENS_QUEUE_TIMEOUT_MS: '0' }), /CHARTLENS_QUEUE_TIMEOUT_MS/);
    assert.throws(() => loadConfig({ CHARTLENS_WORKERS: '65' }), /CHARTLENS_WORKERS/);
  });
});
