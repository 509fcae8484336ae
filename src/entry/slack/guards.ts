import { type Logger, LogLevel } from '@slack/logger';

/** Remembers ids for a while so a retried or duplicated event is handled once. */
export class SeenIds {
  private readonly seen = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(ttlMs = 10 * 60_000, now: () => number = Date.now) {
    this.ttlMs = ttlMs;
    this.now = now;
  }

  /** True the first time an id is offered within the TTL; false for repeats. */
  firstTime(id: string): boolean {
    const t = this.now();
    for (const [k, at] of this.seen) {
      if (t - at <= this.ttlMs) break;
      this.seen.delete(k);
    }
    if (this.seen.has(id)) return false;
    this.seen.set(id, t);
    return true;
  }
}

/** At most `limit` requests per user in any `windowMs`. */
export class PerUserLimit {
  private readonly hits = new Map<string, number[]>();
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(limit: number, windowMs: number, now: () => number = Date.now) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.now = now;
  }

  /** Returns 0 when allowed (and counts it), else the ms until the next request is allowed. */
  take(user: string): number {
    const t = this.now();
    const recent = (this.hits.get(user) ?? []).filter((at) => t - at < this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(user, recent);
      return this.windowMs - (t - recent[0]);
    }
    recent.push(t);
    this.hits.set(user, recent);
    return 0;
  }
}

const SECRET_PATTERNS = [/xox[abposr]-[A-Za-z0-9-]+/g, /xapp-[A-Za-z0-9-]+/g, /Bearer\s+[A-Za-z0-9._~+/=-]+/gi];

/** Replace tokens (and any extra secrets given) with a marker. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  for (const p of SECRET_PATTERNS) out = out.replace(p, '[redacted]');
  return out;
}

const show = (m: unknown): string => {
  if (typeof m === 'string') return m;
  if (m instanceof Error) return `${m.name}: ${m.message}`;
  try {
    return JSON.stringify(m);
  } catch {
    return String(m);
  }
};

/** A Bolt logger that never writes a token: every message passes through `redact`. */
export class RedactingLogger implements Logger {
  private level: LogLevel = LogLevel.INFO;
  private name = 'chartlens-slack';
  private readonly secrets: readonly string[];
  private readonly write: (line: string) => void;

  constructor(secrets: readonly string[], write: (line: string) => void = (l) => console.error(l)) {
    this.secrets = secrets;
    this.write = write;
  }

  private out(level: LogLevel, order: number, msg: unknown[]): void {
    const current = [LogLevel.DEBUG, LogLevel.INFO, LogLevel.WARN, LogLevel.ERROR].indexOf(this.level);
    if (order < current) return;
    this.write(redact(`[${level.toUpperCase()}] ${this.name} ${msg.map(show).join(' ')}`, this.secrets));
  }

  debug(...msg: unknown[]): void {
    this.out(LogLevel.DEBUG, 0, msg);
  }
  info(...msg: unknown[]): void {
    this.out(LogLevel.INFO, 1, msg);
  }
  warn(...msg: unknown[]): void {
    this.out(LogLevel.WARN, 2, msg);
  }
  error(...msg: unknown[]): void {
    this.out(LogLevel.ERROR, 3, msg);
  }
  setLevel(level: LogLevel): void {
    this.level = level;
  }
  getLevel(): LogLevel {
    return this.level;
  }
  setName(name: string): void {
    this.name = name;
  }
}
