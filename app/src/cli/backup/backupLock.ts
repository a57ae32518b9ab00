import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { QueryTypes, UniqueConstraintError, type Sequelize } from 'sequelize';
import { CliError } from '../cliError';

export const BACKUP_LOCK_NAME = 'backup';
/** Long enough to outlast a stalled renewal or two, short enough that a crashed run blocks the next one only briefly. */
export const DEFAULT_LEASE_SECONDS = 120;

export interface LockHolder {
  host: string;
  pid: number;
  since: Date;
  expiresAt: Date;
}

export interface LeaseOptions {
  leaseSeconds?: number;
  host?: string;
  pid?: number;
}

export interface HeldLock {
  /** Set when a crashed run's expired lease was taken over. */
  tookOverFrom?: LockHolder;
  /** Renews the lease now, and fails when another run has taken it over meanwhile (this one stalled past its lease). */
  confirm(): Promise<void>;
  release(): Promise<void>;
}

interface LockRow {
  host: string;
  pid: number | string;
  acquired_at_ms: number | string;
  expires_at_ms: number | string;
}

/** The database server's clock in milliseconds: every host compares expiries against the same clock. */
function databaseNowMs(sequelize: Sequelize): string {
  switch (sequelize.getDialect()) {
    case 'mysql':
      return 'CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)';
    case 'postgres':
      return 'CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)';
    default:
      return "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
  }
}

function holderOf(row: LockRow): LockHolder {
  return { host: row.host, pid: Number(row.pid), since: new Date(Number(row.acquired_at_ms)), expiresAt: new Date(Number(row.expires_at_ms)) };
}

export function describeHolder(holder: LockHolder): string {
  return `${holder.host} (pid ${holder.pid}) since ${holder.since.toISOString()}, lease until ${holder.expiresAt.toISOString()}`;
}

async function currentHolder(sequelize: Sequelize, name: string): Promise<LockHolder | undefined> {
  const [row] = await sequelize.query<LockRow>('SELECT host, pid, acquired_at_ms, expires_at_ms FROM backup_lock WHERE name = :name', {
    replacements: { name },
    type: QueryTypes.SELECT,
  });
  return row ? holderOf(row) : undefined;
}

/**
 * Takes the lease `name` with one atomic statement or fails naming its holder. An INSERT takes a free
 * lock (the primary key lets one of two racing runs win); an UPDATE guarded by the expiry takes over a
 * crashed run's lease. While held, the lease is renewed every third of its length.
 */
export async function acquireBackupLock(sequelize: Sequelize, name = BACKUP_LOCK_NAME, options: LeaseOptions = {}): Promise<HeldLock> {
  const leaseMs = (options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
  const token = randomUUID();
  const now = databaseNowMs(sequelize);
  const identity = { name, holder: token, host: options.host ?? os.hostname(), pid: options.pid ?? process.pid, leaseMs };
  const expired = await currentHolder(sequelize, name);
  const takeOver = await sequelize.query(
    `UPDATE backup_lock SET holder = :holder, host = :host, pid = :pid, acquired_at_ms = ${now}, expires_at_ms = ${now} + :leaseMs
     WHERE name = :name AND expires_at_ms < ${now}`,
    { replacements: identity, type: QueryTypes.UPDATE },
  );
  // Every dialect answers an UPDATE with [rows or nothing, number of rows changed].
  const tookOver = Number(takeOver[1]) === 1;
  if (!tookOver) {
    try {
      await sequelize.query(
        `INSERT INTO backup_lock (name, holder, host, pid, acquired_at_ms, expires_at_ms) VALUES (:name, :holder, :host, :pid, ${now}, ${now} + :leaseMs)`,
        { replacements: identity, type: QueryTypes.INSERT },
      );
    } catch (error) {
      if (!(error instanceof UniqueConstraintError)) throw error;
      const holder = await currentHolder(sequelize, name);
      throw new CliError(`Another backup is running: the lock is held by ${holder ? describeHolder(holder) : 'a run that has just finished'}. Nothing was done.`);
    }
  }
  const renew = async (): Promise<boolean> => {
    const [, changed] = await sequelize.query(`UPDATE backup_lock SET expires_at_ms = ${now} + :leaseMs WHERE name = :name AND holder = :holder`, {
      replacements: identity,
      type: QueryTypes.UPDATE,
    });
    if (Number(changed) === 1) return true;
    // MySQL and MariaDB count only the rows an UPDATE changed: a renewal within the millisecond of
    // the last one changes nothing, yet the lease is still this run's.
    const [row] = await sequelize.query<{ holder: string }>('SELECT holder FROM backup_lock WHERE name = :name', { replacements: { name }, type: QueryTypes.SELECT });
    return row?.holder === token;
  };
  // A missed renewal is retried at the next tick (the lease outlasts two of them); confirm() reports a lost lease.
  const renewal = setInterval(() => void renew().catch(() => undefined), leaseMs / 3);
  renewal.unref();
  return {
    tookOverFrom: tookOver ? expired : undefined,
    async confirm() {
      if (await renew()) return;
      const holder = await currentHolder(sequelize, name);
      throw new CliError(`This backup lost its lock (its lease expired while it stalled) to ${holder ? describeHolder(holder) : 'no one'}: it stops here.`);
    },
    async release() {
      clearInterval(renewal);
      await sequelize.query('DELETE FROM backup_lock WHERE name = :name AND holder = :holder', { replacements: identity });
    },
  };
}
