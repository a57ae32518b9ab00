import type { Client, ClientResponse, RequestOptions } from './client.ts';
import type { CreatedData, LoadData } from './mix.ts';
import { csrfTokenOf, jsonOf, newTokenOf, nextDay, redirectsTo, retryAfterSeconds, tokenIdOnTokensPage, userIdOnUsersPage } from './pages.ts';
import { peakRatePerSecond, type LoadProfile } from './profiles.ts';
import type { Credentials, LoadSettings } from './settings.ts';
import type { SetupStep } from './steps.ts';
import { MARKDOWN_DETAILS } from './journeys.ts';

/**
 * setup() and teardown(): the load users and their data. With ADMIN_EMAIL and ADMIN_PASSWORD the
 * users are created as an administrator creates them (/admin/users/new), each gets a personal
 * token (/account/tokens) and SEED_TODOS todos (through the API), and teardown() deletes the
 * accounts with all their data. With LOAD_USERS and no API_TOKENS, each given user gets a token
 * for the run, revoked at the end. Every request is tagged with a setup_* or teardown_* step, apart
 * from the journeys' own. A 429 or 503 with a short Retry-After is waited out and sent again (a
 * login throttle or a rolling restart should not end a test before it starts); anything else that
 * fails throws: a test without its users is no test.
 */

/** The longest Retry-After setup waits out, and how often it sends one request again. */
export const SETUP_RETRY_WAIT_LIMIT_SECONDS = 30;
export const SETUP_RETRIES = 3;

/** Makes a client with a cookie jar of its own (a browser of its own). */
export type ClientFactory = () => Client;

/** The accounts a test needs: few enough logins in flight per account that the app's per-account throttle (5) never counts one against it. */
export function defaultUserCount(profile: LoadProfile): number {
  if (profile.executor === 'shared-iterations') return Math.min(profile.vus, 5);
  return Math.min(200, Math.max(5, Math.ceil(peakRatePerSecond(profile) / 2)));
}

const PAGE_HEADERS = { accept: 'text/html,application/xhtml+xml' };

function randomText(length: number): string {
  let text = '';
  while (text.length < length) text += Math.random().toString(36).slice(2);
  return text.slice(0, length);
}

/** A name unique to this run, for the accounts and tokens it makes. */
export function newRunId(): string {
  return `${Date.now().toString(36)}${randomText(4)}`;
}

/** A setup request, sent again after the wait a short Retry-After asks for. */
async function send(client: Client, step: SetupStep, method: 'GET' | 'POST', path: string, options: RequestOptions): Promise<ClientResponse> {
  for (let retries = 0; ; retries++) {
    const response = await client.request(step, method, path, { ...options, headers: { ...PAGE_HEADERS, ...options.headers } });
    const wait = retryAfterSeconds(response);
    if (wait === undefined || wait > SETUP_RETRY_WAIT_LIMIT_SECONDS || retries === SETUP_RETRIES) return response;
    await client.pause(wait);
  }
}

/**
 * Sends a setup or teardown request and checks its answer; `what` names the check (the same for
 * every user, so a run's check names stay few), `about` the account it concerns, for the error only.
 */
async function expect(client: Client, step: SetupStep, method: 'GET' | 'POST', path: string, options: RequestOptions, ok: (response: ClientResponse) => boolean, what: string, about?: string): Promise<ClientResponse> {
  const response = await send(client, step, method, path, options);
  if (!client.check(step, what, ok(response))) {
    // Status 0: no answer at all (a Client never rejects), most often a wrong BASE_URL or an app that is down.
    const answer = response.status === 0 ? `got no answer: ${response.error ?? 'no reason given'} (is BASE_URL right, and the app up?)` : `answered ${response.status}`;
    throw new Error(`${step}: ${method} ${path}${about ? ` (${about})` : ''} ${answer}, expected ${what}${retryHint(response)}`);
  }
  return response;
}

function retryHint(response: ClientResponse): string {
  const wait = retryAfterSeconds(response);
  const after = wait === undefined ? '' : `, asked to come back in ${wait} s`;
  return response.status === 429 ? ` (throttled${after}: see loadtest/README.md, "Letting the load generator through")` : after ? ` (${after.slice(2)})` : '';
}

async function page(client: Client, step: SetupStep, path: string, marker: string): Promise<{ response: ClientResponse; csrf: string }> {
  const response = await expect(client, step, 'GET', path, {}, (answer) => answer.status === 200 && answer.body.includes(marker) && csrfTokenOf(answer.body) !== undefined, `200 with ${marker}`);
  return { response, csrf: csrfTokenOf(response.body) as string };
}

/** The steps a login and a logout are tagged with, in setup() and in teardown(). */
const SESSION_STEPS = {
  setup: { loginPage: 'setup_login_page', login: 'setup_login', tokenPage: 'setup_token_page', logout: 'setup_logout' },
  teardown: { loginPage: 'teardown_login_page', login: 'teardown_login', tokenPage: 'teardown_token_page', logout: 'teardown_logout' },
} as const satisfies Record<string, Record<string, SetupStep>>;
type Phase = keyof typeof SESSION_STEPS;

/** Logs a fresh client in; answers the tokens page it then opens, with its CSRF token. */
async function logIn(client: Client, user: Credentials, phase: Phase): Promise<{ response: ClientResponse; csrf: string }> {
  const steps = SESSION_STEPS[phase];
  const form = await page(client, steps.loginPage, '/login', 'action="/login"');
  await expect(client, steps.login, 'POST', '/login', { form: { _csrf: form.csrf, email: user.email, password: user.password } }, (answer) => redirectsTo(answer, /^\//), 'a redirect after logging in', user.email);
  return page(client, steps.tokenPage, '/account/tokens', 'action="/account/tokens"');
}

async function logOut(client: Client, csrf: string, phase: Phase): Promise<void> {
  await expect(client, SESSION_STEPS[phase].logout, 'POST', '/logout', { form: { _csrf: csrf } }, (answer) => redirectsTo(answer, '/login'), 'a redirect to /login');
}

/** Creates a personal token named `name` for the logged-in user of `client`; answers it. */
async function createToken(client: Client, csrf: string, name: string): Promise<string> {
  await expect(client, 'setup_create_token', 'POST', '/account/tokens', { form: { _csrf: csrf, name } }, (answer) => redirectsTo(answer, '/account/tokens'), 'a redirect to /account/tokens');
  const shown = await page(client, 'setup_token_page', '/account/tokens', 'id="new-token"');
  const token = newTokenOf(shown.response.body);
  if (!token) throw new Error('setup_token_page: the tokens page shows no new token');
  return token;
}

/** `count` todos through the API: today, tomorrow and the day after in turn, titled with the search word. */
async function seedTodos(client: Client, token: string, count: number): Promise<void> {
  const headers = { accept: 'application/json', authorization: `Bearer ${token}` };
  let today: string | undefined;
  for (let index = 0; index < count; index++) {
    const offset = index % 3;
    let scheduledFor: string | undefined;
    if (today !== undefined && offset > 0) scheduledFor = offset === 1 ? nextDay(today) : nextDay(nextDay(today));
    const json = { title: `Load test seed todo ${index + 1}`, details: MARKDOWN_DETAILS, ...(scheduledFor ? { scheduledFor } : {}) };
    const answer = await expect(client, 'setup_seed_todo', 'POST', '/api/todos', { json, headers }, (response) => response.status === 201, '201 Created');
    // The first is planned for the server's today: the others count from the server's day, not this machine's.
    today ??= (jsonOf(answer.body) as { scheduledFor?: string }).scheduledFor;
  }
}

function emailOf(runId: string, index: number): string {
  return `load-${runId}-${index + 1}@example.com`;
}

/**
 * What the iterations share, prepared as the settings say: accounts created with the admin
 * credential, or the given LOAD_USERS (with API_TOKENS, or tokens made for them here).
 */
export async function prepareLoadData(newClient: ClientFactory, settings: LoadSettings, profile: LoadProfile, runId: string = newRunId()): Promise<LoadData> {
  const created: CreatedData = { users: [], tokens: [] };
  const tokenName = `load test ${runId}`;
  if (settings.users.length > 0) {
    const apiTokens = [...settings.apiTokens];
    if (apiTokens.length === 0) {
      for (const user of settings.users) {
        const client = newClient();
        const { csrf } = await logIn(client, user, 'setup');
        apiTokens.push(await createToken(client, csrf, tokenName));
        created.tokens.push({ email: user.email, name: tokenName });
        await logOut(client, csrf, 'setup');
      }
    }
    return { users: settings.users, apiTokens, created };
  }
  if (!settings.admin) throw new Error('Give LOAD_USERS (email:password,…), or ADMIN_EMAIL and ADMIN_PASSWORD for setup() to create load users');

  const admin = newClient();
  await logIn(admin, settings.admin, 'setup');
  const form = await page(admin, 'setup_user_form', '/admin/users/new', 'action="/admin/users"');
  const users: Credentials[] = [];
  const count = settings.userCount ?? defaultUserCount(profile);
  for (let index = 0; index < count; index++) {
    const user = { email: emailOf(runId, index), password: `load-${randomText(24)}` };
    await expect(
      admin,
      'setup_create_user',
      'POST',
      '/admin/users',
      { form: { _csrf: form.csrf, name: `Load test user ${index + 1}`, email: user.email, password: user.password, confirm: user.password } },
      (answer) => redirectsTo(answer, '/admin/users'),
      'a redirect to /admin/users after creating a user',
      user.email,
    );
    users.push(user);
    created.users.push(user.email);
  }

  const apiTokens: string[] = [];
  for (const user of users) {
    const client = newClient();
    const { csrf } = await logIn(client, user, 'setup');
    const token = await createToken(client, csrf, tokenName);
    apiTokens.push(token);
    await seedTodos(client, token, settings.seedTodos);
    await logOut(client, csrf, 'setup');
  }
  return { users, apiTokens: settings.apiTokens.length ? settings.apiTokens : apiTokens, created };
}

/** Removes what prepareLoadData created: the accounts (with all their data), or the tokens given users got. */
export async function removeLoadData(newClient: ClientFactory, settings: LoadSettings, data: LoadData): Promise<void> {
  for (const { email, name } of data.created.tokens) {
    const user = settings.users.find((candidate) => candidate.email === email);
    if (!user) continue;
    const client = newClient();
    const tokens = await logIn(client, user, 'teardown');
    const id = tokenIdOnTokensPage(tokens.response.body, name);
    if (id !== undefined) {
      await expect(client, 'teardown_revoke_token', 'POST', `/account/tokens/${id}/revoke`, { form: { _csrf: tokens.csrf } }, (answer) => redirectsTo(answer, '/account/tokens'), 'a redirect to /account/tokens');
    }
    await logOut(client, tokens.csrf, 'teardown');
  }
  if (data.created.users.length === 0) return;
  if (!settings.admin) throw new Error('teardown() needs ADMIN_EMAIL and ADMIN_PASSWORD to delete the load users');
  const admin = newClient();
  await logIn(admin, settings.admin, 'teardown');
  const list = await page(admin, 'teardown_users_page', '/admin/users', '<h1>Users</h1>');
  for (const email of data.created.users) {
    const id = userIdOnUsersPage(list.response.body, email);
    if (id === undefined) continue;
    await expect(admin, 'teardown_delete_user', 'POST', `/admin/users/${id}/delete`, { form: { _csrf: list.csrf } }, (answer) => redirectsTo(answer, '/admin/users'), 'a redirect to /admin/users after deleting a user', email);
  }
}
