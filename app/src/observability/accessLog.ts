import type { RequestHandler } from 'express';
import type { Logger } from './logger';

type Request = Parameters<RequestHandler>[0];

const matchedTemplates = new WeakMap<Request, string>();
const tracked = new WeakSet<Request>();

function joinTemplate(baseUrl: string, path: string): string {
  return `${baseUrl}${path === '/' && baseUrl ? '' : path}`;
}

/**
 * Remembers the route template at the moment the router matches a route, while `req.baseUrl` still
 * names the mount path: when an error leaves a mounted router (a 404 under /api), the router resets
 * `req.baseUrl` but keeps `req.route`, and the template read afterwards would lose its prefix.
 */
export function trackRouteTemplate(req: Request): void {
  if (tracked.has(req)) return;
  tracked.add(req);
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

/** The route template, never the raw URL, so ids and search terms stay out of labels and logs. */
export function routeTemplate(req: Request): string {
  const matched = matchedTemplates.get(req);
  if (matched) return matched;
  const route = req.route?.path;
  return typeof route === 'string' ? joinTemplate(req.baseUrl, route) : 'unmatched';
}

export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    trackRouteTemplate(req);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info('request', {
        method: req.method,
        route: routeTemplate(req),
        status: res.statusCode,
        durationMs: Math.round(durationMs * 10) / 10,
        ip: req.ip,
        userId: req.user?.id,
      });
    });
    next();
  };
}
