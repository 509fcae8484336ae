import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { openApiDocument } from '../openapi-document.ts';

const here = dirname(fileURLToPath(import.meta.url));
const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The swagger-ui-dist files the page loads; nothing else of the package is served. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css',
  'index.css': 'text/css',
  'swagger-ui-bundle.js': 'text/javascript',
  'swagger-ui-standalone-preset.js': 'text/javascript',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/**
 * GET /openapi.json and the interactive docs at GET /docs (Swagger UI from the local
 * swagger-ui-dist package; no CDN, no inline script).
 */
export function docsRoutes(): Router {
  const router = Router();
  const indexHtml = readFileSync(join(here, '../docs/index.html'), 'utf8');
  const initializer = readFileSync(join(here, '../docs/swagger-initializer.js'), 'utf8');

  router.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  router.get('/docs', (_req, res) => {
    res.type('text/html').set('Cache-Control', 'no-cache').send(indexHtml);
  });
  router.get('/docs/swagger-initializer.js', (_req, res) => {
    res.type('text/javascript').send(initializer);
  });
  router.get('/docs/assets/:file', (req, res, next) => {
    const type = Object.hasOwn(ASSETS, req.params.file) ? ASSETS[req.params.file] : undefined;
    if (!type) return next();
    res.sendFile(join(swaggerDir, req.params.file), { headers: { 'Content-Type': type }, maxAge: '1d' }, (err) => {
      if (err) next(err);
    });
  });
  return router;
}
