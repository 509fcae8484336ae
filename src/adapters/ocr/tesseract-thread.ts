/**
 * The OCR worker thread's entry: tesseract.js's own node worker script, with two guards the stock
 * script lacks. tesseract.js never settles `createWorker` when loading the language data or
 * initialising the engine fails, and the thread it spawned is out of our reach, so it would keep
 * the process alive for ever; here the thread ends itself after reporting such a failure (the
 * parent sees it through `errorHandler`), and sends nothing after it (a failed `initialize`
 * also resolves its job, and the parent's listener throws an uncaught TypeError on that). An exception nothing caught also ends the thread
 * instead of surfacing as an 'error' event the parent may not be listening to yet.
 */
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

const STARTUP_ACTIONS = new Set(['load', 'loadLanguage', 'initialize']);

function isStartupFailure(message: unknown): boolean {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as { status?: unknown; action?: unknown };
  return m.status === 'reject' && typeof m.action === 'string' && STARTUP_ACTIONS.has(m.action);
}

if (parentPort) {
  const port = parentPort;
  const post = port.postMessage.bind(port);
  let failed = false;
  port.postMessage = (message: unknown, transfer?: Parameters<typeof post>[1]): void => {
    // After a failed start nothing more goes out: tesseract.js's `initialize` goes on to resolve
    // the job it just rejected, and the parent's listener throws on the unknown job.
    if (failed) return;
    post(message, transfer);
    if (isStartupFailure(message)) {
      failed = true;
      setImmediate(() => process.exit(1));
    }
  };
}

process.on('uncaughtException', () => process.exit(1));
process.on('unhandledRejection', () => process.exit(1));

createRequire(import.meta.url)('tesseract.js/src/worker-script/node/index.js');
