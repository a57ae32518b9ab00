import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config';
import { AppError, ValidationError } from '../errors';
import { CliError } from './cliError';
import { CliIo, processIo } from './io';
import { registerBackupCommands } from './commands/backup';
import { registerDatabaseCommands } from './commands/database';
import { registerPreflightCommand } from './commands/preflight';
import { registerSecretCommands } from './commands/secrets';
import { registerUserCommands } from './commands/users';

export function buildProgram(io: CliIo = processIo()): Command {
  const program = new Command('todobox')
    .description('TodoBox administration commands')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) });
  registerUserCommands(program, io);
  registerSecretCommands(program, io);
  registerDatabaseCommands(program, io);
  registerBackupCommands(program, io);
  registerPreflightCommand(program, io);
  return program;
}

/** What the user is told about a failure: the message alone, never a stack trace for expected errors. */
function describeFailure(error: unknown): string {
  if (error instanceof ValidationError) return Object.values(error.fields).join('\n');
  if (error instanceof CliError || error instanceof AppError || error instanceof ConfigError) return error.message;
  return `Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

/** Runs the command line `argv` (as in process.argv) and resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv);
    return 0;
  } catch (error) {
    // Commander has already printed its own messages (usage errors, --help, --version).
    if (error instanceof CommanderError) return error.exitCode;
    io.err(`${describeFailure(error)}\n`);
    return 1;
  }
}
