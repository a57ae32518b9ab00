import type { Answer } from './browser';
import { request } from './browser';
import type { Seed } from './seed';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** What a case's writes should have left behind: a count read before and after the run. */
export interface WriteCheck {
  count(baseUrl: string, seed: Seed): Promise<number>;
  /** Writes per request sent (1 for a run of creates, 0.1 for a mix with every tenth a write). */
  perRequest: number;
}

export interface BenchCase {
  id: string;
  title: string;
  /** Part of `--quick`. */
  main: boolean;
  /** The connection counts it runs at. */
  connections: number[];
  /** The requests of a run, sent in this order and over again. */
  requests(seed: Seed): LoadRequest[];
  /** Why an answer is not the full page the case measures, or undefined when it is. */
  check(answer: Answer, sent: LoadRequest, seed: Seed): string | undefined;
  writes?: WriteCheck;
  /** Settings the app needs for this case; such cases are measured on an app started with them. */
  appEnv?: Record<string, string>;
  /** Reads the lists of the other seeded users, who are created only for such cases. */
  readsCrowd?: boolean;
}

const TOMORROW_FORM_FIELDS = {
  title: 'Created under load',
  details: 'Made by **npm run bench**: a [link](https://example.com), `code` and\n\n- a list',
  when: 'tomorrow',
};

function browserGet(path: string, cookie?: string): LoadRequest {
  return { method: 'GET', path, headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } };
}

function createTodoRequest(seed: Seed): LoadRequest {
  return {
    method: 'POST',
    path: '/todos',
    headers: { accept: 'text/html', cookie: seed.main.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: seed.main.csrfToken, ...TOMORROW_FORM_FIELDS }).toString(),
  };
}

function countOf(html: string, marker: string): number {
  return html.split(marker).length - 1;
}

function expectPage(answer: Answer, status: number, ...problems: Array<string | false>): string | undefined {
  if (answer.status !== status) return `status ${answer.status} instead of ${status} (location ${answer.headers.location ?? 'none'})`;
  return problems.find((problem): problem is string => Boolean(problem));
}

function listCheck(items: number) {
  return (answer: Answer) => {
    const found = countOf(answer.text, 'class="todo-item ');
    return expectPage(answer, 200, found !== items && `${found} todos on the page instead of ${items}`);
  };
}

function createCheck(answer: Answer): string | undefined {
  const location = String(answer.headers.location ?? '');
  return expectPage(answer, 303, !/^\/todos\/\d+$/.test(location) && `redirected to ${location || 'nowhere'}, not to a new todo`);
}

/** The main user's todos planned for tomorrow, where the creating cases put theirs. */
async function tomorrowCount(baseUrl: string, seed: Seed): Promise<number> {
  const answer = await request(baseUrl, { path: '/api/todos?list=tomorrow&pageSize=1', headers: { authorization: `Bearer ${seed.main.apiToken}` } });
  if (answer.status !== 200) throw new Error(`Counting tomorrow's todos answered ${answer.status}`);
  return (JSON.parse(answer.text) as { total: number }).total;
}

export const MIX_WRITE_EVERY = 10;

export function benchCases(plan: { todos: number; crowdTodos: number; pageSize: number }): BenchCase[] {
  const crowd: BenchCase = {
    id: 'crowd',
    title: 'today, a different user each request',
    main: false,
    connections: [32],
    requests: (seed) => seed.crowd.map((user) => browserGet('/todos/today', user.cookie)),
    check: listCheck(Math.min(plan.pageSize, plan.crowdTodos)),
    readsCrowd: true,
  };
  return [
    {
      id: 'login',
      title: 'login page',
      main: true,
      connections: [32, 1],
      requests: () => [browserGet('/login')],
      check: (answer) => expectPage(answer, 200, !answer.text.includes('name="password"') && 'no password field'),
    },
    {
      id: 'list',
      title: `today, ${plan.pageSize} per page`,
      main: true,
      connections: [32, 1],
      requests: (seed) => [browserGet('/todos/today', seed.main.cookie)],
      check: listCheck(Math.min(plan.pageSize, plan.todos)),
    },
    {
      id: 'list-all',
      title: `today, all ${plan.todos} on one page`,
      main: true,
      connections: [32, 1],
      requests: (seed) => [browserGet(`/todos/today?pageSize=${plan.todos}`, seed.main.cookie)],
      check: listCheck(plan.todos),
    },
    {
      id: 'todo',
      title: "one todo's page",
      main: true,
      connections: [32, 1],
      requests: (seed) => [browserGet(`/todos/${seed.main.todoIds[0]}`, seed.main.cookie)],
      check: (answer) => expectPage(answer, 200, !answer.text.includes('class="markdown-body"') && 'no rendered details'),
    },
    {
      id: 'create',
      title: 'create a todo (POST)',
      main: true,
      connections: [32, 1],
      requests: (seed) => [createTodoRequest(seed)],
      check: createCheck,
      writes: { count: tomorrowCount, perRequest: 1 },
    },
    {
      id: 'api-list',
      title: `API: today's ${plan.todos} todos`,
      main: true,
      connections: [32, 1],
      requests: (seed) => [
        { method: 'GET', path: `/api/todos?list=today&pageSize=${plan.todos}`, headers: { authorization: `Bearer ${seed.main.apiToken}` } },
      ],
      check: (answer) => {
        if (answer.status !== 200) return `status ${answer.status} instead of 200`;
        const items = (JSON.parse(answer.text) as { items: unknown[] }).items.length;
        return items === plan.todos ? undefined : `${items} todos instead of ${plan.todos}`;
      },
    },
    {
      id: 'healthz',
      title: '/healthz',
      main: true,
      connections: [32, 1],
      requests: () => [{ method: 'GET', path: '/healthz', headers: {} }],
      check: (answer) => expectPage(answer, 200, !answer.text.includes('"ok"') && 'not ok'),
    },
    crowd,
    { ...crowd, id: 'crowd-uncached', title: `${crowd.title}, no page cache`, appEnv: { PAGE_CACHE_MB: '0' } },
    {
      id: 'mix',
      title: `today, every ${MIX_WRITE_EVERY}th request a write`,
      main: false,
      connections: [32],
      requests: (seed) => [...Array.from({ length: MIX_WRITE_EVERY - 1 }, () => browserGet('/todos/today', seed.main.cookie)), createTodoRequest(seed)],
      check: (answer, sent) => (sent.method === 'POST' ? createCheck(answer) : listCheck(Math.min(plan.pageSize, plan.todos))(answer)),
      writes: { count: tomorrowCount, perRequest: 1 / MIX_WRITE_EVERY },
    },
  ];
}

/** The bytes of an answer as they crossed the wire (status line, headers, body), near enough. */
export function wireBytes(answer: Answer): number {
  const head = Object.entries(answer.headers).reduce((sum, [name, value]) => {
    const values = Array.isArray(value) ? value : [value];
    return sum + values.reduce((lineSum, each) => lineSum + name.length + 2 + String(each).length + 2, 0);
  }, 'HTTP/1.1 200 OK\r\n'.length + 2);
  return head + answer.body.length;
}
