import { Router } from 'express';
import { AppError } from '../../../core/errors.ts';
import { type DigitizeDeps, digitizeChart } from '../../../use-cases/digitize-chart.ts';
import { chartUpload } from '../upload.ts';

type Files = Record<string, Express.Multer.File[]> | undefined;

/** POST /v1/digitize: a multipart `image` in, the candles read back from its pixels out. */
export function digitizeRoutes(deps: { digitize: DigitizeDeps; maxImageBytes: number; maxFieldBytes: number }): Router {
  const router = Router();
  const upload = chartUpload({ maxImageBytes: deps.maxImageBytes, maxFieldBytes: deps.maxFieldBytes });
  router.post('/digitize', (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      next(new AppError('unsupported_media_type', 'Send the chart as multipart/form-data with an "image" file'));
      return;
    }
    upload(req, res, next);
  }, async (req, res) => {
    const files = req.files as Files;
    const extra = [...Object.keys(files ?? {}).filter((k) => k !== 'image'), ...Object.keys((req.body ?? {}) as Record<string, unknown>)];
    if (extra.length > 0) {
      throw new AppError('unknown_field', `POST /v1/digitize takes only an "image" file; unexpected: ${extra.join(', ')}`, extra.map((field) => ({ field, message: 'unknown field' })));
    }
    const image = files?.image?.[0]?.buffer;
    if (!image) throw new AppError('invalid_request', 'Send the chart image in the multipart field "image"', [{ field: 'image', message: 'missing' }]);
    const { digitization, timing } = await digitizeChart(deps.digitize, image);
    res.json({ ...digitization, timing });
  });
  return router;
}
