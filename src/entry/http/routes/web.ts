import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type NextFunction, type Response, Router } from 'express';

/** The page's own files, at the repository root (src/entry/http/routes -> web/). */
const webDir = fileURLToPath(new URL('../../../../web/', import.meta.url));
const chartsDir = join(dirname(createRequire(import.meta.url).resolve('lightweight-charts/package.json')), 'dist');

/** The files of web/ the page loads, by name; nothing else is served. */
const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'chart.js': 'text/javascript; charset=utf-8',
  'csv.js': 'text/javascript; charset=utf-8',
  'dom.js': 'text/javascript; charset=utf-8',
  'format.js': 'text/javascript; charset=utf-8',
  'history.js': 'text/javascript; charset=utf-8',
  'input.js': 'text/javascript; charset=utf-8',
  'render.js': 'text/javascript; charset=utf-8',
  'styles.css': 'text/css; charset=utf-8',
  'favicon.png': 'image/png',
};

/** Third-party files the page loads, by the name it asks for, from their packages (no CDN). */
const VENDOR: Record<string, { file: string; type: string }> = {
  'lightweight-charts.js': { file: join(chartsDir, 'lightweight-charts.standalone.production.js'), type: 'text/javascript; charset=utf-8' },
};

/** Send one file; a missing one is a 404 (the JSON not-found answer), anything else an error. */
function send(res: Response, next: NextFunction, path: string, headers: Record<string, string>, maxAge = 0): void {
  res.sendFile(path, { headers, maxAge, dotfiles: 'deny' }, (err?: NodeJS.ErrnoException) => {
    if (!err) return;
    if (err.code === 'ENOENT' || err.code === 'EISDIR') next();
    else next(err);
  });
}

/**
 * The web page: GET / (web/index.html, whatever the query: a deep link such as
 * /?symbol=AAPL&timeframe=1d&source=yahoo is read by the page itself), its scripts and styles at
 * /assets/{file} and the vendored chart library at /assets/vendor/{file}. A fixed allow-list,
 * so no path from a request ever reaches the file system; no inline script, no CDN.
 */
export function webRoutes(): Router {
  const router = Router();
  router.get('/', (_req, res, next) => {
    send(res, next, join(webDir, 'index.html'), { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' });
  });
  router.get('/assets/:file', (req, res, next) => {
    const type = Object.hasOwn(ASSETS, req.params.file) ? ASSETS[req.params.file] : undefined;
    if (!type) return next();
    // The files are not content-hashed: revalidate (ETag) on every load.
    send(res, next, join(webDir, req.params.file), { 'Content-Type': type, 'Cache-Control': 'no-cache' });
  });
  router.get('/assets/vendor/:file', (req, res, next) => {
    const asset = Object.hasOwn(VENDOR, req.params.file) ? VENDOR[req.params.file] : undefined;
    if (!asset) return next();
    send(res, next, asset.file, { 'Content-Type': asset.type }, 24 * 60 * 60 * 1000);
  });
  return router;
}
