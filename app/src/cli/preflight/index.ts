import type { Config } from '../../config';
import { configurationChecks } from './configurationChecks';
import { databaseChecks } from './databaseChecks';
import { securityChecks } from './securityChecks';
import { CheckResult, PreflightCheck, PreflightDeps } from './types';

const PREFLIGHT_CHECKS: PreflightCheck[] = [...securityChecks, ...configurationChecks, ...databaseChecks];

async function runCheck(check: PreflightCheck, config: Config, deps: PreflightDeps): Promise<CheckResult> {
  try {
    const verdict = await check.run(config, deps);
    return { section: check.section, name: check.name, ...verdict };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { section: check.section, name: check.name, status: 'FAIL', detail: `the check could not run: ${reason}` };
  }
}

/** Runs every check of the guide's Pre-Deployment Checklist that software can check, one after another. */
export async function runPreflight(config: Config, deps: PreflightDeps): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of PREFLIGHT_CHECKS) results.push(await runCheck(check, config, deps));
  return results;
}

export { formatPreflightReport, preflightFailed } from './report';
export type { CheckResult, CheckStatus, PreflightDeps } from './types';
