import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { loadConfig } from '../../src/config';
import { createDatabase } from '../../src/db/database';
import { migrateUp } from '../../src/db/migrator';
import { todobox } from '../helpers/cli';
import { describeWithService } from '../helpers/requiredService';
import {
  makeServerCertificate,
  privateMariaDbAvailable,
  privatePostgresAvailable,
  type PrivateServer,
  type ServerCertificate,
  startPrivateMariaDb,
  startPrivatePostgres,
} from '../helpers/privateServers';

interface TlsServer {
  name: string;
  available: () => boolean;
  start: (tls: ServerCertificate) => Promise<PrivateServer>;
  /** Whether the connection a query runs on is encrypted. */
  encrypted: string;
  readEncrypted: (row: Record<string, unknown>) => boolean;
}

const SERVERS: TlsServer[] = [
  {
    name: 'MariaDB',
    available: privateMariaDbAvailable,
    start: (tls) => startPrivateMariaDb('todobox', { tls }),
    encrypted: "SHOW SESSION STATUS LIKE 'Ssl_cipher'",
    readEncrypted: (row) => String(row.Value ?? '') !== '',
  },
  {
    name: 'PostgreSQL',
    available: privatePostgresAvailable,
    start: (tls) => startPrivatePostgres('todobox', { tls }),
    encrypted: 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    readEncrypted: (row) => row.ssl === true,
  },
];

for (const server of SERVERS) {
  describeWithService(`a private ${server.name} server (its programs)`, server.available(), `DB_SSL against ${server.name} with TLS required`, () => {
    let dir: string;
    let tls: ServerCertificate;
    let running: PrivateServer;
    let otherCa: string;

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-tls-'));
      fs.chmodSync(dir, 0o755);
      tls = makeServerCertificate(dir);
      fs.mkdirSync(path.join(dir, 'other'));
      otherCa = makeServerCertificate(path.join(dir, 'other')).caFile;
      running = await server.start(tls);
    }, 120_000);
    afterAll(async () => {
      await running?.remove();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Connects with the given settings and answers whether the link is encrypted, or the error. */
    async function connect(env: Record<string, string>): Promise<boolean | string> {
      const config = loadConfig({ ...running.env, LOG_DIR: '', ...env }, { readDotenv: false });
      let db;
      try {
        db = await createDatabase({ ...config.database, pool: { ...config.database.pool, acquireMs: 5000 } });
        await migrateUp(db.sequelize);
        const [row] = await db.sequelize.query<Record<string, unknown>>(server.encrypted, { type: QueryTypes.SELECT });
        return server.readEncrypted(row);
      } catch (error) {
        return `refused: ${error instanceof Error ? error.message : String(error)}`;
      } finally {
        await db?.close();
      }
    }

    it('is refused by the server with DB_SSL=off', async () => {
      expect(await connect({ DB_SSL: 'off' })).toMatch(/^refused/);
    });

    it('connects encrypted with DB_SSL=on, and with DB_SSL=verify against the CA that signed the server', async () => {
      expect(await connect({ DB_SSL: 'on' })).toBe(true);
      expect(await connect({ DB_SSL: 'verify', DB_SSL_CA: tls.caFile })).toBe(true);
      expect(await connect({ DB_SSL: 'verify', DB_SSL_CA: tls.caFile, DB_URL: 'localhost' })).toBe(true);
    });

    it('backs up and verifies the backup over the same checked TLS link (the client programs get DB_SSL too)', async () => {
      const output = path.join(dir, 'backups');
      const env = { ...running.env, LOG_DIR: '', DB_SSL: 'verify', DB_SSL_CA: tls.caFile, BACKUP_METRICS_DIR: '' };
      expect(await todobox(['db:migrate'], env)).toMatchObject({ code: 0 });
      expect(await todobox(['backup', '--output', output], env)).toMatchObject({ code: 0 });
      const [file] = fs.readdirSync(output);
      expect(await todobox(['backup:verify', path.join(output, file)], env)).toMatchObject({ code: 0, stdout: expect.stringContaining('users') });
    });

    it('refuses with DB_SSL=verify a server whose certificate another CA signed, or none it trusts', async () => {
      expect(await connect({ DB_SSL: 'verify', DB_SSL_CA: otherCa })).toMatch(/^refused/);
      expect(await connect({ DB_SSL: 'verify' })).toMatch(/^refused/);
    });
  });
}
