import { spawn } from 'node:child_process';
import path from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import { MIGRATIONS } from '../../src/db/migrations';
import { describeWithService, mariaDbAvailable, postgresAvailable } from '../helpers/requiredService';
import { createTestDatabase, engineService, TestDatabase } from '../helpers/testDatabase';

const ROOT = path.resolve(__dirname, '../../..');
const INSTANCES = 4;

/** `todobox db:migrate` as its own process, as every instance of a fleet runs it when it starts. */
function migrateInProcess(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', require.resolve('tsx/cjs'), path.join(ROOT, 'app/src/cli/index.ts'), 'db:migrate'], {
      env: { PATH: process.env.PATH, NODE_ENV: 'test', LOG_DIR: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

function migrationsRunTogether(engine: 'mysql' | 'postgres') {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database.drop());

  it(`applies each migration once when ${INSTANCES} instances start together`, async () => {
    const runs = await Promise.all(Array.from({ length: INSTANCES }, () => migrateInProcess(database.env)));
    for (const [index, run] of runs.entries()) expect({ index, code: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ index, code: 0, output: '' });
    // Exactly one instance applied them; the others found nothing left to do.
    const applying = runs.filter((run) => run.output.includes(MIGRATIONS[0].name));
    expect(applying).toHaveLength(1);
    const env = database.env;
    const sequelize = new Sequelize(env.DB_NAME, env.DB_USER, env.DB_PW, { dialect: engine, host: env.DB_URL, port: Number(env.DB_PORT), logging: false });
    try {
      const rows = await sequelize.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name', { type: QueryTypes.SELECT });
      expect(rows.map((row) => row.name)).toEqual(MIGRATIONS.map((migration) => migration.name));
    } finally {
      await sequelize.close();
    }
  }, 120_000);
}

describeWithService(engineService('mysql'), mariaDbAvailable(), 'migrations started together on MariaDB', () => migrationsRunTogether('mysql'));
describeWithService(engineService('postgres'), postgresAvailable(), 'migrations started together on PostgreSQL', () => migrationsRunTogether('postgres'));
