import { spawnSync } from 'node:child_process';

/** The value of one sample in a Prometheus text exposition, or undefined when the series is absent. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** Every series (name and labels as written) of one metric name. */
export function seriesOf(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `)).map((line) => line.replace(/ \S+$/, ''));
}

/** The label values one label takes across a metric's series. */
export function labelValues(text: string, name: string, label: string): Set<string> {
  const pattern = new RegExp(`${label}="((?:[^"\\\\]|\\\\.)*)"`);
  return new Set(seriesOf(text, name).map((series) => pattern.exec(series)?.[1]).filter((value): value is string => value !== undefined));
}

export const promtoolAvailable = (): boolean => spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;

/** promtool's complaints about an exposition (`promtool check metrics`), one per line. */
export function promtoolComplaints(text: string): string[] {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text.endsWith('\n') ? text : `${text}\n`, encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
}

/** The metrics the monitoring contract relies on (rules, dashboards, runbooks). */
export const CONTRACT_METRICS = [
  'process_resident_memory_bytes',
  'process_cpu_seconds_total',
  'process_open_fds',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_heap_size_used_bytes',
  'nodejs_heap_size_total_bytes',
  'nodejs_gc_duration_seconds',
  'nodejs_active_handles',
  'http_request_duration_seconds',
  'todobox_login_attempts_total',
  'todobox_unauthorized_requests_total',
  'todobox_db_query_duration_seconds',
  'todobox_db_pool_connections',
  'todobox_db_errors_total',
  'todobox_session_store_errors_total',
  'todobox_page_cache_bytes',
  'todobox_build_info',
];
