import express, { Router } from 'express';
import request from 'supertest';
import { createMetrics } from '../../src/observability/metrics';
import { observeRequests } from '../../src/observability/requestObservation';
import { createLogger } from '../../src/observability/logger';
import { labelValues, sampleValue, seriesOf } from '../helpers/exposition';

function appWithMetrics() {
  const metrics = createMetrics();
  const api = Router();
  api.get('/items/:id', (req, res) => {
    if (req.params.id === 'missing') throw Object.assign(new Error('gone'), { status: 404 });
    res.json({ id: req.params.id });
  });
  const app = express()
    .use(observeRequests(metrics, createLogger({ level: 'info', silent: true })).middleware)
    .get('/items/:id', (req, res) => res.send(req.params.id))
    .use('/api', api)
    .use((_req, res) => res.status(404).send('Not found'))
    .use((error: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(error.status ?? 500).send('error');
    });
  return { app, metrics };
}

describe('http_request_duration_seconds', () => {
  it('keeps one series for any number of unknown paths', async () => {
    const { app, metrics } = appWithMetrics();
    const paths = Array.from({ length: 1000 }, (_, i) => `/random/${i}/${Math.random().toString(36).slice(2)}`);
    for (let start = 0; start < paths.length; start += 100) {
      await Promise.all(paths.slice(start, start + 100).map((path) => request(app).get(path).expect(404)));
    }
    const text = await metrics.registry.metrics();
    expect(seriesOf(text, 'http_request_duration_seconds_count')).toEqual([
      'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"}',
    ]);
    expect(sampleValue(text, 'http_request_duration_seconds_count', { route: 'unmatched' })).toBe(1000);
  });

  it('labels by template, keeping a mounted router\'s prefix when its route fails, and folds unknown methods', async () => {
    const { app, metrics } = appWithMetrics();
    await request(app).get('/items/1').expect(200);
    await request(app).get('/api/items/2').expect(200);
    await request(app).get('/api/items/missing').expect(404);
    await request(app).propfind('/items/1').expect(404);
    const text = await metrics.registry.metrics();
    expect(labelValues(text, 'http_request_duration_seconds_count', 'route')).toEqual(new Set(['/items/:id', '/api/items/:id', 'unmatched']));
    expect(sampleValue(text, 'http_request_duration_seconds_count', { route: '/api/items/:id', status_code: '404' })).toBe(1);
    expect(sampleValue(text, 'http_request_duration_seconds_count', { method: 'other', route: 'unmatched' })).toBe(1);
  });
});
