import fs from 'node:fs';
import path from 'node:path';
import type { BenchResults } from './benchmark';
import type { CaseResult } from './caseResult';

const number = (value: number) => Math.round(value).toLocaleString('en');
const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const percent = (ratio: number) => `${fixed(100 * ratio)} %`;

const CONFIG_TITLES: Record<string, string> = {
  'sqlite-w1': 'SQLite, 1 worker',
  'sqlite-w2': 'SQLite, 2 workers',
  'mariadb-redis-w1': 'MariaDB + Redis, 1 worker',
  'mariadb-redis-w2': 'MariaDB + Redis, 2 workers',
};

export function configTitle(id: string): string {
  return CONFIG_TITLES[id] ?? id;
}

export function machineLine(results: BenchResults): string {
  const { machine, plan } = results;
  return (
    `Measured ${machine.date.slice(0, 16).replace('T', ' ')} UTC on ${machine.cpu} (${machine.cores} cores, ${machine.memoryGiB} GiB), ` +
    `${machine.os}, Linux ${machine.kernel}, Node.js ${machine.node}, load from ${machine.loadGenerator}; commit ${machine.commit}. ` +
    `${plan.rounds} round${plan.rounds > 1 ? 's' : ''} of ${plan.seconds} s per case, app and ceiling in turn; medians, with the spread of requests per second across rounds.`
  );
}

function targetsTable(results: BenchResults): string {
  const rows = results.targets.map((target) => {
    const verdict = target.met === undefined ? 'not measured' : target.met ? 'met' : 'missed';
    return `| ${target.description} | ${target.goal} | ${target.measured ?? '–'} | ${verdict} |`;
  });
  return ['| target (32 connections) | goal | measured | |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function resultsTable(rows: CaseResult[]): string {
  const lines = rows.map((row) => {
    const rps = row.app.requestsPerSecond;
    const spreadText = row.rounds.length > 1 ? ` (${number(rps.min)}–${number(rps.max)})` : '';
    return (
      `| ${row.title} | ${row.connections} | ${number(rps.median)}${spreadText} | ${fixed(row.app.latencyMs.p50)} | ${fixed(row.app.latencyMs.p95)} | ` +
      `${fixed(row.app.latencyMs.p99)} | ${fixed(row.app.cpuMsPerRequest, 3)} | ${fixed(row.app.peakRssMb, 0)} | ${number(row.ceiling.requestsPerSecond.median)} | ${percent(row.ratio.median)} |`
    );
  });
  return [
    '| case | connections | req/s | p50 ms | p95 ms | p99 ms | CPU ms/req | RSS MB | ceiling req/s | of ceiling |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...lines,
  ].join('\n');
}

function sections(results: BenchResults, filter: (row: CaseResult) => boolean = () => true): string {
  const configs = [...new Set(results.results.map((row) => row.config))];
  return configs
    .map((config) => {
      const rows = results.results.filter((row) => row.config === config && filter(row));
      return `### ${configTitle(config)} (\`${config}\`)\n\n${results.engines[config.replace(/-w\d+$/, '')] ?? ''}\n\n${resultsTable(rows)}`;
    })
    .join('\n\n');
}

function skippedText(results: BenchResults): string {
  return results.skipped.length ? `\n\nNot measured: ${results.skipped.map((entry) => `${entry.config} (${entry.reason})`).join('; ')}.` : '';
}

export function markdownReport(results: BenchResults): string {
  return [
    '# TodoBox benchmark (`npm run bench`)',
    '',
    machineLine(results) + skippedText(results),
    '',
    'The ceiling is a bare `node:http` server answering with the same bytes as the app (status, headers, body), run with as many processes as the app has workers. ' +
      'CPU is the server processes\' user and system time per request answered; RSS the highest resident memory of any serving process during the run.',
    '',
    '## Targets',
    '',
    targetsTable(results),
    '',
    '## Results',
    '',
    sections(results),
    '',
    '![Share of the ceiling per case](results.svg)',
    '',
  ].join('\n');
}

const CHART_COLORS = ['#2563eb', '#16a34a', '#d97706', '#9333ea'];

function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[character]!);
}

/** Horizontal bars: each case's requests per second as a share of the ceiling, one bar per configuration. */
export function svgChart(results: BenchResults): string {
  const rows = results.results.filter((row) => row.connections === 32);
  const configs = [...new Set(rows.map((row) => row.config))];
  const cases = [...new Map(rows.map((row) => [row.case, row.title])).entries()];
  const labelWidth = 250;
  const plotWidth = 440;
  const barHeight = 12;
  const groupGap = 14;
  const top = 56;
  const groupHeight = configs.length * barHeight + groupGap;
  const height = top + cases.length * groupHeight + 24;
  const width = labelWidth + plotWidth + 90;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="20" font-size="14" font-weight="600">Requests per second as a share of the bare node:http ceiling (32 connections)</text>`,
  ];
  configs.forEach((config, index) => {
    const x = 12 + index * 185;
    parts.push(`<rect x="${x}" y="32" width="10" height="10" fill="${CHART_COLORS[index % CHART_COLORS.length]}"/>`);
    parts.push(`<text x="${x + 14}" y="41">${escapeXml(configTitle(config))}</text>`);
  });
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const x = labelWidth + tick * plotWidth;
    parts.push(`<line x1="${x}" y1="${top - 6}" x2="${x}" y2="${height - 20}" stroke="#d1d5db" stroke-dasharray="${tick ? '3 3' : ''}"/>`);
    parts.push(`<text x="${x}" y="${height - 6}" text-anchor="middle" fill="#4b5563">${tick * 100} %</text>`);
  }
  cases.forEach(([caseId, title], caseIndex) => {
    const groupTop = top + caseIndex * groupHeight;
    parts.push(`<text x="${labelWidth - 8}" y="${groupTop + (configs.length * barHeight) / 2 + 4}" text-anchor="end">${escapeXml(title)}</text>`);
    configs.forEach((config, configIndex) => {
      const row = rows.find((candidate) => candidate.case === caseId && candidate.config === config);
      if (!row) return;
      const y = groupTop + configIndex * barHeight;
      const share = Math.min(row.ratio.median, 1.2);
      parts.push(`<rect x="${labelWidth}" y="${y}" width="${Math.max(1, share * plotWidth)}" height="${barHeight - 2}" fill="${CHART_COLORS[configIndex % CHART_COLORS.length]}"/>`);
      parts.push(`<text x="${labelWidth + share * plotWidth + 4}" y="${y + barHeight - 3}" font-size="10" fill="#111827">${percent(row.ratio.median)} · ${number(row.app.requestsPerSecond.median)}/s</text>`);
    });
  });
  parts.push('</svg>', '');
  return parts.join('\n');
}

export interface WrittenReport {
  json: string;
  markdown: string;
  svg: string;
}

export function writeReport(results: BenchResults, outDir: string): WrittenReport {
  fs.mkdirSync(outDir, { recursive: true });
  const written = { json: path.join(outDir, 'results.json'), markdown: path.join(outDir, 'results.md'), svg: path.join(outDir, 'results.svg') };
  fs.writeFileSync(written.json, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(written.markdown, markdownReport(results));
  fs.writeFileSync(written.svg, svgChart(results));
  return written;
}

const README_START = '<!-- bench:start -->';
const README_END = '<!-- bench:end -->';

/** Replaces the README's benchmark section (between its markers) with these results. */
export function updateReadme(readmePath: string, results: BenchResults): void {
  const readme = fs.readFileSync(readmePath, 'utf8');
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`${readmePath} has no ${README_START} ... ${README_END} section`);
  const body = [
    README_START,
    machineLine(results) + skippedText(results),
    '',
    targetsTable(results),
    '',
    sections(results, (row) => row.connections === 32),
    '',
    'Every case, also at 1 connection, with the spread across rounds: [bench/results.md](bench/results.md).',
    '',
    '![Share of the ceiling per case](bench/results.svg)',
    README_END,
  ].join('\n');
  fs.writeFileSync(readmePath, readme.slice(0, start) + body + readme.slice(end + README_END.length));
}
