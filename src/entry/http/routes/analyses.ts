import { type RequestHandler, type Response, Router } from 'express';
import { AppError } from '../../../core/errors.ts';
import type { AnalysisStore } from '../../../ports/analysis-store.ts';
import { type AnalyzeCommand, type AnalyzeDeps, analyzeChart } from '../../../use-cases/analyze-chart.ts';
import { parseAnalyzeRequest, withMarketBars } from '../../../use-cases/analyze-request.ts';
import type { MarketSources } from '../../../ports/market-data.ts';
import { chartUpload, multipartFields } from '../upload.ts';
import { analysesQuerySchema } from '../../../contracts/analyses-list.ts';
import { parseRequest } from '../../../use-cases/parse-request.ts';

type Files = Record<string, Express.Multer.File[]> | undefined;

/** The admission slot's lending (set by the admission middleware), so a model's wait holds no slot. */
function withSlotLending(cmd: AnalyzeCommand, res: Response): AnalyzeCommand {
  const whileWaiting = res.locals.whileWaiting as AnalyzeCommand['whileWaiting'];
  return whileWaiting ? { ...cmd, whileWaiting } : cmd;
}

/** POST /v1/analyze (JSON or multipart) and the stored results. */
export function analysisRoutes(deps: {
  analyze: AnalyzeDeps;
  store: AnalysisStore;
  body: RequestHandler[];
  /** Where a request that names only a symbol gets its bars; absent: such requests are refused. */
  market?: MarketSources;
  maxImageBytes: number;
  maxFieldBytes: number;
}): Router {
  const router = Router();
  const upload = chartUpload({ maxImageBytes: deps.maxImageBytes, maxFieldBytes: deps.maxFieldBytes });

  // Multipart uploads take the first route; anything else falls through to the JSON/CSV one.
  router.post(
    '/analyze',
    (req, res, next) => (req.is('multipart/form-data') ? upload(req, res, next) : next('route')),
    async (req, res) => {
      const files = req.files as Files;
      const ohlcvFile = files?.ohlcv?.[0]?.buffer.toString('utf8');
      const fields = (req.body ?? {}) as Record<string, unknown>;
      const ohlcvText = typeof fields.ohlcv === 'string' ? fields.ohlcv : undefined;
      if (ohlcvFile !== undefined && ohlcvText !== undefined) {
        throw new AppError('invalid_request', 'Send "ohlcv" once: as a file or as a text field, not both', [{ field: 'ohlcv', message: 'given twice' }]);
      }
      const pending = parseAnalyzeRequest(multipartFields(fields), { image: files?.image?.[0]?.buffer, ohlcv: ohlcvFile ?? ohlcvText });
      res.json(await analyzeChart(deps.analyze, withSlotLending(await withMarketBars(pending, deps.market), res)));
    },
  );
  router.post('/analyze', ...deps.body, async (req, res) => {
    res.json(await analyzeChart(deps.analyze, withSlotLending(await withMarketBars(parseAnalyzeRequest(req.body), deps.market), res)));
  });

  router.get('/analyses', async (req, res) => {
    const page = parseRequest(analysesQuerySchema, { ...req.query });
    res.json(await deps.store.list(page));
  });
  router.get('/analyses/:id', async (req, res) => {
    const record = await deps.store.get(req.params.id);
    if (!record) throw new AppError('not_found', `No analysis with id ${req.params.id}`);
    res.json(record.analysis);
  });

  router.get('/analyses/:id/chart.png', async (req, res) => {
    const png = await deps.store.getImage(req.params.id);
    if (!png) throw new AppError('not_found', `No analysis with id ${req.params.id}`);
    res.type('image/png').set('Cache-Control', 'private, max-age=31536000, immutable').send(png);
  });

  return router;
}
