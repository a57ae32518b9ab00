import { failingServer, type ToyServer } from './toyServers';
import { runRunner } from './runnerProcess';

/** What `npm run loadtest` answers with, as a CI job reads it: 99 for failed thresholds, as k6; 1 when it cannot run. */

// Given users and tokens, setup() sends nothing: every request is an iteration's.
const GIVEN_USERS = { LOAD_USERS: 'someone@example.com:a password here', API_TOKENS: 'tbx_not_a_real_token' };

describe('npm run loadtest', () => {
  let server: ToyServer;
  beforeAll(async () => {
    server = await failingServer();
  });
  afterAll(() => server.close());

  it('exits 99 when a threshold fails (a server answering 500 fails the checks), writing the summary, JUnit XML and report', async () => {
    const run = await runRunner(['--scenario', 'smoke', '--url', server.url, '--iterations', '5', '--vus', '1'], GIVEN_USERS);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 99, stderr: expect.any(String) });
    expect(run.files).toEqual(['smoke-junit.xml', 'smoke-report.html', 'smoke-summary.json']);
    expect(run.summary).toMatchObject({ testType: 'smoke', generator: 'node', iterations: 5, passed: false });
    expect(run.summary?.failedRequests).toBe(run.summary?.requests);
    const failed = run.summary?.thresholds.filter((result) => !result.ok).map((result) => `${result.metric} ${result.threshold}`);
    expect(failed).toEqual(expect.arrayContaining(['http_req_failed rate<0.001', 'checks rate>0.99']));
    expect(run.stdout).toContain('THRESHOLDS FAILED');
  }, 60_000);

  it('exits 1 naming a wrong setting, before any request', async () => {
    const before = server.requests();
    const run = await runRunner(['--scenario', 'load', '--url', server.url, '--rate', 'fast'], GIVEN_USERS);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('RATE must be a positive number (got "fast")');
    expect(server.requests()).toBe(before);
    expect(run.files).toEqual([]);
  }, 60_000);
});
