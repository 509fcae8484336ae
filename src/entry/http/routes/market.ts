import { type RequestHandler, Router } from 'express';
import type { ChartRenderer } from '../../../ports/chart-renderer.ts';
import { computeFacts } from '../../../use-cases/compute-facts.ts';
import { renderChart } from '../../../use-cases/render-chart.ts';

/** Routes over candles: render a chart, compute the market facts. */
export function marketRoutes(deps: { renderer: ChartRenderer; body: RequestHandler[] }): Router {
  const router = Router();
  router.post('/render', ...deps.body, async (req, res) => {
    const chart = await renderChart(deps.renderer, req.body);
    res.type('image/png').set('X-Chart-Renderer', chart.renderer).set('X-Chartlens-Renderer', chart.renderer);
    // E.g. a browser chart asked for where there is no Chromium: drawn by Chart.js, and said so here.
    if (chart.warnings.length > 0) res.set('X-Chartlens-Warning', chart.warnings.join('; '));
    res.send(chart.png);
  });
  router.post('/indicators', ...deps.body, (req, res) => {
    res.json(computeFacts(req.body));
  });
  return router;
}
