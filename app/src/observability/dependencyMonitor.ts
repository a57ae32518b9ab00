import { withinDeadline } from '../shared';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { Dependency, DependencyFailure, dependencyFailureOf, DependencyTimeoutError } from './dependencyErrors';

export type DependencyProbe = () => Promise<unknown>;
export type CheckResult = Partial<Record<Dependency, 'ok' | 'failed'>>;

export interface DependencyMonitorOptions {
  logger: Logger;
  metrics: Metrics;
  /** How each dependency is asked whether it answers (SELECT 1, PING). */
  probes: Partial<Record<Dependency, DependencyProbe>>;
  probeTimeoutMs?: number;
  /** While a dependency is down, it is probed this often so its recovery is noticed without traffic. */
  recheckIntervalMs?: number;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Tracks outages of the database and Redis. Every failed operation is counted; an outage is logged
 * once when it starts ("dependency down") and once when it ends ("dependency recovered", with its
 * duration), however many requests fail in between.
 */
export function createDependencyMonitor({
  logger,
  metrics,
  probes,
  probeTimeoutMs = 2_000,
  recheckIntervalMs = 1_000,
}: DependencyMonitorOptions) {
  const downSince = new Map<Dependency, number>();
  let recheckTimer: NodeJS.Timeout | undefined;

  function count(failure: DependencyFailure): void {
    if (failure.dependency === 'database') metrics.dbErrors.inc({ kind: failure.kind });
    else metrics.sessionStoreErrors.inc();
  }

  function markDown(dependency: Dependency, error: unknown): void {
    if (downSince.has(dependency)) return;
    downSince.set(dependency, Date.now());
    logger.error(`Dependency down: ${dependency}`, { event: 'dependency_down', dependency, detail: errorMessage(error) });
    recheckTimer ??= setInterval(() => void recheck(), recheckIntervalMs).unref();
  }

  function markUp(dependency: Dependency): void {
    const since = downSince.get(dependency);
    if (since === undefined) return;
    downSince.delete(dependency);
    const outageSeconds = Math.round((Date.now() - since) / 100) / 10;
    logger.info(`Dependency recovered: ${dependency}`, { event: 'dependency_recovered', dependency, outageSeconds });
    if (downSince.size === 0 && recheckTimer) {
      clearInterval(recheckTimer);
      recheckTimer = undefined;
    }
  }

  async function probe(dependency: Dependency, run: DependencyProbe): Promise<'ok' | 'failed'> {
    try {
      await withinDeadline(run(), probeTimeoutMs, () => new DependencyTimeoutError(dependency, probeTimeoutMs));
      markUp(dependency);
      return 'ok';
    } catch (error) {
      const failure = dependencyFailureOf(error) ?? { dependency, kind: 'probe' };
      count({ ...failure, dependency });
      markDown(dependency, error);
      return 'failed';
    }
  }

  // A probe can outlast the interval (a database query may wait for a pool connection); starting
  // another meanwhile would only pile queries onto the outage.
  let rechecking = false;
  async function recheck(): Promise<void> {
    if (rechecking) return;
    rechecking = true;
    try {
      await Promise.all([...downSince.keys()].map((dependency) => probes[dependency] && probe(dependency, probes[dependency])));
    } finally {
      rechecking = false;
    }
  }

  return {
    /**
     * Records an error raised while serving a request or by a client. Returns what it says about a
     * dependency, or null when it is not an outage (a bug, bad input).
     */
    recordError(error: unknown): DependencyFailure | null {
      const failure = dependencyFailureOf(error);
      if (!failure) return null;
      count(failure);
      markDown(failure.dependency, error);
      return failure;
    },
    /** A client lost its connection (Redis 'error' event): an outage starts, no request failed yet. */
    markDown,
    /** A client is connected again (Redis 'ready' event). */
    markUp,
    /** Asks every dependency whether it answers; used by /readyz. */
    async check(): Promise<CheckResult> {
      const entries = await Promise.all(
        (Object.entries(probes) as Array<[Dependency, DependencyProbe]>).map(async ([dependency, run]) => [dependency, await probe(dependency, run)] as const),
      );
      return Object.fromEntries(entries);
    },
    isDown(dependency: Dependency): boolean {
      return downSince.has(dependency);
    },
    close(): void {
      if (recheckTimer) clearInterval(recheckTimer);
      recheckTimer = undefined;
    },
  };
}

export type DependencyMonitor = ReturnType<typeof createDependencyMonitor>;
