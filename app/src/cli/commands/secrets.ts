import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { CliIo } from '../io';
import { issueSetupToken, SETUP_TOKEN_LIFETIME_MS } from '../../accounts';
import { loadConfig } from '../../config';
import { CliError } from '../cliError';

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

  program
    .command('setup:token')
    .description('print a one-time token that lets /setup create the first administrator of a production instance')
    .addHelpText(
      'after',
      `\nThe token is signed with SECRET_KEY, so every instance of the deployment accepts it; it works for ${SETUP_TOKEN_LIFETIME_MS / 60_000} minutes` +
        '\nand only until an administrator exists. Nothing is stored or logged. Outside production /setup needs no token.',
    )
    .action(() => {
      const config = loadConfig(io.env, { readDotenv: io.readDotenv });
      if (!config.isProduction) throw new CliError('Outside production (NODE_ENV=production) /setup needs no token.');
      io.out(`${issueSetupToken(config.secretKey)}\n`);
    });
}
