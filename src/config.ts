import { z } from 'zod';

/** Environment variables chartlens reads, with their defaults. The README's table mirrors this. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  CHARTLENS_DATA_DIR: z.string().min(1).default('./data'),
  /** Largest accepted JSON/CSV request body, in bytes. 10,000 candles of JSON is about 1 MB. */
  CHARTLENS_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
  CHARTLENS_LOG: z.enum(['silent', 'info']).default('info'),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  maxBodyBytes: number;
  log: 'silent' | 'info';
};

/** Parse the environment once at start-up; a bad value stops the process with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.CHARTLENS_DATA_DIR,
    maxBodyBytes: e.CHARTLENS_MAX_BODY_BYTES,
    log: e.CHARTLENS_LOG,
  };
}
