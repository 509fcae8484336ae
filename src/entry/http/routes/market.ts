import { type RequestHandler, Router } from 'express';
import type { ChartRenderer } from '../../../ports/chart-renderer.ts';
import { computeFacts } from '../../../use-cases/compute-facts.ts';
import { renderChart } from '../../../use-cases/render-chart.ts';

/** Routes over candles: render a chart, compute the market facts. */
export function marketRoutes(deps: { renderer: ChartRenderer; body: RequestHandler[] }): Router {
  const router = Router();
  router.post('/render', ...deps.body, async (req, res) => {
    const chart = await renderChart(deps.renderer, req.body);
    res.type('image/png').set('X-Chart-Renderer', chart.renderer).send(chart.png);
  });
  router.post('/indicators', ...deps.body, (req, res) => {
    res.json(computeFacts(req.body));
  });
  return router;
}
