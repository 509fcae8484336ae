import { createRequire } from 'node:module';
import { buildOpenApiDocument } from '../../contracts/openapi.ts';
import { HTTP_STATUS } from './http-status.ts';

const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string };

let cached: Record<string, unknown> | undefined;

/** The OpenAPI document served at GET /openapi.json: the contracts plus this layer's status map. */
export function openApiDocument(): Record<string, unknown> {
  cached ??= buildOpenApiDocument({ errorStatuses: HTTP_STATUS, version: pkg.version });
  return cached;
}
