import type { SiteClient } from './siteClient';

export interface LoadOptions {
  client: SiteClient;
  /** The session's CSRF token, for the form posts. */
  csrfToken: string;
  apiToken: string;
  /** Titles of the todos this run creates start with it, so the database check finds exactly them. */
  titlePrefix: string;
  concurrency: number;
  durationMs: number;
  /** After durationMs the load goes on while this says so, up to hardLimitMs. */
  continueWhile?: () => boolean;
  hardLimitMs: number;
  maxRequests: number;
}

export interface LoadFigures {
  sent: number;
  failed: number;
  getsSent: number;
  getsFailed: number;
  postsSent: number;
  postsFailed: number;
  /** Titles of the todos the app confirmed (API 201, or the form's 303 to the new todo). */
  acknowledged: string[];
  /** A few failures, for the assertion message. */
  failureSamples: string[];
  durationMs: number;
}

type Step = 'page' | 'apiList' | 'formPost' | 'apiPost';
const STEPS: Step[] = ['page', 'formPost', 'apiList', 'apiPost'];

/**
 * Concurrent loops of logged-in page views, API reads, form posts and API posts over one keep-alive
 * pool, until the time is up (or the request budget spent). A GET fails unless it answers 200 with
 * the user still logged in; a POST fails unless the app confirms the todo was created.
 */
export async function runSteadyLoad(options: LoadOptions, during: (elapsedMs: () => number) => Promise<void> = async () => {}): Promise<LoadFigures> {
  const figures: LoadFigures = { sent: 0, failed: 0, getsSent: 0, getsFailed: 0, postsSent: 0, postsFailed: 0, acknowledged: [], failureSamples: [], durationMs: 0 };
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  let counter = 0;
  const keepGoing = () =>
    figures.sent < options.maxRequests &&
    elapsed() < options.hardLimitMs &&
    (elapsed() < options.durationMs || (options.continueWhile?.() ?? false));

  const fail = (isPost: boolean, what: string) => {
    figures.failed++;
    if (isPost) figures.postsFailed++;
    else figures.getsFailed++;
    if (figures.failureSamples.length < 10) figures.failureSamples.push(what);
  };

  const one = async (step: Step) => {
    const isPost = step === 'formPost' || step === 'apiPost';
    const title = `${options.titlePrefix}-${++counter}`;
    figures.sent++;
    if (isPost) figures.postsSent++;
    else figures.getsSent++;
    const bearer = { authorization: `Bearer ${options.apiToken}` };
    try {
      if (step === 'page') {
        const response = await options.client.request({ path: '/todos/today' });
        if (response.status !== 200 || !response.body.includes('Log out')) fail(false, `GET /todos/today -> ${response.status}`);
      } else if (step === 'apiList') {
        const response = await options.client.request({ path: '/api/todos', headers: bearer });
        if (response.status !== 200) fail(false, `GET /api/todos -> ${response.status}`);
      } else if (step === 'formPost') {
        const response = await options.client.request({ method: 'POST', path: '/todos', form: { _csrf: options.csrfToken, title, when: 'today', details: '' } });
        if (response.status === 303 && /^\/todos\/\d+$/.test(String(response.headers.location))) figures.acknowledged.push(title);
        else fail(true, `POST /todos -> ${response.status}`);
      } else {
        const response = await options.client.request({ method: 'POST', path: '/api/todos', json: { title }, headers: bearer });
        if (response.status === 201) figures.acknowledged.push(title);
        else fail(true, `POST /api/todos -> ${response.status}`);
      }
    } catch (error) {
      fail(isPost, `${step}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const loop = async (offset: number) => {
    for (let i = offset; keepGoing(); i++) await one(STEPS[i % STEPS.length]);
  };
  await Promise.all([...Array.from({ length: options.concurrency }, (_, index) => loop(index)), during(elapsed)]);
  figures.durationMs = elapsed();
  return figures;
}
