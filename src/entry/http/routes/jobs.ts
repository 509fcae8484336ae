import { type RequestHandler, Router } from 'express';
import { AppError } from '../../../core/errors.ts';
import { cancelJob, getJob, type JobsDeps, submitJob } from '../../../use-cases/jobs.ts';
import { chartUpload, multipartFields } from '../upload.ts';

type Files = Record<string, Express.Multer.File[]> | undefined;

/** POST /v1/jobs (the bodies of /v1/analyze, plus callbackUrl), GET and DELETE /v1/jobs/:id. */
export function jobRoutes(deps: { jobs: JobsDeps; body: RequestHandler[]; maxImageBytes: number; maxFieldBytes: number }): Router {
  const router = Router();
  const upload = chartUpload({ maxImageBytes: deps.maxImageBytes, maxFieldBytes: deps.maxFieldBytes });

  router.post(
    '/jobs',
    (req, res, next) => (req.is('multipart/form-data') ? upload(req, res, next) : next('route')),
    async (req, res) => {
      const files = req.files as Files;
      const { callbackUrl, ...fields } = (req.body ?? {}) as Record<string, unknown>;
      const ohlcvFile = files?.ohlcv?.[0]?.buffer.toString('utf8');
      const ohlcvText = typeof fields.ohlcv === 'string' ? fields.ohlcv : undefined;
      if (ohlcvFile !== undefined && ohlcvText !== undefined) {
        throw new AppError('invalid_request', 'Send "ohlcv" once: as a file or as a text field, not both', [{ field: 'ohlcv', message: 'given twice' }]);
      }
      const body = { ...multipartFields(fields), ...(callbackUrl !== undefined ? { callbackUrl } : {}) };
      const accepted = await submitJob(deps.jobs, { body, image: files?.image?.[0]?.buffer, ohlcv: ohlcvFile ?? ohlcvText });
      res.status(202).location(`/v1/jobs/${accepted.id}`).json(accepted);
    },
  );
  router.post('/jobs', ...deps.body, async (req, res) => {
    // A text/csv body has its labels in the query string; so has its callbackUrl.
    const body = req.is('application/json') ? (req.body as unknown) : { ...(req.body as Record<string, unknown>), ...(typeof req.query.callbackUrl === 'string' ? { callbackUrl: req.query.callbackUrl } : {}) };
    const accepted = await submitJob(deps.jobs, { body });
    res.status(202).location(`/v1/jobs/${accepted.id}`).json(accepted);
  });

  router.get('/jobs/:id', async (req, res) => {
    res.json(await getJob(deps.jobs, req.params.id));
  });
  router.delete('/jobs/:id', async (req, res) => {
    res.json(await cancelJob(deps.jobs, req.params.id));
  });

  return router;
}
