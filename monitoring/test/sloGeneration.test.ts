import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { ZodError } from 'zod';
import { GENERATED_FILES } from '../slo/generate';
import { SLO_FILE, loadSloFile, sloFileSchema } from '../slo/schema';

const ROOT = path.resolve(__dirname, '../..');

describe('SLO file and the files generated from it', () => {
  let outDir: string;
  beforeAll(() => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-slo-'));
  });
  afterAll(() => {
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  it('are up to date: npm run monitoring:generate, run into a fresh folder, writes exactly the committed files', () => {
    const result = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'monitoring/slo/generate.ts', '--out', outDir], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    const stale = Object.values(GENERATED_FILES).filter(
      (file) => fs.readFileSync(path.join(outDir, file), 'utf8') !== fs.readFileSync(path.join(ROOT, file), 'utf8'),
    );
    expect({ stale, fix: 'npm run monitoring:generate' }).toEqual({ stale: [], fix: 'npm run monitoring:generate' });
  });

  it('marks every generated file as generated, naming the file to edit instead', () => {
    for (const file of Object.values(GENERATED_FILES)) {
      expect({ file, marked: fs.readFileSync(path.join(ROOT, file), 'utf8').includes('edit monitoring/slo/slos.yml') }).toEqual({ file, marked: true });
    }
  });

  it('runs the npm script the SLO file names', () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['monitoring:generate']).toBe('tsx monitoring/slo/generate.ts');
    expect(fs.readFileSync(SLO_FILE, 'utf8')).toContain('npm run monitoring:generate');
  });

  it('declares a 30-day availability objective, the guide latency targets and an edge objective, with the workbook burn rates', () => {
    const slos = loadSloFile();
    expect(slos.window).toBe('30d');
    const byName = Object.fromEntries(slos.objectives.map((slo) => [slo.name, slo]));
    expect(byName.availability.sli).toMatchObject({ errors: { job: 'todobox', label: 'status_code', matches: '5..' } });
    expect(byName.latency.sli).toMatchObject({ latency: { thresholdSeconds: 0.2 } });
    expect(byName['latency-500ms'].sli).toMatchObject({ latency: { thresholdSeconds: 0.5 } });
    expect(byName['edge-availability'].sli).toMatchObject({ errors: { counter: 'todobox_edge_http_requests_total', job: 'nginx' } });
    expect(slos.burnRates.map(({ factor, long, short, severity }) => `${factor} ${long}/${short} ${severity}`)).toEqual([
      '14.4 1h/5m critical',
      '6 6h/30m critical',
      '3 1d/2h ticket',
      '1 3d/6h ticket',
    ]);
  });

  it('rejects an SLO file with a mistake, naming it', () => {
    const valid = parse(fs.readFileSync(SLO_FILE, 'utf8')) as { objectives: Array<Record<string, unknown>>; burnRates: Array<Record<string, unknown>> };
    const broken = (change: (copy: typeof valid) => void) => {
      const copy = structuredClone(valid);
      change(copy);
      const result = sloFileSchema.safeParse(copy);
      return result.success ? 'accepted' : (result.error as ZodError).issues.map((issue) => issue.message).join('; ');
    };
    expect(broken(() => undefined)).toBe('accepted');
    expect(broken((copy) => (copy.objectives[0].target = 99.9))).toMatch(/less than 1/);
    expect(broken((copy) => (copy.burnRates[0].long = 'an hour'))).toMatch(/a duration such as 5m/);
    expect(broken((copy) => copy.objectives.push({ ...copy.objectives[0] }))).toMatch(/objective availability appears twice/);
    expect(broken((copy) => ((copy.objectives[0].sli as { errors: { examples: { bad: string } } }).errors.examples.bad = '404'))).toMatch(/examples\.bad must match/);
  });
});
