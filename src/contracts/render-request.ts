import { z } from 'zod';
import { chartOptionsSchema } from '../core/scene/chart-options.ts';
import { candleInputFields } from './candle-input.ts';

/** JSON body of POST /v1/render (the answer is a PNG); chart options default field by field. */
export const renderRequestSchema = z
  .object({ ...candleInputFields, chart: chartOptionsSchema.default(chartOptionsSchema.parse({})) })
  .strict();

/** What a client may send to POST /v1/render. */
export type RenderRequestBody = z.input<typeof renderRequestSchema>;
/** The validated request, every chart option filled in. */
export type RenderRequest = z.output<typeof renderRequestSchema>;
