import { failingServer, slowServer, type ToyServer } from './toyServers';
import { runRunner } from './runnerProcess';

/** What `npm run loadtest` answers with, as a CI job reads it: 99 for failed thresholds and 105 when stopped from outside, as k6; 1 when it cannot run. */

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
    expect(run.stderr).toContain('--rate (RATE) must be a positive number (got "fast")');
    expect(server.requests()).toBe(before);
    expect(run.files).toEqual([]);
  }, 60_000);

  it('exits 1 before any request when its results could not be kept, and when told both --url and --local-app', async () => {
    const before = server.requests();
    const unwritable = await runRunner(['--scenario', 'smoke', '--url', server.url, '--iterations', '2'], { ...GIVEN_USERS, SUMMARY_DIR: '/proc/no-results-here' }, 30_000);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toContain('SUMMARY_DIR /proc/no-results-here cannot hold the results');
    const both = await runRunner(['--scenario', 'smoke', '--url', server.url, '--local-app', 'sqlite'], GIVEN_USERS, 30_000);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('--url names a deployment and --local-app starts one here: give one of them');
    expect(server.requests()).toBe(before);
  }, 60_000);

  it('says there was no answer at all when nothing listens at BASE_URL', async () => {
    const closed = await failingServer();
    await closed.close();
    const run = await runRunner(['--scenario', 'smoke', '--url', closed.url], { ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'whatever password' }, 30_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('got no answer: connection refused (nothing listens there) (is BASE_URL right, and the app up?)');
  }, 60_000);

  it('stopped by SIGTERM (a cancelled CI job), ends the load, writes the summary saying so, and exits 105', async () => {
    const slow = await slowServer(20);
    try {
      const run = await runRunner(
        ['--scenario', 'load', '--url', slow.url, '--rate', '4', '--ramp-up', '1s', '--duration', '60s', '--ramp-down', '1s', '--no-latency-thresholds'],
        GIVEN_USERS,
        60_000,
        { name: 'SIGTERM', after: 'setup: preparing' },
      );
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 105, stderr: expect.stringContaining('Stopping (SIGTERM): teardown and summary follow') });
      expect(run.summary?.run?.stoppedEarly).toMatch(/^stopped by SIGTERM after \d+ s of load$/);
      expect(run.summary?.iterations).toBeLessThan(20);
      expect(run.files).toEqual(['load-junit.xml', 'load-report.html', 'load-summary.json']);
    } finally {
      await slow.close();
    }
  }, 60_000);
});
