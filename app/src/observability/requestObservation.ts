import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { refusalOf } from './refusals';
import type { LabelValues } from 'prom-client';
import { UNOBSERVED_PATHS } from '../shared';
import type { ActiveTraceIds, TraceIds } from '../tracing';

const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Any other method shares one label value, so a client inventing methods cannot add series. */
export function methodLabel(method: string): string {
  return STANDARD_METHODS.has(method) ? method : 'other';
}

const matchedTemplates = new WeakMap<Request, string>();

function joinTemplate(baseUrl: string, path: string): string {
  return `${baseUrl}${path === '/' && baseUrl ? '' : path}`;
}

/**
 * Remembers the route template at the moment the router matches a route, while `req.baseUrl` still
 * names the mount path: when an error leaves a mounted router (a 404 under /api), the router resets
 * `req.baseUrl` but keeps `req.route`, and the template read afterwards would lose its prefix.
 */
function trackRouteTemplate(req: Request): void {
  let route = req.route;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value) {
      route = value;
      if (typeof value?.path === 'string') matchedTemplates.set(req, joinTemplate(req.baseUrl, value.path));
    },
  });
}

/** For a request answered before routing: the template of the route that would have answered it. */
export function recordRouteTemplate(req: Request, template: string): void {
  matchedTemplates.set(req, template);
}

/** The route template, never the raw URL, so ids and search terms stay out of labels and logs. */
export function routeTemplate(req: Request): string {
  const matched = matchedTemplates.get(req);
  if (matched) return matched;
  const route = req.route?.path;
  return typeof route === 'string' ? joinTemplate(req.baseUrl, route) : 'unmatched';
}

/** The request id a response carries: a well-formed incoming X-Request-Id (nginx, a load balancer) or a new one. */
export function requestIdOf(res: Response): string {
  return String(res.locals.requestId ?? '');
}

/**
 * The exemplar's labels, under the names Grafana looks for. Typed with any label name: prom-client's
 * typings expect the metric's own label names, which an exemplar does not have.
 */
function exemplarLabels(trace: TraceIds): LabelValues<string> {
  return { trace_id: trace.traceId, span_id: trace.spanId };
}

export interface RequestObservation {
  /** The middleware every request passes first: its id, its timing, its access log line. */
  middleware: RequestHandler;
  /**
   * For a request answered ahead of that middleware: the same id, timing and log line. Answers the
   * id, which the caller sends as X-Request-Id itself.
   */
  begin(req: Request, res: Response): string;
}

/**
 * Every answered request is timed under its route template (unknown paths share `unmatched`) in
 * http_request_duration_seconds, counted when refused, and logged as one `request` line with its
 * id. One listener per response does all three. With tracing on, the observation carries the
 * request's trace as an exemplar.
 */
export function observeRequests(metrics: Metrics, logger: Logger, activeTraceIds?: ActiveTraceIds): RequestObservation {
  // prom-client hashes the labels of every observation; the few label sets there are keep their child.
  const observers = new Map<string, { observe(seconds: number): void }>();
  const observe = (method: string, route: string, status: number, seconds: number) => {
    const trace = metrics.exemplars ? activeTraceIds?.() : undefined;
    if (trace?.sampled) {
      // A labelled child has no exemplar; the histogram's own observe keeps one per bucket.
      metrics.httpRequestDuration.observe({
        labels: { method, route, status_code: String(status) },
        value: seconds,
        exemplarLabels: exemplarLabels(trace),
      });
      return;
    }
    const key = `${method} ${status} ${route}`;
    let observer = observers.get(key);
    if (!observer) {
      observer = metrics.httpRequestDuration.labels({ method, route, status_code: String(status) });
      observers.set(key, observer);
    }
    observer.observe(seconds);
  };

  function begin(req: Request, res: Response): string {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const nanoseconds = Number(process.hrtime.bigint() - started);
      const route = routeTemplate(req);
      const refusal = refusalOf(res);
      if (refusal) metrics.unauthorizedRequests.inc({ reason: refusal });
      if (!UNOBSERVED_PATHS.test(req.path)) observe(methodLabel(req.method), route, res.statusCode, nanoseconds / 1e9);
      logger.info('request', {
        requestId: id,
        method: req.method,
        route,
        status: res.statusCode,
        durationMs: Math.round(nanoseconds / 1e5) / 10,
        ip: req.ip,
        userId: req.user?.id,
      });
    });
    return id;
  }

  return {
    begin,
    middleware: (req, res, next) => {
      trackRouteTemplate(req);
      res.setHeader('X-Request-Id', begin(req, res));
      next();
    },
  };
}
