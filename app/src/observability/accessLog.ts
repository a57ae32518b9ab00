import type { RequestHandler } from 'express';
import type { Logger } from './logger';

/** The route template, never the raw URL, so ids and search terms stay out of labels and logs. */
export function routeTemplate(req: Parameters<RequestHandler>[0]): string {
  const route = req.route?.path;
  if (typeof route === 'string') return `${req.baseUrl}${route === '/' && req.baseUrl ? '' : route}`;
  return 'unmatched';
}

export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
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
