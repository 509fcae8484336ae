// The HTTP contract in one import: request and response schemas and the types derived from them.
export * from './analysis.ts';
export * from './analyze-request.ts';
export * from './candle-input.ts';
export * from './error-body.ts';
export * from './facts.ts';
export * from './health.ts';
export * from './render-request.ts';
