import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * Whether a MySQL/MariaDB dump can record its binary-log position, and the dump option that does it.
 * The option needs the server to keep a binary log, RELOAD (a brief global read lock at the start)
 * and the right to read the position (BINLOG MONITOR on MariaDB, REPLICATION CLIENT on MySQL); without
 * them the dump runs as before and the manifest says why the position is missing.
 */
export type BinaryLogPlan = { record: true; dumpOption: string } | { record: false; note: string };

const POSITION_READERS = ['BINLOG MONITOR', 'REPLICATION CLIENT', 'SUPER'];

async function globalPrivileges(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ privilege: string }>('SELECT PRIVILEGE_TYPE AS privilege FROM information_schema.USER_PRIVILEGES', {
    type: QueryTypes.SELECT,
  });
  return rows.map((row) => row.privilege.toUpperCase());
}

/** MariaDB's mysqldump names the option --master-data; MySQL's renamed it --source-data in 8.0.26. */
export async function planBinaryLog(sequelize: Sequelize, mariaDbClient: boolean): Promise<BinaryLogPlan> {
  const [logBin] = await sequelize.query<{ Value: string }>("SHOW VARIABLES LIKE 'log_bin'", { type: QueryTypes.SELECT });
  if (logBin?.Value?.toUpperCase() !== 'ON') return { record: false, note: 'the server keeps no binary log (log_bin is OFF)' };
  const privileges = await globalPrivileges(sequelize);
  const missing = [
    ...(privileges.includes('RELOAD') || privileges.includes('ALL PRIVILEGES') ? [] : ['RELOAD']),
    ...(POSITION_READERS.some((name) => privileges.includes(name)) || privileges.includes('ALL PRIVILEGES') ? [] : ['BINLOG MONITOR (MariaDB) or REPLICATION CLIENT (MySQL)']),
  ];
  if (missing.length > 0) return { record: false, note: `the backup account lacks ${missing.join(' and ')}, needed to record the binary-log position` };
  return { record: true, dumpOption: mariaDbClient ? '--master-data=2' : '--source-data=2' };
}
