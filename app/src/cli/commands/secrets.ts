import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { CliIo } from '../io';

/** 32 random bytes (64 hex characters) for SECRET_KEY and 16 (32 hex characters) for SALT. */
function generateSecrets(): { secretKey: string; salt: string } {
  return { secretKey: randomBytes(32).toString('hex'), salt: randomBytes(16).toString('hex') };
}

export function registerSecretCommands(program: Command, io: CliIo): void {
  program
    .command('secret:generate')
    .description('print a random SECRET_KEY and SALT, ready to paste into .env')
    .action(() => {
      const { secretKey, salt } = generateSecrets();
      io.out(`SECRET_KEY=${secretKey}\nSALT=${salt}\n`);
    });
}
