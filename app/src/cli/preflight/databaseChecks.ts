import fs from 'node:fs';
import { QueryTypes } from 'sequelize';
import type { Config } from '../../config';
import type { Database } from '../../db';
import { migrationStatus } from '../../db';
import { fail, pass, PreflightCheck } from './types';
import { databaseTransportVerdict } from './databaseTransport';

const SECTION = 'Database Review';
const REQUIRED_INDEX = { table: 'todo', name: 'idx_user_modified' };

async function databaseBytes(config: Config, db: Database): Promise<number> {
  switch (config.database.dialect) {
    case 'sqlite': {
      const files = [config.database.storage, `${config.database.storage}-wal`].filter((file) => fs.existsSync(file));
      return files.reduce((total, file) => total + fs.statSync(file).size, 0);
    }
    case 'mysql': {
      const [row] = await db.sequelize.query<{ bytes: string | number | null }>(
        'SELECT SUM(data_length + index_length) AS bytes FROM information_schema.tables WHERE table_schema = DATABASE()',
        { type: QueryTypes.SELECT },
      );
      return Number(row.bytes ?? 0);
    }
    case 'postgres': {
      const [row] = await db.sequelize.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes', {
        type: QueryTypes.SELECT,
      });
      return Number(row.bytes);
    }
  }
}

export const databaseChecks: PreflightCheck[] = [
  {
    section: SECTION,
    name: 'Database link encrypted (DB_SSL)',
    run: (config) => databaseTransportVerdict(config),
  },
  {
    section: SECTION,
    name: 'Migrations applied',
    async run(_config, { db }) {
      const { executed, pending } = await migrationStatus(db.sequelize);
      return pending.length
        ? fail(`${pending.length} pending (${pending.join(', ')}): run "todobox db:migrate"`)
        : pass(`${executed.length} applied, none pending`);
    },
  },
  {
    section: SECTION,
    name: 'Indexes created',
    async run(_config, { db }) {
      const indexes = (await db.sequelize.getQueryInterface().showIndex(REQUIRED_INDEX.table)) as Array<{ name: string }>;
      return indexes.some((index) => index.name === REQUIRED_INDEX.name)
        ? pass(`${REQUIRED_INDEX.name} on ${REQUIRED_INDEX.table} (user_id, modified) exists`)
        : fail(`${REQUIRED_INDEX.name} is missing on ${REQUIRED_INDEX.table}: run "todobox db:migrate"`);
    },
  },
  {
    section: SECTION,
    name: 'Database size',
    async run(config, { db }) {
      const bytes = await databaseBytes(config, db);
      return pass(`${bytes} bytes (${(bytes / 1024 / 1024).toFixed(1)} MiB): watch its growth`);
    },
  },
];
