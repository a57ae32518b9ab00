import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Section -> key -> every value the key is given (systemd allows repeats). */
export type UnitSections = Record<string, Record<string, string[]>>;

export function parseUnit(text: string): UnitSections {
  const sections: UnitSections = {};
  let current: Record<string, string[]> | undefined;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(trimmed);
    if (header) {
      current = sections[header[1]] = {};
      continue;
    }
    const [key, ...rest] = trimmed.split('=');
    if (!current) throw new Error(`Setting outside a section: ${trimmed}`);
    (current[key] ??= []).push(rest.join('='));
  }
  return sections;
}

/** Whether systemd-analyze (apt package systemd) runs here. */
export const systemdAnalyzeAvailable = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * `systemd-analyze verify` over copies of the units in a temp folder, /usr/bin/node pointing at this
 * node (which need not live there). Returns the lines that name a copy, and the exit status.
 */
export function verifyUnits(units: Record<string, string>): { complaints: string[]; status: number | null } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-unit-'));
  try {
    const copies = Object.entries(units).map(([name, text]) => {
      const copy = path.join(dir, name);
      fs.writeFileSync(copy, text.replaceAll('/usr/bin/node', process.execPath));
      return copy;
    });
    const result = spawnSync('systemd-analyze', ['verify', ...copies], { encoding: 'utf8', timeout: 30_000 });
    const complaints = `${result.stdout}${result.stderr}`.split('\n').filter((line) => copies.some((copy) => line.includes(copy)));
    return { complaints, status: result.status };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
