/** The parts of Prometheus's HTTP API (/api/v1) the live check reads. */

export interface Sample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
}

export interface QueryResult {
  ok: boolean;
  error?: string;
  series: Sample[];
}

export interface RuleState {
  name: string;
  type: 'recording' | 'alerting';
  health: string;
  lastError?: string;
  state?: string;
}

export interface TargetState {
  job: string;
  health: string;
  lastError: string;
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data?: T;
  error?: string;
  errorType?: string;
}

const REQUEST_TIMEOUT_MS = 15_000;

export function prometheusApi(baseUrl: string) {
  async function get<T>(endpoint: string, params: Record<string, string> = {}): Promise<ApiAnswer<T>> {
    const url = `${baseUrl}/api/v1/${endpoint}?${new URLSearchParams(params).toString()}`;
    const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    return (await res.json()) as ApiAnswer<T>;
  }

  function resultOf(answer: ApiAnswer<{ resultType: string; result: unknown }>): QueryResult {
    if (answer.status !== 'success' || !answer.data) return { ok: false, error: `${answer.errorType}: ${answer.error}`, series: [] };
    const { resultType, result } = answer.data;
    if (resultType === 'scalar') return { ok: true, series: [{ metric: {}, value: result as [number, string] }] };
    return { ok: true, series: result as Sample[] };
  }

  return {
    async instant(query: string, time = Date.now() / 1000): Promise<QueryResult> {
      return resultOf(await get('query', { query, time: String(time) }));
    },
    async range(query: string, start: number, end: number, step = 2): Promise<QueryResult> {
      return resultOf(await get('query_range', { query, start: String(start), end: String(end), step: String(step) }));
    },
    async rules(): Promise<RuleState[]> {
      const answer = await get<{ groups: Array<{ rules: RuleState[] }> }>('rules');
      if (answer.status !== 'success' || !answer.data) throw new Error(`/api/v1/rules: ${answer.error}`);
      return answer.data.groups.flatMap((group) => group.rules);
    },
    async targets(): Promise<TargetState[]> {
      const answer = await get<{ activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string }> }>('targets');
      if (answer.status !== 'success' || !answer.data) throw new Error(`/api/v1/targets: ${answer.error}`);
      return answer.data.activeTargets.map((target) => ({ job: target.labels.job, health: target.health, lastError: target.lastError }));
    },
  };
}

export type PrometheusApi = ReturnType<typeof prometheusApi>;

/** True when a query answered at least one sample (a range query: at least one point in some series). */
export function hasData(result: QueryResult): boolean {
  return result.series.some((sample) => sample.value !== undefined || (sample.values ?? []).length > 0);
}
