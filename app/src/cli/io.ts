import readline from 'node:readline/promises';
import promptForPassword from '@inquirer/password';
import { CliError } from './cliError';

/** Everything a command reads from or writes to its surroundings, so tests can run commands in-process. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  /** Whether `.env` in the working directory fills in variables missing from `env`. */
  readDotenv: boolean;
  interactive: boolean;
  /** Where a live progress line may be drawn (stderr); only a terminal gets one. */
  progressStream?: NodeJS.WriteStream;
  out(text: string): void;
  err(text: string): void;
  promptPassword(message: string): Promise<string>;
  confirm(message: string): Promise<boolean>;
}

/** Ctrl+C (ExitPromptError) and Ctrl+D (AbortPromptError, see promptPassword) at a password prompt. */
const PROMPT_CANCELLED = new Set(['ExitPromptError', 'AbortPromptError']);

export function processIo(): CliIo {
  return {
    env: process.env,
    readDotenv: true,
    interactive: Boolean(process.stdin.isTTY),
    progressStream: process.stderr,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    async promptPassword(message) {
      // Ctrl+D closes the prompt's input but leaves the prompt waiting until the process exits, when
      // the database driver can no longer be closed cleanly: it cancels the prompt as Ctrl+C does.
      const endOfInput = new AbortController();
      const onKeypress = (_text: string, key?: { ctrl?: boolean; name?: string }) => {
        if (key?.ctrl && key.name === 'd') endOfInput.abort();
      };
      process.stdin.on('keypress', onKeypress);
      try {
        return await promptForPassword({ message, mask: '*' }, { signal: endOfInput.signal });
      } catch (error) {
        if (error instanceof Error && PROMPT_CANCELLED.has(error.name)) throw new CliError('Cancelled.');
        throw error;
      } finally {
        process.stdin.off('keypress', onKeypress);
      }
    },
    async confirm(message) {
      const terminal = readline.createInterface({ input: process.stdin, output: process.stdout });
      try {
        const answer = await terminal.question(`${message} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } catch (error) {
        // Ctrl+D: no answer is a no.
        if (error instanceof Error && error.name === 'AbortError') return false;
        throw error;
      } finally {
        terminal.close();
      }
    },
  };
}
