import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import { describeWithService } from '../helpers/requiredService';
import { type CliRun, todobox } from '../helpers/cli';
import {
  makeServerCertificate,
  type PrivateDatabaseServer,
  privateMariaDbAvailable,
  privatePostgresAvailable,
  startPrivateMariaDb,
  startPrivatePostgres,
  type ServerCertificate,
} from '../helpers/privateServers';

const ADMIN = { user: 'master', password: 'master-password-1' };
const APP = { DB_NAME: 'todobox_main', DB_USER: 'todobox_app', DB_PW: 'app-password-1' };
const EXPORTER = { DB_EXPORTER_USER: 'todobox_exporter', DB_EXPORTER_PASSWORD: 'exporter-password-1' };
/** Longer than db:bootstrap's pools keep an idle connection (10 s), with time for the eviction to run. */
const LONGER_THAN_POOL_IDLE_MS = 12_000;

interface Engine {
  name: string;
  dialect: 'mysql' | 'postgres';
  available: () => boolean;
  /** With a certificate, the server takes TLS connections only. */
  start: (tls?: ServerCertificate) => Promise<PrivateDatabaseServer>;
  /** Makes an administrator as a managed database hands one out: every privilege to grant, no superuser. */
  administrator: string[];
  /** What the connected user may do beyond its own database: each entry should be false. */
  powers: (db: Sequelize) => Promise<Record<string, boolean>>;
  /** Read the server's statistics as a monitoring exporter does, each needing a privilege the app's user lacks. */
  monitoringQueries: string[];
  /** As the superuser: a database named like the app's with its underscore replaced, holding a table. */
  lookalikeDatabase: string[];
  /** What the report says of TLS with DB_SSL on. */
  tlsReport: RegExp;
  /** The server's own databases, and the longest name it takes for one. */
  systemDatabases: string[];
  longestDatabaseName: number;
  /** As the administrator: the accounts, their privileges and passwords, and the databases, to see that nothing changed. */
  snapshot: (db: Sequelize) => Promise<unknown>;
  /** The database the administrator connects to for the snapshot. */
  serverDatabase: string;
  /** Accounts of the server's or a managed database's administrators, by name. */
  administratorAccounts: string[];
  /** As the superuser: an account `power` (password power-password-1) holding far more than db:bootstrap grants. */
  powerfulUser: string[];
  /** What the refusal says `power` holds. */
  powerfulHoldings: RegExp;
  /** As the superuser: administrators short of a privilege db:bootstrap needs; then runs as them, and what each is refused. */
  shortOfPrivileges: { administrators: string[]; runs: Array<[Record<string, string>, RegExp]> };
}

const asAdministrator = (user: string) => ({ DB_ADMIN_USER: user, DB_ADMIN_PASSWORD: `${user}-password-1` });

const rowsOf = (db: Sequelize, sql: string) => db.query(sql, { type: QueryTypes.SELECT });

const ENGINES: Engine[] = [
  {
    name: 'MariaDB',
    dialect: 'mysql',
    available: privateMariaDbAvailable,
    start: (tls) => startPrivateMariaDb('other_app', { tls }),
    administrator: [`CREATE USER '${ADMIN.user}'@'127.0.0.1' IDENTIFIED BY '${ADMIN.password}'`, `GRANT ALL PRIVILEGES ON *.* TO '${ADMIN.user}'@'127.0.0.1' WITH GRANT OPTION`],
    powers: async (db) => {
      const grants = (await db.query<Record<string, string>>('SHOW GRANTS', { type: QueryTypes.SELECT })).map((row) => Object.values(row)[0]);
      return {
        serverWide: grants.some((grant) => / ON \*\.\* /.test(grant) && !/^GRANT USAGE ON/.test(grant)),
        grantOption: grants.some((grant) => /WITH GRANT OPTION/.test(grant)),
        otherDatabase: grants.some((grant) => / ON `(?!todobox\\_main`)/.test(grant)),
      };
    },
    monitoringQueries: ['SHOW ENGINE INNODB STATUS', 'SHOW MASTER STATUS', 'SELECT COUNT(*) FROM performance_schema.events_statements_summary_by_digest'],
    lookalikeDatabase: ['CREATE DATABASE todoboxXmain', 'CREATE TABLE todoboxXmain.secrets (secret TEXT)'],
    tlsReport: /^user todobox_app: ready, .*, TLS required$/m,
    systemDatabases: ['mysql', 'sys', 'performance_schema', 'information_schema', 'MySQL'],
    longestDatabaseName: 64,
    snapshot: async (db) => ({
      accounts: await rowsOf(db, "SELECT CONCAT(User, '@', Host) AS account, Priv FROM mysql.global_priv ORDER BY account"),
      grants: await rowsOf(db, 'SELECT * FROM mysql.db ORDER BY Host, Db, User'),
      roles: await rowsOf(db, 'SELECT * FROM mysql.roles_mapping ORDER BY Host, User, Role'),
      databases: await rowsOf(db, 'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA ORDER BY name'),
    }),
    serverDatabase: '',
    administratorAccounts: ['root', 'mysql', 'rdsadmin'],
    powerfulUser: ["CREATE USER 'power'@'%' IDENTIFIED BY 'power-password-1'", "GRANT ALL PRIVILEGES ON *.* TO 'power'@'%' WITH GRANT OPTION"],
    powerfulHoldings: /"power" already exists and holds ALL PRIVILEGES ON \*\.\* WITH GRANT OPTION/,
    shortOfPrivileges: {
      administrators: [
        "CREATE USER 'nogrant'@'127.0.0.1' IDENTIFIED BY 'nogrant-password-1'",
        "GRANT ALL PRIVILEGES ON *.* TO 'nogrant'@'127.0.0.1'",
        "CREATE USER 'nocreateuser'@'127.0.0.1' IDENTIFIED BY 'nocreateuser-password-1'",
        "GRANT ALL PRIVILEGES ON `todobox\\_short`.* TO 'nocreateuser'@'127.0.0.1' WITH GRANT OPTION",
      ],
      runs: [
        [asAdministrator('nogrant'), /DB_ADMIN_USER "nogrant" has no GRANT OPTION/],
        [asAdministrator('nocreateuser'), /DB_ADMIN_USER "nocreateuser" has no CREATE USER/],
      ],
    },
  },
  {
    name: 'PostgreSQL',
    dialect: 'postgres',
    available: privatePostgresAvailable,
    // Every statement logged, as log_statement=ddl or an error (log_min_error_statement) logs one.
    start: (tls) => startPrivatePostgres('other_app', { tls, settings: ["log_statement = 'all'"] }),
    administrator: [`CREATE ROLE ${ADMIN.user} LOGIN CREATEDB CREATEROLE PASSWORD '${ADMIN.password}'`, `GRANT pg_monitor TO ${ADMIN.user} WITH ADMIN OPTION`],
    powers: async (db) => {
      const [role] = await db.query<Record<string, boolean>>(
        "SELECT rolsuper AS superuser, rolcreatedb AS \"createDatabase\", rolcreaterole AS \"createRole\", pg_has_role(current_user, 'pg_monitor', 'member') AS monitor FROM pg_roles WHERE rolname = current_user",
        { type: QueryTypes.SELECT },
      );
      return role;
    },
    monitoringQueries: ['SELECT COUNT(*) FROM pg_ls_waldir()'],
    lookalikeDatabase: ['CREATE DATABASE "todoboxXmain"', '\\c todoboxXmain', 'CREATE TABLE secrets (secret TEXT)'],
    tlsReport: /^TLS: .*enforce it on the server .*hostssl.*pg_hba\.conf.*rds\.force_ssl/m,
    systemDatabases: ['postgres', 'template0', 'template1', 'Postgres'],
    longestDatabaseName: 63,
    snapshot: async (db) => ({
      roles: await rowsOf(
        db,
        'SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin, ARRAY(SELECT pg_get_userbyid(roleid) FROM pg_auth_members WHERE member = pg_roles.oid ORDER BY 1) AS "memberOf" FROM pg_roles ORDER BY rolname',
      ),
      databases: await rowsOf(db, 'SELECT datname, pg_get_userbyid(datdba) AS owner, datacl::text AS acl FROM pg_database ORDER BY datname'),
    }),
    serverDatabase: 'postgres',
    administratorAccounts: ['postgres', 'rds_superuser', 'pg_monitor'],
    powerfulUser: ["CREATE ROLE power LOGIN CREATEDB CREATEROLE PASSWORD 'power-password-1'", 'GRANT pg_read_all_data TO power'],
    powerfulHoldings: /"power" already exists and holds CREATEDB, CREATEROLE, membership in pg_read_all_data/,
    shortOfPrivileges: {
      administrators: ["CREATE ROLE nocreatedb LOGIN CREATEROLE PASSWORD 'nocreatedb-password-1'"],
      runs: [
        [asAdministrator('nocreatedb'), /DB_ADMIN_USER "nocreatedb" has no CREATEDB/],
        // other_app belongs to the server's other user, todobox, whose member the administrator is not.
        [{ DB_NAME: 'other_app' }, /DB_NAME "other_app" is owned by todobox/],
      ],
    },
  },
];

for (const engine of ENGINES) {
  describeWithService(`a private ${engine.name} server (its programs)`, engine.available(), `todobox db:bootstrap on ${engine.name}`, () => {
    let server: PrivateDatabaseServer;
    let appEnv: Record<string, string>;
    let bootstrapEnv: Record<string, string>;

    const connectAs = async <T>(user: string, password: string, database: string, work: (db: Sequelize) => Promise<T>): Promise<T> => {
      const db = new Sequelize(database, user, password, { dialect: engine.dialect, host: '127.0.0.1', port: server.port, logging: false });
      try {
        return await work(db);
      } finally {
        await db.close();
      }
    };
    const refusal = (work: Promise<unknown>) => work.then(() => 'allowed', (error: Error) => `refused: ${error.message}`);
    const snapshot = () => connectAs(ADMIN.user, ADMIN.password, engine.serverDatabase, engine.snapshot);

    beforeAll(async () => {
      server = await engine.start();
      server.runAsSuperuser(engine.administrator);
      appEnv = { ...server.env, ...APP, LOG_DIR: '', BACKUP_METRICS_DIR: '' };
      bootstrapEnv = { ...appEnv, DB_ADMIN_USER: ADMIN.user, DB_ADMIN_PASSWORD: ADMIN.password };
    }, 120_000);
    afterAll(() => server?.remove());

    it('takes over what an earlier version made as the administrator, then the app migrates, writes and backs up as its own user', async () => {
      const asAdministrator = { ...appEnv, DB_USER: ADMIN.user, DB_PW: ADMIN.password, DB_NAME: 'todobox_main' };
      server.runAsSuperuser([engine.dialect === 'mysql' ? 'CREATE DATABASE todobox_main' : `CREATE DATABASE todobox_main OWNER ${ADMIN.user}`]);
      expect(await todobox(['db:migrate'], asAdministrator)).toMatchObject({ code: 0 });

      const bootstrap = await todobox(['db:bootstrap'], bootstrapEnv);
      expect(bootstrap).toMatchObject({ code: 0, stderr: '' });
      expect(bootstrap.stdout).toContain('user todobox_app: ready');
      expect(bootstrap.stdout).not.toContain(APP.DB_PW);

      expect(await todobox(['db:migrate'], appEnv)).toMatchObject({ code: 0, stdout: expect.stringContaining('up to date') });
      expect(await todobox(['user:create', 'owner@example.com', '--name', 'Owner', '--password', 'correct horse battery'], appEnv)).toMatchObject({ code: 0 });
      const backups = `${server.dir}/backups`;
      expect(await todobox(['backup', '--output', backups], appEnv)).toMatchObject({ code: 0 });
      const listed = await todobox(['user:list', '--json'], appEnv);
      expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ email: 'owner@example.com' })]);
    }, 120_000);

    it("leaves the app's user nothing beyond its own database", async () => {
      const powers = await connectAs(APP.DB_USER, APP.DB_PW, APP.DB_NAME, engine.powers);
      expect(Object.entries(powers).filter(([, held]) => held)).toEqual([]);
      expect(await connectAs(APP.DB_USER, APP.DB_PW, APP.DB_NAME, (db) => refusal(db.query('CREATE DATABASE todobox_elsewhere')))).toMatch(/^refused/);
      // The server's other users reach the app's database no more than the app reaches theirs.
      expect(await connectAs('todobox', 'todobox', APP.DB_NAME, (db) => refusal(db.query('SELECT COUNT(*) FROM users')))).toMatch(/^refused: .*denied for .*database/i);
    });

    it("reaches no other database named like its own (a GRANT reads _ as a wildcard on MySQL/MariaDB)", async () => {
      server.runAsSuperuser(engine.lookalikeDatabase);
      const [database, query] = engine.dialect === 'mysql' ? [APP.DB_NAME, 'SELECT COUNT(*) FROM todoboxXmain.secrets'] : ['todoboxXmain', 'SELECT COUNT(*) FROM secrets'];
      expect(await connectAs(APP.DB_USER, APP.DB_PW, database, (db) => refusal(db.query(query)))).toMatch(/^refused: .*denied/i);
    });

    it('is safe to run on every instance at once, and brings in a changed password', async () => {
      const runs = await Promise.all([1, 2, 3].map(() => todobox(['db:bootstrap'], bootstrapEnv)));
      expect(runs.map((run) => [run.code, run.stderr])).toEqual([[0, ''], [0, ''], [0, '']]);

      const rotated = { DB_PW: 'app-password-2' };
      expect(await todobox(['db:bootstrap'], { ...bootstrapEnv, ...rotated })).toMatchObject({ code: 0 });
      expect(await connectAs(APP.DB_USER, APP.DB_PW, APP.DB_NAME, (db) => refusal(db.query('SELECT 1')))).toMatch(/^refused/);
      const listed = await todobox(['user:list', '--json'], { ...appEnv, ...rotated });
      expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ email: 'owner@example.com' })]);
      expect(await todobox(['db:bootstrap'], bootstrapEnv)).toMatchObject({ code: 0 });
    }, 120_000);

    if (engine.dialect === 'postgres') {
      it('holds its lock for the whole run, though a step waits longer than an idle connection is kept', async () => {
        const asAdministrator = <T>(database: string, work: (db: Sequelize) => Promise<T>) => connectAs(ADMIN.user, ADMIN.password, database, work);
        await asAdministrator(APP.DB_NAME, (db) => db.query('CREATE TABLE slow_handover (id INTEGER)'));
        const lockHeld = () =>
          asAdministrator('postgres', async (db) => {
            const rows = await db.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted", { type: QueryTypes.SELECT });
            return rows.length > 0;
          });
        let run: Promise<CliRun> | undefined;
        // Handing slow_handover to the app's user waits for this transaction's lock on it.
        const heldWhileWaiting = await asAdministrator(APP.DB_NAME, (db) =>
          db.transaction(async (transaction) => {
            await db.query('LOCK TABLE slow_handover IN ACCESS EXCLUSIVE MODE', { transaction });
            run = todobox(['db:bootstrap'], bootstrapEnv);
            await new Promise((resolve) => setTimeout(resolve, LONGER_THAN_POOL_IDLE_MS));
            return lockHeld();
          }),
        );
        expect(await run).toMatchObject({ code: 0, stderr: '' });
        expect(heldWhileWaiting).toBe(true);
        expect(await lockHeld()).toBe(false);
      }, 60_000);
    }

    if (engine.dialect === 'postgres') {
      it("sends no password the server could log, creating a role or changing one's password", async () => {
        const exporter = { DB_EXPORTER_USER: 'todobox_exporter_2', DB_EXPORTER_PASSWORD: 'exporter-password-3' };
        const rotated = { DB_PW: 'app-password-3' };
        expect(await todobox(['db:bootstrap'], { ...bootstrapEnv, ...exporter })).toMatchObject({ code: 0 });
        expect(await todobox(['db:bootstrap'], { ...bootstrapEnv, ...exporter, ...rotated })).toMatchObject({ code: 0 });
        const logins = [
          await connectAs(exporter.DB_EXPORTER_USER, exporter.DB_EXPORTER_PASSWORD, APP.DB_NAME, (db) => refusal(db.query('SELECT 1'))),
          await connectAs(APP.DB_USER, rotated.DB_PW, APP.DB_NAME, (db) => refusal(db.query('SELECT 1'))),
        ];
        expect(logins).toEqual(['allowed', 'allowed']);
        const log = fs.readFileSync(server.logFile, 'utf8');
        expect(log).toMatch(/CREATE ROLE "todobox_exporter_2"/);
        expect([APP.DB_PW, rotated.DB_PW, exporter.DB_EXPORTER_PASSWORD].filter((password) => log.includes(password))).toEqual([]);
        expect(await todobox(['db:bootstrap'], bootstrapEnv)).toMatchObject({ code: 0 });
      });
    }

    if (engine.dialect === 'mysql') {
      it('lifts the TLS requirement an earlier run with DB_SSL on set, once DB_SSL is off', async () => {
        const users = [APP.DB_USER, EXPORTER.DB_EXPORTER_USER];
        expect(await todobox(['db:bootstrap'], { ...bootstrapEnv, ...EXPORTER })).toMatchObject({ code: 0 });
        server.runAsSuperuser(users.map((user) => `ALTER USER '${user}'@'%' REQUIRE SSL`));
        expect(await todobox(['db:bootstrap'], { ...bootstrapEnv, ...EXPORTER, DB_SSL: 'off' })).toMatchObject({ code: 0 });
        const created = await connectAs(ADMIN.user, ADMIN.password, '', (db) =>
          Promise.all(users.map(async (user) => Object.values((await db.query<Record<string, string>>(`SHOW CREATE USER '${user}'@'%'`, { type: QueryTypes.SELECT }))[0])[0])),
        );
        expect(created.filter((statement) => / REQUIRE (SSL|X509|ISSUER|SUBJECT|CIPHER)/.test(statement))).toEqual([]);
        expect(await connectAs(APP.DB_USER, APP.DB_PW, APP.DB_NAME, (db) => refusal(db.query('SELECT 1')))).toBe('allowed');
      });
    }

    it("creates the exporter's user, which reads the server's statistics and not one todo", async () => {
      expect(await todobox(['db:bootstrap'], { ...bootstrapEnv, ...EXPORTER })).toMatchObject({ code: 0, stdout: expect.stringContaining('user todobox_exporter: ready') });
      const { DB_EXPORTER_USER: user, DB_EXPORTER_PASSWORD: password } = EXPORTER;
      const database = engine.dialect === 'mysql' ? '' : APP.DB_NAME;
      const monitor = (as: string, secret: string) =>
        connectAs(as, secret, database, async (db) => {
          const results: string[] = [];
          for (const query of engine.monitoringQueries) results.push(await refusal(db.query(query)));
          return results;
        });
      expect(await monitor(user, password)).toEqual(engine.monitoringQueries.map(() => 'allowed'));
      expect(await monitor(APP.DB_USER, APP.DB_PW)).toEqual(engine.monitoringQueries.map(() => expect.stringMatching(/^refused: .*(denied|privilege)/i)));
      const readTodos = engine.dialect === 'mysql' ? 'SELECT COUNT(*) FROM todobox_main.users' : 'SELECT COUNT(*) FROM users';
      expect(await connectAs(user, password, database, (db) => refusal(db.query(readTodos)))).toMatch(/^refused/);
    });

    it("refuses as DB_NAME a system database, or a name of other than letters, digits and underscores, before changing anything", async () => {
      const before = await snapshot();
      const cases: Array<[string, RegExp]> = [
        ...engine.systemDatabases.map((name): [string, RegExp] => [name, new RegExp(`DB_NAME "${name}" is one of the server's own databases`)]),
        ['todo_%', /DB_NAME "todo_%" must be 1 to \d+ letters, digits or underscores/],
        ['todo-box', /DB_NAME "todo-box" must be 1 to \d+ letters, digits or underscores/],
        ['d'.repeat(engine.longestDatabaseName + 1), new RegExp(`DB_NAME "d+" must be 1 to ${engine.longestDatabaseName} letters`)],
      ];
      for (const [name, message] of cases) {
        const run = await todobox(['db:bootstrap'], { ...bootstrapEnv, DB_NAME: name, DB_USER: 'todobox_refused' });
        expect({ name, code: run.code, stderr: run.stderr }).toEqual({ name, code: 1, stderr: expect.stringMatching(message) });
      }
      expect(await snapshot()).toEqual(before);
      expect(await todobox(['db:bootstrap'], { ...bootstrapEnv, DB_NAME: 'd'.repeat(engine.longestDatabaseName), DB_USER: 'todobox_longest' })).toMatchObject({ code: 0 });
    });

    it("refuses an administrator's account, or an existing user holding more than db:bootstrap grants, naming what it holds and changing nothing", async () => {
      server.runAsSuperuser(engine.powerfulUser);
      const before = await snapshot();
      const cases: Array<[Record<string, string>, RegExp]> = [
        ...engine.administratorAccounts.map((user): [Record<string, string>, RegExp] => [{ DB_USER: user }, new RegExp(`DB_USER "${user}" is an administrator's account`)]),
        [{ DB_USER: 'power' }, engine.powerfulHoldings],
        [{ ...EXPORTER, DB_EXPORTER_USER: 'power' }, engine.powerfulHoldings],
      ];
      for (const [change, message] of cases) {
        const run = await todobox(['db:bootstrap'], { ...bootstrapEnv, ...change });
        expect({ change, code: run.code, stderr: run.stderr }).toEqual({ change, code: 1, stderr: expect.stringMatching(message) });
      }
      expect(await snapshot()).toEqual(before);
      expect(await connectAs('power', 'power-password-1', engine.serverDatabase, (db) => refusal(db.query('SELECT 1')))).toBe('allowed');
    });

    it('refuses an administrator short of a privilege it needs, naming the privilege, before changing anything', async () => {
      server.runAsSuperuser(engine.shortOfPrivileges.administrators);
      const before = await snapshot();
      for (const [change, message] of engine.shortOfPrivileges.runs) {
        const run = await todobox(['db:bootstrap'], { ...bootstrapEnv, DB_NAME: 'todobox_short', DB_USER: 'todobox_short_app', ...change });
        expect({ change, code: run.code, stderr: run.stderr }).toEqual({ change, code: 1, stderr: expect.stringMatching(message) });
      }
      expect(await snapshot()).toEqual(before);
    });

    it('refuses, naming the problem and changing nothing, what it cannot do safely', async () => {
      const cases: Array<[Record<string, string>, RegExp]> = [
        [{ DB_ADMIN_USER: '', DB_ADMIN_PASSWORD: '' }, /DB_ADMIN_USER and DB_ADMIN_PASSWORD must name the administrator/],
        [{ DB_ADMIN_PASSWORD: '' }, /DB_ADMIN_USER and DB_ADMIN_PASSWORD go together/],
        [{ DB_USER: ADMIN.user, DB_PW: ADMIN.password }, /DB_USER must name the app's own user, not the administrator/],
        [{ DB_USER: "app'; DROP DATABASE todobox_main; --" }, /DB_USER .* must be 1 to 32 letters/],
        [{ ...EXPORTER, DB_EXPORTER_USER: APP.DB_USER }, /DB_EXPORTER_USER must be a user of its own/],
        [{ DB_ADMIN_PASSWORD: 'wrong-password' }, new RegExp(`^As ${ADMIN.user} on 127\\.0\\.0\\.1:${server?.port ?? '\\d+'}: .*(denied|authentication failed)`, 'i')],
      ];
      for (const [change, message] of cases) {
        const run = await todobox(['db:bootstrap'], { ...bootstrapEnv, ...change });
        expect({ change, code: run.code, stderr: run.stderr }).toEqual({ change, code: 1, stderr: expect.stringMatching(message) });
        expect(run.stderr).not.toMatch(/Unexpected error|\n\s+at /);
        expect(run.stderr).not.toContain('wrong-password');
      }
      const listed = await todobox(['user:list', '--json'], { ...appEnv, DB_PW: 'app-password-1' });
      expect(listed.code).toBe(0);
    });
  });
}

for (const engine of ENGINES) {
  describeWithService(`a private ${engine.name} server (its programs)`, engine.available(), `todobox db:bootstrap on ${engine.name} with DB_SSL on`, () => {
    let dir: string;
    let server: PrivateDatabaseServer;

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-bootstrap-tls-'));
      fs.chmodSync(dir, 0o755);
      server = await engine.start(makeServerCertificate(dir));
      server.runAsSuperuser(engine.administrator);
    }, 120_000);
    afterAll(async () => {
      await server?.remove();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("says how TLS is required of the app's user", async () => {
      const run = await todobox(['db:bootstrap'], { ...server.env, ...APP, LOG_DIR: '', DB_SSL: 'on', DB_ADMIN_USER: ADMIN.user, DB_ADMIN_PASSWORD: ADMIN.password });
      expect(run).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(engine.tlsReport) });
    });
  });
}

describe('todobox db:bootstrap on SQLite', () => {
  it('says that SQLite has no users to create', async () => {
    const run = await todobox(['db:bootstrap'], { DATABASE_DEFAULT: 'sqlite', DATABASE_NAME: ':memory:', LOG_DIR: '', DB_ADMIN_USER: 'a', DB_ADMIN_PASSWORD: 'b', DB_PW: 'c' });
    expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('SQLite (DATABASE_DEFAULT=sqlite) has none') });
  });
});
