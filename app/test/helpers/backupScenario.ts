import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { createDatabase, Database } from '../../src/db/database';
import { withCore } from './core';

/** Opens the database `env` configures for `work`, and closes it whatever happens. */
export async function withDatabase<T>(env: Record<string, string>, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await createDatabase(loadConfig(env, { readDotenv: false }).database);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/** Two accounts with todos (Markdown, non-ASCII text, several statuses), written through the services. */
export async function seedAccountsAndTodos(env: Record<string, string>): Promise<void> {
  await withCore(env, async ({ services }) => {
    const ada = await services.users.create({ email: 'ada@example.com', name: 'Ada', password: 'correct horse battery', isAdmin: true });
    const bob = await services.users.create({ email: 'bob@example.com', name: 'Bøb Ünicode', password: 'correct horse battery', isAdmin: false });
    const first = await services.todos.create(ada.id, { title: 'Write the *report*', details: "It's `code` and \"quotes\"\nline two", scheduledFor: '2026-11-02' });
    await services.todos.changeStatus(ada.id, first.id, 'done');
    await services.todos.create(ada.id, { title: 'Call ☎ the bank', details: '', scheduledFor: '2026-11-03' });
    await services.todos.create(bob.id, { title: 'Ñandú; DROP TABLE todo; --', details: 'back\\slash', scheduledFor: '2026-11-04' });
  });
}

/** Changes made after a backup, which a restore must undo. */
export async function changeData(env: Record<string, string>): Promise<void> {
  await withCore(env, async ({ services }) => {
    const ada = await services.users.findByEmail('ada@example.com');
    const bob = await services.users.findByEmail('bob@example.com');
    if (!ada || !bob) throw new Error('the seeded accounts are missing');
    const done = await services.todos.list(ada.id, { list: 'done' });
    await services.todos.delete(ada.id, done.items[0].id);
    await services.todos.create(ada.id, { title: 'Added after the backup', details: '', scheduledFor: '2026-11-05' });
    await services.users.delete(null, bob.id);
    await services.users.create({ email: 'eve@example.com', name: 'Eve', password: 'correct horse battery', isAdmin: false });
  });
}

/** Every row of the tables a backup must bring back, in a stable order, for exact comparison. */
export async function tableContents(env: Record<string, string>): Promise<Record<string, unknown[]>> {
  return withDatabase(env, async (db) => {
    const { User, Todo, TodoHistory } = db.models;
    const rows = async (model: typeof User | typeof Todo | typeof TodoHistory) =>
      (await (model as typeof User).findAll({ order: [['id', 'ASC']] })).map((row) => row.get({ plain: true }));
    return { users: await rows(User), todos: await rows(Todo), history: await rows(TodoHistory) };
  });
}

/** A copy of `file` with its end cut off, as a full disk or an interrupted copy leaves it. */
export function truncatedCopy(file: string, target: string): string {
  const bytes = fs.readFileSync(file);
  fs.writeFileSync(target, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  return target;
}

/** A copy of `file` with bytes in its middle inverted, as bad storage leaves it. */
export function corruptedCopy(file: string, target: string): string {
  const bytes = Buffer.from(fs.readFileSync(file));
  const middle = Math.floor(bytes.length / 2);
  for (let offset = middle; offset < middle + 8; offset++) bytes[offset] ^= 0xff;
  fs.writeFileSync(target, bytes);
  return target;
}

export function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Puts a wrapper named `tool` first on PATH that records the arguments it is started with (exactly
 * what the process list shows) and whether a password variable was set, then runs the real program.
 */
export function recordingWrapper(binDir: string, tool: string): { log: string } {
  const real = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
  const log = path.join(binDir, `${tool}.log`);
  fs.mkdirSync(binDir, { recursive: true });
  fs.writeFileSync(
    path.join(binDir, tool),
    `#!/bin/sh\nfor arg in "$@"; do printf 'arg %s\\n' "$arg" >> '${log}'; done\n` +
      `[ -n "$MYSQL_PWD$PGPASSWORD" ] && echo 'password-in-environment' >> '${log}'\nexec '${real}' "$@"\n`,
    { mode: 0o755 },
  );
  return { log };
}

/** Checks the metrics file with promtool when it is installed; undefined when it is not. */
export function promtoolVerdict(file: string): { status: number | null; output: string } | undefined {
  if (!commandExists('promtool')) return undefined;
  const result = spawnSync('promtool', ['check', 'metrics'], { input: fs.readFileSync(file), encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
