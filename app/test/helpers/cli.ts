import type { CliIo } from '../../src/cli/io';
import { runCli } from '../../src/cli/program';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A terminal in front of the command: the passwords typed at each prompt and the answer to a confirmation. */
export interface Terminal {
  passwords?: string[];
  confirm?: boolean;
}

/** Runs the todobox command line in-process, with no terminal unless one is given, and collects what it says. */
export async function todobox(args: string[], env: Record<string, string>, terminal?: Terminal): Promise<CliRun> {
  const output = { stdout: '', stderr: '' };
  const answers = [...(terminal?.passwords ?? [])];
  const io: CliIo = {
    env,
    readDotenv: false,
    interactive: terminal !== undefined,
    out: (text) => (output.stdout += text),
    err: (text) => (output.stderr += text),
    promptPassword: async () => answers.shift() ?? '',
    confirm: async () => terminal?.confirm ?? false,
  };
  const code = await runCli(['node', 'todobox', ...args], io);
  return { code, ...output };
}
