/**
 * GET /openapi.json and GET /docs: the document describes every route the app serves, every error
 * code and status, and its examples are requests the server accepts; the docs page is served from
 * local files only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { ROUTES } from '../../src/contracts/openapi.ts';
import { ERROR_CODES, type ErrorCode } from '../../src/core/errors.ts';
import { HTTP_STATUS } from '../../src/entry/http/http-status.ts';
import { type AnalysisApp, startAnalysisApp } from '../helpers/analysis-app.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every (method, path) of a route registered on the app or on a router it mounts. */
function registeredRoutes(app: Express): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const walk = (stack: Json[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods as Record<string, boolean>)) out.push({ method, path: String(layer.route.path) });
      } else if (Array.isArray(layer.handle?.stack)) {
        walk(layer.handle.stack as Json[]);
      }
    }
  };
  walk((app as unknown as { router: { stack: Json[] } }).router.stack);
  return out;
}

const toExpress = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

describe('GET /openapi.json', () => {
  let a: AnalysisApp;
  let doc: Json;

  before(async () => {
    a = await startAnalysisApp();
    const res = await request(a.app).get('/openapi.json').expect(200).expect('Content-Type', /application\/json/);
    doc = res.body as Json;
  });
  after(() => a.close());

  test('is an OpenAPI 3.1 document with paths and components', () => {
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.equal(typeof doc.info.title, 'string');
    assert.equal(typeof doc.info.version, 'string');
    assert.ok(Object.keys(doc.paths).length >= 10);
    assert.ok(doc.components.schemas.ErrorBody);
    assert.ok(doc.components.securitySchemes.bearerAuth);
    // Every $ref points at a component that exists.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      const name = /#\/components\/schemas\/([^"]+)/.exec(ref)?.[1];
      assert.ok(name && doc.components.schemas[name], `dangling ${ref}`);
    }
    for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const [method, op] of Object.entries(item)) {
        assert.ok(METHODS.includes(method as (typeof METHODS)[number]), `${path}: ${method}`);
        assert.ok(Object.keys(op.responses as Json).some((s) => /^2\d\d$/.test(s)), `${method} ${path} documents its success status`);
        assert.ok(op.summary, `${method} ${path} has a summary`);
      }
    }
  });

  test('documents every route the app serves', () => {
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const method of Object.keys(item)) documented.add(`${method} ${toExpress(path)}`);
    }
    const routes = registeredRoutes(a.app);
    assert.ok(routes.length >= 10, `found ${routes.length} routes`);
    for (const { method, path } of routes) {
      if (path.startsWith('/docs/')) continue; // the docs page's own assets
      if (path === '/' || path.startsWith('/assets/')) continue; // the web page and its static files
      assert.ok(documented.has(`${method} ${path}`) || documented.has(`${method} /v1${path}`), `${method.toUpperCase()} ${path} is not in the document`);
    }
    for (const want of ['post /v1/analyze', 'post /v1/render', 'post /v1/indicators', 'post /v1/digitize', 'get /v1/analyses/:id', 'get /v1/analyses/:id/chart.png', 'post /v1/jobs', 'get /v1/jobs/:id', 'delete /v1/jobs/:id', 'get /healthz', 'get /readyz', 'get /openapi.json', 'get /docs']) {
      assert.ok(documented.has(want), want);
    }
  });

  test('every documented path is served (not a 404), its examples included', async () => {
    const analyzeExample = doc.paths['/v1/analyze'].post.requestBody.content['application/json'].example;
    const created = await request(a.app).post('/v1/analyze').send(analyzeExample).expect(200);
    const id = String(created.body.id);
    const jobExample = doc.paths['/v1/jobs'].post.requestBody.content['application/json'].example;
    const job = await request(a.app).post('/v1/jobs').send(jobExample).expect(202);
    const jobId = String(job.body.id);
    for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
      const url = path.replace('{id}', encodeURIComponent(path.startsWith('/v1/jobs/') ? jobId : id)).replace('{source}', 'csv').replace('{symbol}', 'sp500');
      for (const [method, op] of Object.entries(item)) {
        const json = op.requestBody?.content?.['application/json']?.example;
        const form = op.requestBody?.content?.['multipart/form-data'];
        const success = Object.keys(op.responses as Json).find((s) => /^2\d\d$/.test(s));
        let res;
        if (method === 'get') res = await request(a.app).get(url);
        else if (method === 'delete') res = await request(a.app).delete(url);
        else if (json !== undefined) res = await request(a.app).post(url).send(json);
        else if (form) res = await request(a.app).post(url).attach('image', Buffer.from('not an image'), 'chart.png');
        else res = await request(a.app).post(url).send({});
        assert.notEqual(res.status, 404, `${method.toUpperCase()} ${url} answered 404`);
        if (json !== undefined || method === 'get') assert.equal(String(res.status), success, `${method.toUpperCase()} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
        else assert.ok(String(res.status) in op.responses, `${method.toUpperCase()} ${url}: ${res.status} is documented`);
      }
    }
  });

  test('the CSV examples are accepted as text/csv', async () => {
    for (const path of ['/v1/indicators', '/v1/render', '/v1/analyze', '/v1/jobs']) {
      const csv = doc.paths[path].post.requestBody.content['text/csv'].example as string;
      await request(a.app).post(`${path}?symbol=DEMO`).set('Content-Type', 'text/csv').send(csv).expect(path === '/v1/jobs' ? 202 : 200);
    }
  });

  test('lists every error code with its HTTP status', () => {
    const listed = doc['x-error-codes'] as { code: ErrorCode; kind: string; status: number }[];
    assert.deepEqual(listed.map((c) => c.code).sort(), Object.keys(ERROR_CODES).sort());
    for (const c of listed) {
      assert.equal(c.status, HTTP_STATUS[c.code], c.code);
      assert.equal(c.kind, ERROR_CODES[c.code], c.code);
      assert.ok((doc.info.description as string).includes(`\`${c.code}\``), `${c.code} is in the description`);
    }
    assert.deepEqual([...doc.components.schemas.ErrorBody.properties.error.properties.code.enum].sort(), Object.keys(ERROR_CODES).sort());
    // Each route's error responses sit under the status of their codes, with the error body.
    for (const item of Object.values(doc.paths as Record<string, Json>)) {
      for (const op of Object.values(item)) {
        for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
          if (/^2\d\d$/.test(status)) continue;
          assert.equal(response.content['application/json'].schema.$ref, '#/components/schemas/ErrorBody');
          const codes = [...(response.description as string).matchAll(/`(\w+)`/g)].map((m) => m[1] as ErrorCode);
          assert.ok(codes.length > 0);
          for (const code of codes) assert.equal(String(HTTP_STATUS[code]), status, `${code} under ${status}`);
        }
      }
    }
  });

  test('every request body has an example, and it parses with its zod schemas', () => {
    let count = 0;
    for (const route of ROUTES) {
      const op = doc.paths[route.path][route.method];
      for (const body of route.requestBodies ?? []) {
        const example = op.requestBody.content[body.mediaType].example;
        assert.notEqual(example, undefined, `${route.path} ${body.mediaType} has an example`);
        assert.deepEqual(example, body.example);
        for (const schema of [body.shown, body.parses]) {
          const r = schema.safeParse(example);
          assert.ok(r.success, `${route.path} ${body.mediaType}: ${r.error?.message}`);
        }
        count++;
      }
      if (route.method === 'post') assert.ok(route.requestBodies?.length, `${route.path} documents its body`);
    }
    assert.ok(count >= 8);
  });
});

describe('GET /docs', () => {
  let a: AnalysisApp;
  before(async () => {
    a = await startAnalysisApp({ apiKeys: ['secret'] });
  });
  after(() => a.close());

  test('serves the Swagger UI page from local assets only, outside the API key', async () => {
    const res = await request(a.app).get('/docs').expect(200).expect('Content-Type', /text\/html/);
    const html = res.text;
    assert.doesNotMatch(html, /https?:\/\//, 'no absolute URLs to other hosts');
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline scripts');
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(refs.length >= 4);
    for (const ref of refs) assert.match(ref, /^\/(?!\/)/, `${ref} is a local path`);
    const types: Record<string, RegExp> = { '.js': /javascript/, '.css': /text\/css/, '.png': /image\/png/ };
    for (const ref of refs) {
      const ext = /\.\w+$/.exec(ref)?.[0] ?? '';
      const asset = await request(a.app).get(ref).expect(200);
      assert.match(String(asset.headers['content-type']), types[ext], `${ref}: ${asset.headers['content-type']}`);
    }
    const init = await request(a.app).get('/docs/swagger-initializer.js').expect(200);
    assert.match(init.text, /url: '\/openapi\.json'/);
    await request(a.app).get('/openapi.json').expect(200);
    await request(a.app).get('/v1/analyses/x').expect(401);
  });

  test('serves only the assets the page needs', async () => {
    await request(a.app).get('/docs/assets/index.html').expect(404);
    await request(a.app).get('/docs/assets/package.json').expect(404);
    await request(a.app).get('/docs/assets/..%2Fpackage.json').expect(404);
  });
});
