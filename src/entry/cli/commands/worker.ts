import { Flags } from '../args.ts';
import type { Command } from '../command.ts';
import { usageError } from '../failure.ts';
import { untilSignal } from '../until-signal.ts';

/** `chartlens worker`: runs queued analyses (POST /v1/jobs) from the PostgreSQL queue until SIGINT/SIGTERM. */
export const command: Command = {
  name: 'worker',
  usage: 'chartlens worker [--concurrency N]',
  description: [
    'Runs the jobs of the queue that POST /v1/jobs fills: analyses (with their retries, dead letters',
    'and callbacks), on any machine that reaches the database. Start as many as you like beside one or',
    'more servers; each job runs once. It needs DATABASE_URL: the embedded PGlite queue lives inside the',
    'server process, whose own workers (CHARTLENS_JOB_WORKERS) run its jobs.',
  ].join('\n'),
  options: {
    concurrency: { type: 'string', value: 'N', shows: 'CHARTLENS_JOB_WORKERS if above 0, else 2', help: 'analyses run at once in this process' },
  },
  notes: [
    'environment (see the README, "Jobs and workers"):',
    '  DATABASE_URL                     required  the PostgreSQL of the servers (queue and store)',
    '  CHARTLENS_QUEUE_SCHEMA           chartlens_jobs  the schema of the queue',
    '  CHARTLENS_JOB_RETRIES            3         tries in all before a job is dead-lettered as failed',
    '  CHARTLENS_JOB_RETRY_DELAY_SECONDS 5        the first retry wait (it doubles)',
    '  CHARTLENS_JOB_HEARTBEAT_SECONDS  30        a job whose worker goes silent this long is retried',
    '  CHARTLENS_CALLBACK_SECRET        unset     signs the callbacks (the servers must share it)',
    'Stop it with SIGTERM or SIGINT: running analyses get 10 s to finish; unfinished ones are retried.',
  ].join('\n'),
  async run(args, io) {
    const f = new Flags(command, args);
    if (args.positionals.length > 0) throw usageError('worker takes no arguments');
    const [{ loadConfig }, { buildServices }, { exitOnFatalErrors }] = await Promise.all([
      import('../../../composition/config.ts'),
      import('../../../composition/root.ts'),
      import('../../../composition/server.ts'),
    ]);
    const config = loadConfig(io.env);
    if (!config.databaseUrl) {
      throw usageError('chartlens worker needs DATABASE_URL (PostgreSQL): the embedded PGlite queue lives inside one process, so there `chartlens serve` runs the jobs itself (CHARTLENS_JOB_WORKERS)');
    }
    const concurrency = f.int('concurrency', { min: 1, max: 64 }) ?? (config.jobs.workers > 0 ? config.jobs.workers : 2);
    const services = await buildServices(config, { jobs: { workers: concurrency, instanceName: 'chartlens-worker' } });
    exitOnFatalErrors((msg) => io.stderr.write(`${msg}\n`));
    try {
      await services.jobs.start();
      services.log(`chartlens worker: ${concurrency} at once, ${services.jobs.description} (Node ${process.version})`);
      await untilSignal();
    } finally {
      // A running analysis that does not finish in time is failed by the queue and retried elsewhere.
      setTimeout(() => process.exit(0), 15_000).unref();
      await services.close();
    }
    return 0;
  },
};
