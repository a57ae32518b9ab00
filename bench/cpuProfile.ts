import path from 'node:path';

/** The parts of a V8 .cpuprofile (what `node --cpu-prof` writes) this reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  /** Microseconds from the previous sample (from startTime for the first). */
  timeDeltas: number[];
}

/** A span of the monotonic clock, in microseconds: V8's profile timestamps and process.hrtime share it. */
export interface Window {
  startUs: number;
  endUs: number;
}

export function monotonicMicroseconds(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export interface Share {
  name: string;
  ms: number;
  /** Of the busy (not idle) time. */
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  busyMs: number;
  /** Time spent in each function itself. */
  functions: Share[];
  /** Time spent in each package's own code. */
  packagesSelf: Share[];
  /** Time with each package anywhere on the stack (shares overlap: a route calls Sequelize, which calls the driver). */
  packagesInclusive: Share[];
}

const VM_STATES = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** Who owns the code at `url`: a package, Node.js itself, or the app. */
export function ownerOf(url: string, functionName: string, appRoot: string): string {
  if (!url) return VM_STATES.has(functionName) ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node (built-in)';
  const file = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const index = file.lastIndexOf('/node_modules/');
  if (index >= 0) {
    const parts = file.slice(index + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (file.startsWith(appRoot)) return 'todobox';
  return path.basename(file);
}

function shares(times: Map<string, number>, busyMs: number, limit: number): Share[] {
  return [...times.entries()]
    .map(([name, ms]) => ({ name, ms, percent: (100 * ms) / busyMs }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, limit);
}

/** Self and inclusive time per function and per package, over one or more profiles, within `window` when given. */
export function summarizeProfiles(profiles: CpuProfile[], appRoot: string, limit = 25, window?: Window): ProfileSummary {
  const functionTimes = new Map<string, number>();
  const selfTimes = new Map<string, number>();
  const inclusiveTimes = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parentOf = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
    let timestamp = profile.startTime;
    profile.samples.forEach((sample, index) => {
      timestamp += profile.timeDeltas[index] ?? 0;
      if (window && (timestamp < window.startUs || timestamp > window.endUs)) return;
      // A sample stands for the time until the next one.
      const msPerSample = (profile.timeDeltas[index + 1] ?? 0) / 1000;
      totalMs += msPerSample;
      const node = byId.get(sample)!;
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === '(idle)') {
        idleMs += msPerSample;
        return;
      }
      const owner = ownerOf(url, functionName, appRoot);
      const where = url ? ` ${url.replace(`file://${appRoot}/`, '').replace(/^.*\/node_modules\//, '')}:${lineNumber + 1}` : '';
      const name = `${functionName || '(anonymous)'}${where}`;
      functionTimes.set(name, (functionTimes.get(name) ?? 0) + msPerSample);
      selfTimes.set(owner, (selfTimes.get(owner) ?? 0) + msPerSample);
      const onStack = new Set<string>();
      for (let id: number | undefined = sample; id !== undefined; id = parentOf.get(id)) {
        const frame = byId.get(id)!.callFrame;
        onStack.add(ownerOf(frame.url, frame.functionName, appRoot));
      }
      onStack.delete('(root)');
      for (const each of onStack) inclusiveTimes.set(each, (inclusiveTimes.get(each) ?? 0) + msPerSample);
    });
  }
  const busyMs = totalMs - idleMs;
  return {
    totalMs,
    busyMs,
    functions: shares(functionTimes, busyMs, limit),
    packagesSelf: shares(selfTimes, busyMs, limit),
    packagesInclusive: shares(inclusiveTimes, busyMs, limit),
  };
}

export function formatSummary(summary: ProfileSummary): string {
  const table = (title: string, rows: Share[]) =>
    [`${title}`, ...rows.map((row) => `  ${row.percent.toFixed(1).padStart(5)} %  ${row.ms.toFixed(0).padStart(7)} ms  ${row.name}`)].join('\n');
  return [
    `Busy ${summary.busyMs.toFixed(0)} ms of ${summary.totalMs.toFixed(0)} ms profiled; shares are of the busy time.`,
    '',
    table('Top functions (self time):', summary.functions),
    '',
    table('Packages (self time):', summary.packagesSelf),
    '',
    table('Packages (anywhere on the stack):', summary.packagesInclusive),
  ].join('\n');
}
