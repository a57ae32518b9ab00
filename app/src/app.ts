import path from 'node:path';
import express, { Express, Request, RequestHandler, Response } from 'express';
import { Passport } from 'passport';
import type session from 'express-session';
import type { Config } from './config';
import type { Logger } from './observability';
import type { Services } from './services';
import { fixedHeaders, healthRoutes, helmetHeaders, livenessProbe, metricsRoute, MetricsSource, noteRefusedErrors, observeRequests, registrySource } from './observability';
import {
  authRoutes,
  CachedSessionStore,
  configurePassport,
  idleTimeout,
  noticeEndedSessions,
  offerFormDrafts,
  requirePasswordChange,
  saveSessionBeforeRedirect,
  sendEndedLoginsToLogin,
  sessionMiddleware,
  sessionVisitors,
  setupGate,
} from './auth';
import { createPageCache } from './cache';
import { todoRoutes } from './todos';
import { accountRoutes, enrolmentRoutes } from './accounts';
import { adminRoutes } from './admin';
import { apiRoutes } from './api';
import { tokenSettingsRoutes } from './tokens';
import { csrfProtection, errorHandler, flashMessages, neverStored, notFound, refuseMalformedForms, refuseNonPathTargets, refuseNulCharacters, refuseOtherMethods } from './middleware';
import { configureViews } from './views';
import { staticAssets } from './staticFiles';
import type { Backends } from './backends';
import type { ActiveTraceIds } from './tracing';

/** The largest request body read, as a form or as JSON. */
export const BODY_LIMIT = '256kb';

export interface AppDependencies {
  config: Config;
  logger: Logger;
  services: Services;
  backends: Backends;
  sessionStore: session.Store;
  /** What /metrics serves: this app's registry unless given (a cluster worker serves every worker's). */
  metricsSource?: MetricsSource;
  /** With tracing on: the active span, for the exemplars of the latency histogram. */
  activeTraceIds?: ActiveTraceIds;
}

const PUBLIC_DIR = path.resolve(__dirname, '../public');
/** Sessions kept in memory per process, where that is allowed (see chooseCaching). */
const SESSION_CACHE = { maxBytes: 16 * 1024 * 1024, ttlMs: 10 * 60 * 1000 };
const VIEWS_DIR = path.resolve(__dirname, '../views');

/**
 * Puts `handlers` in front of the app's routing: Express's own dispatch through a router costs more
 * than answering a kept page or a probe does. The request and response get the app's prototypes
 * first, as Express would give them; what every handler hands on goes through the app as usual. A
 * handler that fails (a session store that does not answer) hands its error on: the returned
 * middleware, placed where the app begins observing requests, passes it to the error handlers, so
 * the request is answered for that failure instead of waiting for the same store a second time.
 */
type Handle = (req: Request, res: Response, callback?: (error?: unknown) => void) => void;

function answerFirst(app: Express, ...handlers: RequestHandler[]): RequestHandler {
  const failedInFront = new WeakMap<Request, unknown>();
  // Every way into an Express app (app(req, res), app.listen, supertest) goes through app.handle.
  const routable = app as unknown as { handle: Handle };
  const handle = routable.handle.bind(app);
  routable.handle = (req, res, callback) => {
    Object.setPrototypeOf(req, app.request);
    Object.setPrototypeOf(res, app.response);
    req.res = res;
    res.req = req;
    req.originalUrl ??= req.url;
    res.locals ??= Object.create(null);
    const tryFrom = (index: number) => {
      if (index === handlers.length) return handle(req, res, callback);
      let handedOn = false;
      const handOn = () => {
        if (handedOn) return;
        handedOn = true;
        tryFrom(index + 1);
      };
      Promise.resolve(handlers[index](req, res, handOn)).catch((error: unknown) => {
        if (handedOn) return;
        handedOn = true;
        failedInFront.set(req, error);
        handle(req, res, callback);
      });
    };
    tryFrom(0);
  };
  return (req, _res, next) => next(failedInFront.get(req));
}

/** The path a request takes, top to bottom. */
export function createApp({ config, logger, services, backends, sessionStore, metricsSource, activeTraceIds }: AppDependencies): Express {
  const { metrics } = backends;
  const app = express();
  app.disable('x-powered-by');
  // Hashing every body for an ETag costs more than many pages take to render; cached pages carry their own.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  const assets = staticAssets(PUBLIC_DIR, { fallbackMaxAge: config.isProduction ? '1h' : 0, rereadFiles: !config.isProduction });
  configureViews(app, VIEWS_DIR, assets);

  const security = helmetHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        upgradeInsecureRequests: config.trustProxy ? [] : null,
      },
    },
    strictTransportSecurity: Boolean(config.trustProxy),
    // Other sites learn nothing of the page a link was on; this site learns which of its pages sent a form.
    referrerPolicy: { policy: 'same-origin' },
  });
  const observation = observeRequests(metrics, logger, activeTraceIds);
  const sessionCache = services.caching.sessions;
  const sessions = sessionCache ? new CachedSessionStore(sessionStore, { ...SESSION_CACHE, siblings: sessionCache.siblings }) : sessionStore;
  const pages = createPageCache(config.pageCacheBytes);
  metrics.watchPageCache(() => pages.keptBytes());

  // First, ahead of Express's routing: the liveness probe, and a page kept in memory for a logged-in
  // user whose request would change nothing on its way through the rest (answered with the headers
  // it was first answered with). Both are timed and logged like every request.
  const visitors = sessionVisitors({ store: sessions, secret: config.secretKey, sessionTimeoutMinutes: config.sessionTimeoutMinutes, auth: services.auth });
  const frontFailures = answerFirst(app, livenessProbe(security, observation), pages.serveKept(visitors, observation));
  app.use(observation.middleware);
  app.use(refuseNonPathTargets());

  app.use(fixedHeaders(security));
  app.use(frontFailures);

  // Served before sessions: static files and probes never touch the session store.
  app.use('/static', assets.serve);
  // Browsers ask for /favicon.ico on their own, wherever a page links its icon.
  app.get('/favicon.ico', assets.redirectTo('favicon.svg'));
  app.use(healthRoutes(backends.dependencies));
  app.use(metricsRoute(config.metrics.token, metricsSource ?? registrySource(metrics.registry)));

  // Room for the longest fields in any script: 10,000 characters of details take up to 90 KB once a form encodes them.
  const jsonBodies = express.json({ limit: BODY_LIMIT });

  // Token-authenticated scripts: no session, no CSRF (a bearer token cannot be sent by another site).
  // Every error under /api, an unreadable body included, is answered as JSON by the API's own handler.
  app.use(
    '/api',
    jsonBodies,
    refuseNulCharacters(),
    apiRoutes(services.todos, services.tokens),
    noteRefusedErrors(),
    errorHandler(logger, !config.isProduction, backends.dependencies, { format: 'json' }),
  );

  app.use(neverStored());
  app.use(refuseOtherMethods());
  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 100, verify: refuseMalformedForms }));
  app.use(jsonBodies);
  app.use(refuseNulCharacters());

  app.use(flashMessages(config.secretKey));
  app.use(sessionMiddleware(config, sessions));
  const authenticator = configurePassport(new Passport(), services.auth);
  app.use(authenticator.initialize());
  app.use(authenticator.session());
  app.use(noticeEndedSessions(config.secretKey));
  app.use(idleTimeout(config));
  app.use(saveSessionBeforeRedirect());

  const csrf = csrfProtection();
  app.use(csrf.exposeToken);
  app.use(csrf.protect);
  app.use((req, res, next) => {
    res.locals.currentUser = req.user;
    res.locals.currentPath = req.path;
    res.locals.registrationOpen = config.registrationOpen;
    next();
  });
  app.use(setupGate(services.auth));
  app.use(requirePasswordChange());
  app.use(offerFormDrafts());

  app.use(authRoutes(logger, authenticator, metrics));
  app.use(enrolmentRoutes(services.users, services.auth, { registrationOpen: config.registrationOpen }));
  app.use(todoRoutes(services.todos, { pageSize: config.pageSize, pages }));
  app.use(accountRoutes(services.users));
  app.use(tokenSettingsRoutes(services.tokens));
  app.use('/admin', adminRoutes(services.users));

  app.use(notFound());
  app.use(sendEndedLoginsToLogin(csrf.isRejection));
  app.use(csrf.explainRejection);
  app.use(noteRefusedErrors());
  app.use(errorHandler(logger, !config.isProduction, backends.dependencies));
  return app;
}
