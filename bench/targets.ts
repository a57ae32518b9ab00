import type { CaseResult } from './caseResult';

export interface TargetResult {
  id: string;
  description: string;
  goal: string;
  /** The measured figure, or undefined when the run did not include the cases it needs. */
  measured?: string;
  met?: boolean;
}

type Find = (config: string, caseId: string, connections?: number) => CaseResult | undefined;

interface Target {
  id: string;
  description: string;
  goal: string;
  evaluate(find: Find): { measured: string; met: boolean } | undefined;
}

const percent = (ratio: number) => `${(100 * ratio).toFixed(1)} %`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

function ratioAtLeast(id: string, description: string, config: string, caseId: string, floor: number): Target {
  return {
    id,
    description,
    goal: `at least ${percent(floor)} of the ceiling`,
    evaluate: (find) => {
      const row = find(config, caseId);
      return row && { measured: percent(row.ratio.median), met: row.ratio.median >= floor };
    },
  };
}

function p99Below(id: string, description: string, config: string, caseId: string, limitMs: number): Target {
  return {
    id,
    description,
    goal: `p99 under ${ms(limitMs)}`,
    evaluate: (find) => {
      const row = find(config, caseId);
      return row && { measured: ms(row.app.latencyMs.p99), met: row.app.latencyMs.p99 < limitMs };
    },
  };
}

/** The performance issue's targets, at 32 connections: SQLite with one worker against a one-process ceiling. */
const TARGETS: Target[] = [
  ratioAtLeast('list-all-ratio', "today's list, all 50 on one page (SQLite, 1 worker)", 'sqlite-w1', 'list-all', 0.5),
  ratioAtLeast('list-ratio', "today's list, 25 per page (SQLite, 1 worker)", 'sqlite-w1', 'list', 0.5),
  p99Below('list-all-p99', "today's list, all 50 on one page: latency", 'sqlite-w1', 'list-all', 50),
  p99Below('list-p99', "today's list, 25 per page: latency", 'sqlite-w1', 'list', 50),
  {
    id: 'list-rss',
    description: "a worker's resident memory under load (today's list, SQLite)",
    goal: 'under 150 MB',
    evaluate: (find) => {
      const rows = [find('sqlite-w1', 'list'), find('sqlite-w1', 'list-all')].filter((row): row is CaseResult => Boolean(row));
      if (!rows.length) return undefined;
      const peak = Math.max(...rows.map((row) => row.app.peakRssMb));
      return { measured: `${peak.toFixed(0)} MB`, met: peak < 150 };
    },
  },
  ratioAtLeast('crowd-ratio', "today's list across 200 users (SQLite, 1 worker)", 'sqlite-w1', 'crowd', 0.05),
  p99Below('crowd-p99', "today's list across 200 users: latency", 'sqlite-w1', 'crowd', 100),
  ratioAtLeast('crowd-uncached-ratio', "today's list across 200 users, no page cache (SQLite, 1 worker)", 'sqlite-w1', 'crowd-uncached', 0.05),
  p99Below('crowd-uncached-p99', "today's list across 200 users, no page cache: latency", 'sqlite-w1', 'crowd-uncached', 100),
  ...(['list', 'list-all'] as const).map<Target>((caseId) => ({
    id: `${caseId}-mariadb-factor`,
    description: `today's list${caseId === 'list-all' ? ', all 50' : ''} on MariaDB + Redis against SQLite (1 worker)`,
    goal: 'within a factor of 2',
    evaluate: (find) => {
      const sqlite = find('sqlite-w1', caseId);
      const mariadb = find('mariadb-redis-w1', caseId);
      if (!sqlite || !mariadb) return undefined;
      const factor = sqlite.app.requestsPerSecond.median / mariadb.app.requestsPerSecond.median;
      return { measured: `${factor.toFixed(2)}x`, met: factor <= 2 };
    },
  })),
  {
    id: 'healthz-factor',
    description: '/healthz against the ceiling (SQLite, 1 worker)',
    goal: 'within a factor of 5',
    evaluate: (find) => {
      const row = find('sqlite-w1', 'healthz');
      return row && { measured: `${(1 / row.ratio.median).toFixed(2)}x`, met: row.ratio.median >= 0.2 };
    },
  },
  p99Below('create-p99', 'creating a todo (SQLite, 1 worker)', 'sqlite-w1', 'create', 100),
];

const servedFullPages = (row: CaseResult) => row.rounds.every((round) => round.app.problems.length === 0);

/** Each target against the results; one whose runs did not all serve full pages counts as missed. */
export function evaluateTargets(results: CaseResult[]): TargetResult[] {
  const used: CaseResult[] = [];
  const find: Find = (config, caseId, connections = 32) => {
    const row = results.find((candidate) => candidate.config === config && candidate.case === caseId && candidate.connections === connections);
    if (row) used.push(row);
    return row;
  };
  return TARGETS.map(({ id, description, goal, evaluate }) => {
    used.length = 0;
    const outcome = evaluate(find);
    if (outcome && !used.every(servedFullPages)) return { id, description, goal, measured: `${outcome.measured} (runs failed)`, met: false };
    return { id, description, goal, ...outcome };
  });
}
