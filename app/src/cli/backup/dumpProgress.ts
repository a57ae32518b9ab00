import { SingleBar } from 'cli-progress';
import { formatBytes } from './backupFiles';

export interface DumpProgress {
  /** The compressed bytes written so far. */
  update(bytes: number): void;
  stop(): void;
}

const QUIET: DumpProgress = { update: () => undefined, stop: () => undefined };
/** Redraws at most this often: a dump emits many small chunks. */
const REDRAW_MS = 200;

/**
 * A line on a terminal that counts the backup file's bytes as the dump writes them (the dump's
 * final size is unknown until it ends, so it shows no percentage); nothing when stderr is a file or
 * a pipe (cron, CI, a systemd timer), where the command's one summary line per step says enough.
 */
export function dumpProgressDisplay(stream: NodeJS.WriteStream | undefined): DumpProgress {
  if (!stream?.isTTY) return QUIET;
  const bar = new SingleBar({
    stream,
    format: 'Dumping the database: {written} written, {duration_formatted}',
    hideCursor: true,
    clearOnComplete: true,
    fps: 1000 / REDRAW_MS,
    noTTYOutput: false,
  });
  bar.start(0, 0, { written: formatBytes(0) });
  return {
    update: (bytes) => bar.update(0, { written: formatBytes(bytes) }),
    stop: () => bar.stop(),
  };
}
