import { Browser, csrfTokenIn, expectStatus } from './browser';
import type { RunningApp } from './servers';

export interface SeededUser {
  email: string;
  /** `todobox.sid=...`, a logged-in session. */
  cookie: string;
  /** The session's CSRF token, as its forms carry it. */
  csrfToken: string;
}

export interface MainUser extends SeededUser {
  todoIds: number[];
  apiToken: string;
}

export interface Seed {
  main: MainUser;
  /** Other users, each with todos of their own for today, so no per-user cache stays hot. */
  crowd: SeededUser[];
}

export interface SeedPlan {
  todos: number;
  crowd: number;
  crowdTodos: number;
}

const PASSWORD = 'bench password 2026';
const SEED_CONCURRENCY = 4;

const TOPICS = ['report', 'invoice', 'release notes', 'garden', 'dentist', 'budget', 'slides', 'backup drill', 'groceries', 'review'];
const VERBS = ['Write', 'Send', 'Check', 'Plan', 'Book', 'Fix', 'Draft', 'Call about', 'Finish', 'Read'];

/** A todo as people write them: a title and a few lines of Markdown (emphasis, a list, a link, code, a quote). */
export function markdownTodo(index: number): { title: string; details: string } {
  const title = `${VERBS[index % VERBS.length]} the ${TOPICS[Math.floor(index / VERBS.length) % TOPICS.length]} (${index + 1})`;
  const details = [
    `Notes for **${title.toLowerCase()}**, due _today_:`,
    '',
    `- gather what is needed, see [the checklist](https://example.com/checklists/${index + 1})`,
    `- run \`make check-${index + 1}\` before sending`,
    '- ask for a second pair of eyes',
    '',
    '> Short and clear beats long and complete.',
  ].join('\n');
  return { title, details };
}

function todoIdFrom(location: string | string[] | undefined): number {
  const match = /^\/todos\/(\d+)$/.exec(String(location ?? ''));
  if (!match) throw new Error(`Creating a todo led to ${location}, not to the new todo`);
  return Number(match[1]);
}

async function logIn(browser: Browser, email: string): Promise<void> {
  const form = expectStatus('GET /login', await browser.get('/login'), 200);
  const answer = await browser.post('/login', { _csrf: csrfTokenIn(form.text), email, password: PASSWORD });
  expectStatus(`logging in as ${email}`, answer, 303);
}

/** Creates `count` todos for today through the form; answers their ids and the session's CSRF token. */
async function createTodos(browser: Browser, count: number, offset: number): Promise<{ ids: number[]; csrfToken: string }> {
  const form = expectStatus('GET /todos/new', await browser.get('/todos/new'), 200);
  const csrfToken = csrfTokenIn(form.text);
  const ids: number[] = [];
  for (let index = 0; index < count; index++) {
    const answer = await browser.post('/todos', { _csrf: csrfToken, ...markdownTodo(offset + index), when: 'today' });
    ids.push(todoIdFrom(expectStatus('POST /todos', answer, 303).headers.location));
  }
  return { ids, csrfToken };
}

async function seedCrowdUser(baseUrl: string, index: number, todos: number): Promise<SeededUser> {
  const browser = new Browser(baseUrl);
  const email = `crowd${index + 1}@bench.example`;
  const name = `Crowd ${index + 1}`;
  const answer = await browser.submit('/register', '/register', { name, email, password: PASSWORD, confirm: PASSWORD });
  expectStatus(`registering ${email}`, answer, 303);
  await logIn(browser, email);
  const { csrfToken } = await createTodos(browser, todos, index);
  return { email, cookie: browser.cookie!, csrfToken };
}

/** Runs `task` for 0..count-1, at most `limit` at a time, keeping the order of the answers. */
async function inParallel<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

/**
 * Everything the cases need, made through the app as its users would: the administrator set up on
 * /setup, todos created through the form, an API token from the account page, and the crowd
 * registered on /register (the app runs with REGISTRATION=open).
 */
export async function seedThroughApp(app: RunningApp, plan: SeedPlan): Promise<Seed> {
  const baseUrl = app.url;
  const browser = new Browser(baseUrl);
  const email = 'bench@bench.example';
  const account = { name: 'Bench User', email, password: PASSWORD, confirm: PASSWORD };
  // The token a production instance asks for, as its operator gets it (todobox setup:token).
  const setup = await browser.submit('/setup', '/setup', { ...account, setupToken: app.setupToken() });
  expectStatus('setting up the administrator', setup, 303);
  await logIn(browser, email);
  const { ids, csrfToken } = await createTodos(browser, plan.todos, 0);
  // Shown on the page the form redirects to (an older checkout answered the form itself, 201).
  const created = await browser.submit('/account/tokens', '/account/tokens', { name: 'bench' });
  const tokens = created.status === 201 ? created : expectStatus('showing the new API token', await browser.get('/account/tokens'), 200);
  if (created.status !== 201) expectStatus('creating an API token', created, 303);
  const apiToken = /id="new-token"[^>]*value="(tbx_[^"]+)"/.exec(tokens.text)?.[1];
  if (!apiToken) throw new Error('The token page showed no new token');
  const crowd = await inParallel(plan.crowd, SEED_CONCURRENCY, (index) => seedCrowdUser(baseUrl, index, plan.crowdTodos));
  return { main: { email, cookie: browser.cookie!, csrfToken, todoIds: ids, apiToken }, crowd };
}
