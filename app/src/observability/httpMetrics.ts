import type { RequestHandler } from 'express';
import { routeTemplate, trackRouteTemplate } from './accessLog';
import type { Metrics } from './metrics';
import { refusalOf } from './refusals';

const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Scrapes, probes and static files would swamp the latency of the pages people use. */
const NOT_OBSERVED = /^\/(metrics|healthz|readyz)\/?$|^\/static(\/|$)/;

/** Any other method shares one label value, so a client inventing methods cannot add series. */
export function methodLabel(method: string): string {
  return STANDARD_METHODS.has(method) ? method : 'other';
}

/**
 * Records every request's duration under its route template (unknown paths share `unmatched`) and
 * counts the refused ones. Mounted first, so the time covers every other middleware.
 */
export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    trackRouteTemplate(req);
    const started = process.hrtime.bigint();
    const observed = !NOT_OBSERVED.test(req.path);
    res.on('finish', () => {
      const refusal = refusalOf(res);
      if (refusal) metrics.unauthorizedRequests.inc({ reason: refusal });
      if (!observed) return;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequestDuration.observe(
        { method: methodLabel(req.method), route: routeTemplate(req), status_code: String(res.statusCode) },
        seconds,
      );
    });
    next();
  };
}
