import { CheckResult, SECTIONS } from './types';

export function preflightFailed(results: CheckResult[]): boolean {
  return results.some((result) => result.status === 'FAIL');
}

/** The results grouped under the guide's headings, then one summary line. */
export function formatPreflightReport(results: CheckResult[]): string {
  const lines: string[] = [];
  for (const section of SECTIONS) {
    const inSection = results.filter((result) => result.section === section);
    if (inSection.length === 0) continue;
    lines.push(section);
    for (const result of inSection) lines.push(`  ${result.status.padEnd(4)}  ${result.name}: ${result.detail}`);
    lines.push('');
  }
  const count = (status: CheckResult['status']) => results.filter((result) => result.status === status).length;
  lines.push(`Preflight: ${count('PASS')} passed, ${count('WARN')} warnings, ${count('FAIL')} failed`);
  return `${lines.join('\n')}\n`;
}
