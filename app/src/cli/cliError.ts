/** A failure the user can act on: its message is printed without a stack trace and the command exits 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
