import type { Client, ClientResponse, HttpMethod, RequestOptions } from './client.ts';
import { csrfTokenOf, jsonOf, nextDay, plannedDayOf, redirectsTo, todoIdOfLocation, todoIdsOf } from './pages.ts';
import type { Credentials } from './settings.ts';
import type { JourneyStep } from './steps.ts';

/**
 * The journeys of the mix, as real users make them: a browser user through the pages and their
 * forms (CSRF token taken from each form, as the browser sends it), a script through /api/todos
 * with a personal token. Each request is one step, checked by its status and a content marker;
 * a journey that cannot go on (no token on a form, no todo created) stops there, its failed
 * check recorded.
 */

export interface JourneyContext {
  user: Credentials;
  /** A personal API token of some load user (the API journey's credential). */
  apiToken?: string;
  /** The iteration's number in the test (0, 1, 2…): spreads choices over the data. */
  iteration: number;
}

export type Journey = (client: Client, context: JourneyContext) => Promise<void>;

/** The word every todo of the load test has in its title, which the search step looks for. */
export const SEARCH_WORD = 'load';

/** A todo's details as a user writes them, in Markdown the app renders (bold, emphasis, a list, code, a table). */
export const MARKDOWN_DETAILS = [
  '**Load test** todo with _Markdown_:',
  '',
  '- first item',
  '- `code` in the second',
  '',
  '| step | done |',
  '| ---- | ---- |',
  '| one  | yes  |',
].join('\n');
/** What the todo page shows of it, rendered. */
export const RENDERED_MARKDOWN_MARKER = '<strong>Load test</strong>';

const PAGE_HEADERS = { accept: 'text/html,application/xhtml+xml' };

type Expectations = Record<string, (response: ClientResponse) => boolean>;

/** One request of a step and its checks; answers the response and whether every check passed. */
async function step(
  client: Client,
  name: JourneyStep,
  method: HttpMethod,
  path: string,
  options: RequestOptions,
  expectations: Expectations,
): Promise<{ response: ClientResponse; ok: boolean }> {
  const response = await client.request(name, method, path, options);
  let ok = true;
  for (const [label, expectation] of Object.entries(expectations)) {
    let passed = false;
    try {
      passed = expectation(response);
    } catch {
      passed = false;
    }
    ok = client.check(name, label, passed) && ok;
  }
  return { response, ok };
}

const status = (expected: number) => ({ [`status ${expected}`]: (response: ClientResponse) => response.status === expected });
const contains = (label: string, marker: string) => ({ [label]: (response: ClientResponse) => response.body.includes(marker) });
const page = (name: JourneyStep, client: Client, path: string, expectations: Expectations) =>
  step(client, name, 'GET', path, { headers: PAGE_HEADERS }, { ...status(200), ...expectations });
const post = (name: JourneyStep, client: Client, path: string, form: Record<string, string>, expectations: Expectations) =>
  step(client, name, 'POST', path, { form, headers: PAGE_HEADERS }, expectations);
const redirect = (label: string, path: string | RegExp) => ({ [label]: (response: ClientResponse) => redirectsTo(response, path) });

/** A browser session of the journeys: logged in, with the CSRF token of the latest page. */
interface Session {
  csrf: string;
}

/** Opens the login page, logs in, and lands on the dashboard; undefined when any of it failed. */
async function logIn(client: Client, user: Credentials): Promise<Session | undefined> {
  const form = await page('login_page', client, '/login', contains('shows the login form', 'action="/login"'));
  const loginToken = csrfTokenOf(form.response.body);
  if (!form.ok || !loginToken) return undefined;
  const login = await post('login', client, '/login', { _csrf: loginToken, email: user.email, password: user.password }, redirect('redirects to the dashboard', '/'));
  if (!login.ok) return undefined;
  // The login started a new session: its forms carry a new token.
  const dashboard = await page('dashboard', client, '/', contains('shows the dashboard', '<h1>Dashboard</h1>'));
  const csrf = csrfTokenOf(dashboard.response.body);
  return dashboard.ok && csrf ? { csrf } : undefined;
}

async function logOut(client: Client, session: Session): Promise<void> {
  await post('logout', client, '/logout', { _csrf: session.csrf }, redirect('redirects to the login page', '/login'));
}

async function todayAndSearch(client: Client): Promise<number[]> {
  const today = await page('list_today', client, '/todos/today', contains("shows today's list", '<h1>Today</h1>'));
  const search = await page('search', client, `/todos/upcoming?q=${SEARCH_WORD}`, contains('shows the matches', `matching "${SEARCH_WORD}"`));
  return [...todoIdsOf(today.response.body), ...todoIdsOf(search.response.body)];
}

/** A reader: logs in, looks at the dashboard, today's list and a search, opens one todo, logs out. */
export const browserReader: Journey = async (client, { user, iteration }) => {
  const session = await logIn(client, user);
  if (!session) return;
  const ids = await todayAndSearch(client);
  if (ids.length > 0) {
    const id = ids[iteration % ids.length];
    await page('view_todo', client, `/todos/${id}`, contains('shows the todo', 'class="card todo-detail"'));
  }
  await logOut(client, session);
};

/**
 * A writer: logs in, reads like a reader, then creates a todo with Markdown, opens it, marks it
 * done, re-assigns it to the day after, deletes it and logs out. What it creates it deletes, so a
 * long run keeps the data it started with.
 */
export const browserWriter: Journey = async (client, { user, iteration }) => {
  const session = await logIn(client, user);
  if (!session) return;
  await todayAndSearch(client);

  const form = await page('new_todo_form', client, '/todos/new', contains('shows the new todo form', 'action="/todos"'));
  const formToken = csrfTokenOf(form.response.body);
  if (!form.ok || !formToken) return;
  const title = `Load test todo ${iteration}`;
  const created = await post(
    'create_todo',
    client,
    '/todos',
    { _csrf: formToken, title, details: MARKDOWN_DETAILS, when: 'today', date: '' },
    redirect('redirects to the new todo', /^\/todos\/\d+$/),
  );
  const id = todoIdOfLocation(created.response.headers.location);
  if (!created.ok || id === undefined) return;
  const todoPath = `/todos/${id}`;

  const shown = await page('view_todo', client, todoPath, contains('shows the Markdown rendered', RENDERED_MARKDOWN_MARKER));
  const todoToken = csrfTokenOf(shown.response.body);
  const planned = plannedDayOf(shown.response.body);
  if (!shown.ok || !todoToken || !planned) return;

  const done = await post('mark_done', client, `${todoPath}/status`, { _csrf: todoToken, status: 'done' }, redirect('redirects to the todo', todoPath));
  if (!done.ok) return;
  await page('view_todo', client, todoPath, contains('shows it done', '<span class="status status-done">'));

  const tomorrow = nextDay(planned);
  const moved = await post(
    'reassign_todo',
    client,
    `${todoPath}/status`,
    { _csrf: todoToken, status: 'reassign', toDate: tomorrow },
    redirect('redirects to the todo', todoPath),
  );
  if (!moved.ok) return;
  await page('view_todo', client, todoPath, contains('shows it moved to the next day', `Planned for <time datetime="${tomorrow}">`));

  const confirm = await page('delete_confirm', client, `${todoPath}/delete`, contains('asks to confirm', 'Delete this todo?'));
  const deleteToken = csrfTokenOf(confirm.response.body);
  if (!confirm.ok || !deleteToken) return;
  const deleted = await post('delete_todo', client, `${todoPath}/delete`, { _csrf: deleteToken }, redirect("redirects to today's list", '/todos/today'));
  if (!deleted.ok) return;
  await page('list_today', client, '/todos/today', contains('says it was deleted', 'deleted.</div>'));

  await logOut(client, session);
};

interface ApiTodo {
  id: number;
  status: string;
  history?: unknown[];
}

const isApiTodo = (value: unknown): value is ApiTodo =>
  typeof value === 'object' && value !== null && typeof (value as ApiTodo).id === 'number' && typeof (value as ApiTodo).status === 'string';

/** A script: lists today's todos, creates one, reads it, marks it done and deletes it, with a personal token. */
export const apiUser: Journey = async (client, { apiToken, iteration }) => {
  const headers = { accept: 'application/json', authorization: `Bearer ${apiToken ?? ''}` };
  const api = (name: JourneyStep, method: HttpMethod, path: string, json: unknown, expectations: Expectations) =>
    step(client, name, method, path, json === undefined ? { headers } : { headers, json }, expectations);

  await api('api_list', 'GET', '/api/todos?list=today', undefined, {
    ...status(200),
    'answers a page of todos': (response) => Array.isArray((jsonOf(response.body) as { items?: unknown }).items),
  });
  const created = await api('api_create', 'POST', '/api/todos', { title: `Load test API todo ${iteration}`, details: MARKDOWN_DETAILS }, {
    ...status(201),
    'answers the new todo': (response) => isApiTodo(jsonOf(response.body)),
  });
  const todo = jsonOf(created.response.body);
  if (!created.ok || !isApiTodo(todo)) return;
  const path = `/api/todos/${todo.id}`;
  await api('api_get', 'GET', path, undefined, {
    ...status(200),
    'answers the todo with its history': (response) => {
      const read = jsonOf(response.body);
      return isApiTodo(read) && read.id === todo.id && Array.isArray(read.history);
    },
  });
  await api('api_update', 'PATCH', path, { status: 'done' }, {
    ...status(200),
    'answers it done': (response) => (jsonOf(response.body) as ApiTodo).status === 'done',
  });
  await api('api_delete', 'DELETE', path, undefined, status(204));
};

export const JOURNEYS = { browser_reader: browserReader, browser_writer: browserWriter, api_user: apiUser } as const;
export type JourneyName = keyof typeof JOURNEYS;
export const JOURNEY_NAMES = Object.keys(JOURNEYS) as JourneyName[];
