import type { Config } from '../../config';
import type { Database } from '../../db';
import type { Services } from '../../services';
import type { AuditOutcome } from './audit';

/** The headings of the deployment guide's Pre-Deployment Checklist that software can check. */
export const SECTIONS = ['Security Review', 'Configuration Review', 'Database Review'] as const;
export type Section = (typeof SECTIONS)[number];

export type CheckStatus = 'PASS' | 'WARN' | 'FAIL';

export interface CheckResult {
  section: Section;
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface PreflightDeps {
  db: Database;
  services: Services;
  renderMarkdown(source: string): string;
  auditDependencies(): Promise<AuditOutcome>;
  /** The `.env` file the configuration was read from, when there is one. */
  envFile?: string;
}

export type Verdict = Pick<CheckResult, 'status' | 'detail'>;

export interface PreflightCheck {
  section: Section;
  name: string;
  run(config: Config, deps: PreflightDeps): Verdict | Promise<Verdict>;
}

export const pass = (detail: string): Verdict => ({ status: 'PASS', detail });
export const warn = (detail: string): Verdict => ({ status: 'WARN', detail });
export const fail = (detail: string): Verdict => ({ status: 'FAIL', detail });
