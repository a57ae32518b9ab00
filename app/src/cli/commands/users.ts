import type { Command } from 'commander';
import Table from 'cli-table3';
import { z } from 'zod';
import { emailField, nameField, newPasswordField } from '../../auth';
import type { UserSummary } from '../../accounts';
import { validate } from '../../errors';
import type { Services } from '../../services';
import { formatUtcMinute } from '../../shared';
import { CliError } from '../cliError';
import { withContext } from '../context';
import type { CliIo } from '../io';

const PASSWORD_ENV_VARIABLE = 'TODOBOX_PASSWORD';

const accountFields = z.object({ email: emailField, name: nameField });

/** The password from --password, the terminal (asked twice) or, without a terminal, TODOBOX_PASSWORD. */
async function newPassword(io: CliIo, given: string | undefined): Promise<string> {
  if (given !== undefined) return given;
  if (!io.interactive) {
    const fromEnvironment = io.env[PASSWORD_ENV_VARIABLE];
    if (fromEnvironment) return fromEnvironment;
    throw new CliError(
      `No password given and no terminal to ask for one: pass --password or set ${PASSWORD_ENV_VARIABLE}.`,
    );
  }
  const password = await io.promptPassword('Password (at least 10 characters):');
  // Told at once, not after typing it a second time.
  validate(z.object({ password: newPasswordField }), { password });
  const repeated = await io.promptPassword('Repeat the password:');
  if (password !== repeated) throw new CliError('The passwords do not match; nothing was changed.');
  return password;
}

async function userByEmail(services: Services, email: string) {
  const user = await services.users.findByEmail(email);
  if (!user) throw new CliError(`No account has the email address ${email.trim().toLowerCase()}.`);
  return user;
}

function formatDate(date: Date | null): string {
  return date ? formatUtcMinute(date) : 'never';
}

function userTable(users: UserSummary[]): string {
  const table = new Table({
    head: ['id', 'email', 'name', 'admin', 'blocked', 'last login (UTC)', 'created (UTC)'],
    style: { head: [], border: [] },
  });
  for (const user of users) {
    table.push([
      user.id,
      user.email,
      user.name,
      user.isAdmin ? 'yes' : 'no',
      user.isBlocked ? 'yes' : 'no',
      formatDate(user.lastLoginAt),
      formatDate(user.created),
    ]);
  }
  return table.toString();
}

export function registerUserCommands(program: Command, io: CliIo): void {
  program
    .command('user:create')
    .description('create an account (asks for the password unless --password is given)')
    .addHelpText(
      'after',
      `\nWithout --password the password is asked for twice in the terminal; with no terminal it is read from ${PASSWORD_ENV_VARIABLE}.\nPasswords have 10 to 128 characters, as in the web app.`,
    )
    .argument('<email>', 'email address, used to log in')
    .requiredOption('--name <name>', 'display name')
    .option('--admin', 'make the account an administrator', false)
    .option('--password <password>', 'the password (visible to other local users in the process list: prefer the prompt)')
    .action((email: string, options: { name: string; admin: boolean; password?: string }) =>
      withContext(io, { requireCurrentSchema: true }, async ({ services }) => {
        const account = validate(accountFields, { email, name: options.name });
        if (await services.users.findByEmail(account.email)) {
          throw new CliError(`An account with the email address ${account.email} already exists.`);
        }
        const password = validate(z.object({ password: newPasswordField }), {
          password: await newPassword(io, options.password),
        }).password;
        const user = await services.users.create({ ...account, password, isAdmin: options.admin });
        io.out(`Created ${user.isAdmin ? 'administrator' : 'user'} ${user.email} (id ${user.id}).\n`);
      }),
    );

  program
    .command('user:password')
    .description("set a user's password (asks for it unless --password is given) and end their sessions and API tokens")
    .addHelpText(
      'after',
      `\nFor a user who has lost their password. Without --password it is asked for twice in the terminal; with no terminal it is read from ${PASSWORD_ENV_VARIABLE}.` +
        '\nWith --temporary the user must choose their own password at their next login.',
    )
    .argument('<email>', 'email address of the account')
    .option('--temporary', 'make the user choose a new password at their next login', false)
    .option('--password <password>', 'the new password (visible to other local users in the process list: prefer the prompt)')
    .action((email: string, options: { temporary: boolean; password?: string }) =>
      withContext(io, { requireCurrentSchema: true }, async ({ services }) => {
        const user = await userByEmail(services, email);
        const password = await newPassword(io, options.password);
        await services.users.resetPassword(null, user.id, password, { temporary: options.temporary });
        const next = options.temporary ? ' They must choose their own at their next login.' : '';
        io.out(`Set a new password for ${user.email}; their sessions have ended and their API tokens are revoked.${next}\n`);
      }),
    );

  program
    .command('user:logout')
    .description("end a user's sessions (or every user's, with --all), leaving passwords and API tokens")
    .addHelpText(
      'after',
      '\nFor a session that may have been taken over: the user logs in again. Running instances notice within seconds.' +
        '\nTo lock someone out for good, use the admin page\'s Block, which also revokes their API tokens.',
    )
    .argument('[email]', 'email address of the account')
    .option('--all', "end every user's sessions", false)
    .action((email: string | undefined, options: { all: boolean }) =>
      withContext(io, { requireCurrentSchema: true }, async ({ services }) => {
        if (options.all === (email !== undefined)) throw new CliError('Name one account by its email address, or pass --all (not both).');
        if (email === undefined) {
          io.out(`Ended the sessions of all ${await services.users.endAllSessions()} user(s).\n`);
          return;
        }
        const user = await services.users.endSessions((await userByEmail(services, email)).id);
        io.out(`Ended the sessions of ${user.email}; their password and API tokens are unchanged.\n`);
      }),
    );

  program
    .command('user:list')
    .description('list every account in a table (or as JSON with --json)')
    .option('--json', 'print JSON instead of a table', false)
    .action((options: { json: boolean }) =>
      withContext(io, { requireCurrentSchema: true }, async ({ services }) => {
        const users = await services.users.list();
        if (options.json) {
          io.out(`${JSON.stringify(users, null, 2)}\n`);
        } else {
          io.out(users.length ? `${userTable(users)}\n` : 'No accounts yet: create one with "todobox user:create".\n');
        }
      }),
    );

  program
    .command('user:admin')
    .description('grant administrator rights, or revoke them with --revoke (never from the last administrator)')
    .argument('<email>', 'email address of the account')
    .option('--revoke', 'revoke administrator rights instead of granting them', false)
    .action((email: string, options: { revoke: boolean }) =>
      withContext(io, { requireCurrentSchema: true }, async ({ services }) => {
        const user = await userByEmail(services, email);
        const updated = await services.users.setAdmin(null, user.id, !options.revoke);
        io.out(`${updated.email} ${updated.isAdmin ? 'is now an administrator' : 'is no longer an administrator'}.\n`);
      }),
    );

  program
    .command('user:delete')
    .description('delete an account and all its data (asks for confirmation unless --yes)')
    .argument('<email>', 'email address of the account')
    .option('--yes', 'delete without asking for confirmation', false)
    .action((email: string, options: { yes: boolean }) =>
      withContext(io, { requireCurrentSchema: true }, async ({ services }) => {
        const user = await userByEmail(services, email);
        const todoCount = await services.todos.countForUser(user.id);
        const what = `${user.email} and ${todoCount} todo(s)`;
        if (!options.yes) {
          if (!io.interactive) throw new CliError(`Refusing to delete ${what} without confirmation: add --yes.`);
          if (!(await io.confirm(`Delete ${what}? This cannot be undone.`))) throw new CliError('Cancelled: nothing was deleted.');
        }
        await services.users.delete(null, user.id);
        io.out(`Deleted ${what}.\n`);
      }),
    );
}
