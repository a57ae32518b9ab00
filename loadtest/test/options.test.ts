import { testPlan } from '../scenarios';
import { parseRunnerArguments } from '../runner/options';

describe("the runner's command line", () => {
  it("sets the k6 scripts' variables from its flags, over the environment's", () => {
    const { scenario, env } = parseRunnerArguments(
      ['--scenario', 'stress', '--url', 'http://127.0.0.1:9191', '--rate', '15', '--duration', '2m', '--max-vus', '40', '--admin-email', 'admin@example.com', '--no-latency-thresholds'],
      { RATE: '5', ADMIN_PASSWORD: 'secret', DURATION: '1h' },
    );
    expect(scenario).toBe('stress');
    expect(env).toMatchObject({ BASE_URL: 'http://127.0.0.1:9191', RATE: '15', DURATION: '2m', MAX_VUS: '40', LATENCY_THRESHOLDS: 'false', ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'secret' });
    const plan = testPlan(scenario, env);
    expect(plan.profile).toMatchObject({ executor: 'ramping-arrival-rate', maxVUs: 40, stages: [{ target: 15 }, { duration: '2m', target: 15 }, { target: 0 }] });
    expect(Object.keys(plan.options.thresholds).some((key) => key.startsWith('http_req_duration'))).toBe(false);
  });

  it('keeps the environment where no flag is given', () => {
    expect(parseRunnerArguments(['--scenario', 'smoke'], { BASE_URL: 'http://example.test', VUS: '3' }).env).toEqual({ BASE_URL: 'http://example.test', VUS: '3' });
  });

  it('starts the local app only when asked, with the workers given', () => {
    expect(parseRunnerArguments(['--scenario', 'smoke'], {}).localApp).toBeUndefined();
    expect(parseRunnerArguments(['--scenario', 'breakpoint', '--local-app', 'mariadb-redis', '--workers', '2'], {}).localApp).toEqual({ engine: 'mariadb-redis', workers: 2 });
    expect(() => parseRunnerArguments(['--scenario', 'smoke', '--local-app', 'sqlite', '--workers', '0'], {})).toThrow('--workers must be a whole number of at least 1 (got "0")');
    expect(parseRunnerArguments(['--scenario', 'smoke', '--local-app', 'sqlite'], {}).localApp).toEqual({ engine: 'sqlite', workers: 1 });
    expect(() => parseRunnerArguments(['--scenario', 'smoke', '--url', 'http://example.test', '--workers', '3'], {})).toThrow('--workers sets the processes of the app --local-app starts');
  });

  it('refuses an unknown test type and a missing one', () => {
    // commander prints its own message on stderr before it throws: kept out of the test's output.
    const parse = (argv: string[]) => () => {
      const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        parseRunnerArguments(argv, {});
      } finally {
        spy.mockRestore();
      }
    };
    expect(parse(['--scenario', 'burst'])).toThrow(/Allowed choices are smoke, load, stress, spike, soak, breakpoint/);
    expect(parse([])).toThrow(/--scenario <type>' not specified/);
  });
});
