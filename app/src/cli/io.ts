import readline from 'node:readline/promises';
import promptForPassword from '@inquirer/password';
import { CliError } from './cliError';

/** Everything a command reads from or writes to its surroundings, so tests can run commands in-process. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  /** Whether `.env` in the working directory fills in variables missing from `env`. */
  readDotenv: boolean;
  interactive: boolean;
  out(text: string): void;
  err(text: string): void;
  promptPassword(message: string): Promise<string>;
  confirm(message: string): Promise<boolean>;
}

export function processIo(): CliIo {
  return {
    env: process.env,
    readDotenv: true,
    interactive: Boolean(process.stdin.isTTY),
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    async promptPassword(message) {
      try {
        return await promptForPassword({ message, mask: '*' });
      } catch (error) {
        // Ctrl+C at the prompt.
        if (error instanceof Error && error.name === 'ExitPromptError') throw new CliError('Cancelled.');
        throw error;
      }
    },
    async confirm(message) {
      const terminal = readline.createInterface({ input: process.stdin, output: process.stdout });
      try {
        const answer = await terminal.question(`${message} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        terminal.close();
      }
    },
  };
}
