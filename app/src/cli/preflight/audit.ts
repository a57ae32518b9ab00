import { execFile } from 'node:child_process';
import path from 'node:path';

export const AUDIT_SEVERITIES = ['info', 'low', 'moderate', 'high', 'critical'] as const;
export type AuditSeverity = (typeof AUDIT_SEVERITIES)[number];

export type AuditOutcome =
  | { ran: true; vulnerabilities: Record<AuditSeverity, number> }
  | { ran: false; reason: string };

const PROJECT_ROOT = path.resolve(__dirname, '../../../..');
const AUDIT_TIMEOUT_MS = 60_000;

interface AuditReport {
  metadata?: { vulnerabilities?: Partial<Record<AuditSeverity, number>> };
  message?: string;
  error?: { summary?: string };
}

/** Runs `npm audit --omit=dev --json` on the installed project; offline or failing, it says why instead. */
export function npmAudit(cwd = PROJECT_ROOT, timeoutMs = AUDIT_TIMEOUT_MS): Promise<AuditOutcome> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['audit', '--omit=dev', '--json'],
      { cwd, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout) => {
        let report: AuditReport = {};
        try {
          report = JSON.parse(stdout) as AuditReport;
        } catch {
          report = {};
        }
        const counts = report.metadata?.vulnerabilities;
        if (counts) {
          const vulnerabilities = Object.fromEntries(AUDIT_SEVERITIES.map((severity) => [severity, counts[severity] ?? 0]));
          resolve({ ran: true, vulnerabilities: vulnerabilities as Record<AuditSeverity, number> });
          return;
        }
        const timedOut = error !== null && 'killed' in error && error.killed;
        const reason =
          report.error?.summary ||
          report.message ||
          (timedOut ? `timed out after ${timeoutMs / 1000} s` : error?.message) ||
          'npm audit printed no report';
        resolve({ ran: false, reason: reason.split('\n')[0] });
      },
    );
  });
}
