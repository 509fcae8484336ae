/**
 * A fake callback receiver on 127.0.0.1 (random port), for the jobs' callbackUrl: it records every
 * POST with its raw body and headers, and can be told to fail the next deliveries (a receiver that
 * is down for a while) so the retries can be seen.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One delivery as it arrived. */
export interface ReceivedCallback {
  path: string;
  headers: IncomingHttpHeaders;
  /** The body bytes exactly as sent: what the signature is computed over. */
  raw: Buffer;
  /** The body parsed as JSON (null when it is not JSON). */
  body: unknown;
  /** The status this receiver answered with. */
  answered: number;
  at: number;
}

export interface FakeCallbackReceiver {
  /** `http://127.0.0.1:{port}`; any path is accepted. */
  url: string;
  received: ReceivedCallback[];
  /** Answer the next `n` deliveries with `status` (default 503), then 200 again. */
  failNext(n: number, status?: number): void;
  /** Resolves once `count` deliveries matching `match` have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, o?: { match?: (c: ReceivedCallback) => boolean; timeoutMs?: number }): Promise<ReceivedCallback[]>;
  close(): Promise<void>;
}

export async function startFakeCallback(): Promise<FakeCallbackReceiver> {
  const received: ReceivedCallback[] = [];
  let failures: { left: number; status: number } = { left: 0, status: 503 };
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: unknown = null;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        // Not JSON: kept as null; a test that expects JSON fails on it.
      }
      const status = failures.left > 0 ? failures.status : 200;
      if (failures.left > 0) failures = { ...failures, left: failures.left - 1 };
      received.push({ path: req.url ?? '/', headers: req.headers, raw, body, answered: status, at: Date.now() });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'down');
      for (const w of waiters) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    failNext(n, status = 503) {
      failures = { left: n, status };
    },
    waitFor(count, o = {}) {
      const match = o.match ?? (() => true);
      const hits = (): ReceivedCallback[] => received.filter(match);
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (hits().length < count) return;
          cleanup();
          resolve(hits());
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`waited ${o.timeoutMs ?? 20_000} ms for ${count} callback(s); got ${hits().length}`));
        }, o.timeoutMs ?? 20_000);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
