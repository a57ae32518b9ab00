import { Writable } from 'node:stream';
import { dumpProgressDisplay } from '../../src/cli/backup/dumpProgress';

function stream(isTTY: boolean): { stream: NodeJS.WriteStream; written: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(sink, { isTTY, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream: sink, written: () => text };
}

describe('dumpProgressDisplay', () => {
  it('draws the bytes written on a terminal', () => {
    const terminal = stream(true);
    const progress = dumpProgressDisplay(terminal.stream);
    progress.update(5 * 1024 * 1024);
    progress.stop();
    expect(terminal.written()).toContain('Dumping the database: 5.0 MiB written');
  });

  it('stays silent when the output is a file or a pipe', () => {
    const pipe = stream(false);
    const progress = dumpProgressDisplay(pipe.stream);
    progress.update(1024);
    progress.stop();
    expect(pipe.written()).toBe('');
    expect(() => dumpProgressDisplay(undefined).update(1)).not.toThrow();
  });
});
