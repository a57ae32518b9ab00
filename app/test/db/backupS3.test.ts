import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '../../src/config';
import { withLocalBackup } from '../../src/cli/backup/s3Source';
import { uploadBackup } from '../../src/cli/backup/s3Upload';
import { changeData, commandExists, seedAccountsAndTodos, tableContents, truncatedCopy } from '../helpers/backupScenario';
import { CliRun, todobox } from '../helpers/cli';
import { describeWithService, mariaDbAvailable, postgresAvailable } from '../helpers/requiredService';
import { closedPort, S3TestServer, silentServer, startS3Server } from '../helpers/s3Server';
import { createTestDatabase, engineService, TestDatabase } from '../helpers/testDatabase';

let s3: S3TestServer;
let dir: string;
let env: Record<string, string>;
const backupsDir = () => path.join(dir, 'backups');
const metricsFile = () => path.join(dir, 'textfile', 'todobox_backup.prom');
const prefix = 'nightly/host-1';

function expectNoSecret(run: CliRun): void {
  for (const secret of [s3.secretAccessKey, 'Wr0ng-s3-secret-9xk']) {
    expect(run.stdout).not.toContain(secret);
    expect(run.stderr).not.toContain(secret);
  }
}

async function backUpAndUpload(extraEnv: Record<string, string> = {}): Promise<{ file: string; url: string; run: CliRun }> {
  const run = await todobox(['backup', '--output', backupsDir(), '--upload', `s3://${s3.bucket}/${prefix}`], { ...env, ...extraEnv });
  expect(run).toMatchObject({ code: 0, stderr: '' });
  expectNoSecret(run);
  const file = /^Backup written: (\S+) \(/m.exec(run.stdout)?.[1] ?? '';
  const url = /^Uploaded (\S+)$/m.exec(run.stdout)?.[1] ?? '';
  return { file, url, run };
}

const putsOf = (key: string) => s3.requests.filter((request) => request.method === 'PUT' && request.url.includes(key));

beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3.stop();
});

describe('backups off the host, on an S3-compatible server', () => {
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-backup-s3-'));
    // The downloads' temporary folders go here, so the test can see that none is left behind.
    process.env.TMPDIR = path.join(dir, 'tmp');
    fs.mkdirSync(process.env.TMPDIR, { mode: 0o700 });
    env = {
      PATH: process.env.PATH ?? '',
      DATABASE_DEFAULT: 'sqlite',
      DATABASE_NAME: path.join(dir, 'instance', 'todobox.db'),
      BACKUP_METRICS_DIR: path.join(dir, 'textfile'),
      ...s3.env,
    };
    expect((await todobox(['db:migrate'], env)).code).toBe(0);
    await seedAccountsAndTodos(env);
  });
  afterEach(() => {
    delete process.env.TMPDIR;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uploads the backup encrypted with SSE-S3, and restores and verifies it from s3://', async () => {
    const before = await tableContents(env);
    const { file, url } = await backUpAndUpload();
    const key = `${prefix}/daily/${path.basename(file)}`;
    expect(url).toBe(`s3://${s3.bucket}/${key}`);
    expect(await s3.keys(prefix)).toContain(key);
    // The first backup of its week and month also stands for them.
    for (const tier of ['weekly', 'monthly']) expect(await s3.keys(prefix)).toContain(`${prefix}/${tier}/${path.basename(file)}`);
    expect(putsOf(key).length).toBeGreaterThan(0);
    for (const request of putsOf(key)) expect(request.headers['x-amz-server-side-encryption']).toBe('AES256');
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.readFileSync(metricsFile(), 'utf8')).toContain(`todobox_backup_last_size_bytes ${fs.statSync(file).size}\n`);

    const verify = await todobox(['backup:verify', url], env);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('PASS  integrity: PRAGMA integrity_check: ok');
    expect(verify.stdout).toContain(`PASS  ${url}`);

    await changeData(env);
    const restore = await todobox(['restore', url, '--yes'], env);
    expect(restore).toMatchObject({ code: 0, stderr: '' });
    expect(restore.stdout).toContain(`with ${url}.`);
    expect(restore.stdout).toContain('Restored 2 user(s) and 3 todo(s).');
    expect(await tableContents(env)).toEqual(before);
    expect(fs.readdirSync(process.env.TMPDIR ?? '')).toEqual([]);
    expectNoSecret(verify);
    expectNoSecret(restore);
  });

  it('BACKUP_S3_URL uploads every backup, with SSE-KMS when BACKUP_S3_KMS_KEY_ID is set', async () => {
    const kmsKey = 'arn:aws:kms:us-east-1:123456789012:key/backup-test';
    const run = await todobox(['backup', '--output', backupsDir()], {
      ...env,
      BACKUP_S3_URL: `s3://${s3.bucket}/kms/`,
      BACKUP_S3_KMS_KEY_ID: kmsKey,
    });
    expect(run.code).toBe(0);
    const name = path.basename(/^Backup written: (\S+) \(/m.exec(run.stdout)?.[1] ?? '');
    expect(await s3.keys('kms/')).toEqual(['daily', 'monthly', 'weekly'].flatMap((tier) => [`kms/${tier}/${name}`, `kms/${tier}/${name}.manifest.json`]));
    const [put] = putsOf(`kms/daily/${name}`);
    expect(put.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    expect(put.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe(kmsKey);
  });

  it('uploads the manifest beside the backup when there is one', async () => {
    const { file } = await backUpAndUpload();
    const copy = path.join(dir, 'manifested', path.basename(file));
    fs.mkdirSync(path.dirname(copy));
    fs.copyFileSync(file, copy);
    fs.writeFileSync(`${copy}.manifest.json`, JSON.stringify({ engine: 'sqlite' }));
    const destination = { bucket: s3.bucket, key: 'with-manifest' };
    const store = loadConfig(env, { readDotenv: false }).backup.s3Store;
    const result = await uploadBackup(copy, destination, store, env);
    const keys = ['daily', 'weekly', 'monthly'].flatMap((tier) => [`with-manifest/${tier}/${path.basename(copy)}`, `with-manifest/${tier}/${path.basename(copy)}.manifest.json`]);
    expect(result.urls).toEqual(keys.map((key) => `s3://${s3.bucket}/${key}`));
    expect(await s3.keys('with-manifest/')).toEqual([...keys].sort());
    for (const key of keys) expect(putsOf(key)[0].headers['x-amz-server-side-encryption']).toBe('AES256');
  });

  it("files each backup in daily/, the first of each ISO week also in weekly/ and of each month in monthly/, per engine", async () => {
    const store = loadConfig(env, { readDotenv: false }).backup.s3Store;
    const destination = { bucket: s3.bucket, key: 'tiers' };
    const names = [
      'todobox_sqlite_20260105-020000.sqlite.gz', // Monday of week 2, first of January
      'todobox_sqlite_20260106-020000.sqlite.gz', // same week, same month
      'todobox_mysql_20260107-020000.sql.gz', // another engine keeps tiers of its own
      'todobox_sqlite_20260112-020000.sqlite.gz', // week 3
      'todobox_sqlite_20260201-020000.sqlite.gz', // Sunday of week 5, first of February
    ];
    for (const name of names) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, 'a backup');
      await uploadBackup(file, destination, store, env);
    }
    const tier = async (name: string) => (await s3.keys(`tiers/${name}/`)).map((key) => path.posix.basename(key));
    expect(await tier('daily')).toEqual([...names].sort());
    expect(await tier('weekly')).toEqual([names[0], names[2], names[3], names[4]].sort());
    expect(await tier('monthly')).toEqual([names[0], names[2], names[4]].sort());
  });

  it('sends a large backup as a multipart upload, encrypted', async () => {
    const large = path.join(dir, 'todobox_sqlite_20260101-020000.sqlite.gz');
    fs.writeFileSync(large, crypto.randomBytes(11 * 1024 * 1024));
    const store = loadConfig(env, { readDotenv: false }).backup.s3Store;
    await uploadBackup(large, { bucket: s3.bucket, key: 'large/' }, store, env);
    const key = `large/daily/${path.basename(large)}`;
    const started = s3.requests.filter((request) => request.method === 'POST' && request.url.includes(key) && request.url.includes('uploads'));
    expect(started).toHaveLength(1);
    expect(started[0].headers['x-amz-server-side-encryption']).toBe('AES256');
    expect(putsOf(key).filter((request) => request.url.includes('partNumber=')).length).toBeGreaterThanOrEqual(2);
    const s3Client = s3.client();
    try {
      const head = await s3Client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
      expect(head.ContentLength).toBe(fs.statSync(large).size);
    } finally {
      s3Client.destroy();
    }
  });

  it('--latest restores the newest backup of the configured engine in a folder', async () => {
    const before = await tableContents(env);
    const { file } = await backUpAndUpload();
    const s3Client = s3.client();
    try {
      // An older backup that would fail, and a newer one of another engine: neither may be chosen.
      for (const name of ['todobox_sqlite_20240101-020000.sqlite.gz', 'todobox_mysql_29991231-235959.sql.gz']) {
        await s3Client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${name}`, Body: 'not a backup' }));
      }
    } finally {
      s3Client.destroy();
    }
    await changeData(env);
    const restore = await todobox(['restore', `s3://${s3.bucket}/${prefix}/`, '--latest', '--yes'], env);
    expect(restore).toMatchObject({ code: 0, stderr: '' });
    expect(restore.stdout).toContain(`with s3://${s3.bucket}/${prefix}/daily/${path.basename(file)}.`);
    expect(await tableContents(env)).toEqual(before);

    const folder = await todobox(['restore', `s3://${s3.bucket}/${prefix}/`, '--yes'], env);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain('names a folder: give the backup\'s key, or add --latest');
    const empty = await todobox(['backup:verify', `s3://${s3.bucket}/nothing-here/`, '--latest'], env);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain(`There is no sqlite backup under s3://${s3.bucket}/nothing-here/.`);
  });

  it('refuses a truncated or wrong-engine backup from the store, naming the object, and changes nothing', async () => {
    const { file } = await backUpAndUpload();
    const truncated = truncatedCopy(file, path.join(dir, 'todobox_sqlite_20240101-020000.sqlite.gz'));
    const s3Client = s3.client();
    const keys = { truncated: `${prefix}/${path.basename(truncated)}`, mysql: `${prefix}/todobox_mysql_20240101-020000.sql.gz` };
    const mysqlDump = zlib.gzipSync('-- MariaDB dump 10.19\nCREATE TABLE `users` (\nCREATE TABLE `todo` (\nCREATE TABLE `schema_migrations` (\n-- Dump completed\n');
    try {
      await s3Client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: keys.truncated, Body: fs.readFileSync(truncated) }));
      await s3Client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: keys.mysql, Body: mysqlDump }));
    } finally {
      s3Client.destroy();
    }
    const before = await tableContents(env);
    const cut = await todobox(['restore', `s3://${s3.bucket}/${keys.truncated}`, '--yes'], env);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toContain('Refusing to restore a backup that fails verification');
    expect(cut.stderr).toContain(`FAIL  s3://${s3.bucket}/${keys.truncated}`);
    const wrongEngine = await todobox(['restore', `s3://${s3.bucket}/${keys.mysql}`, '--yes'], env);
    expect(wrongEngine.code).toBe(1);
    expect(wrongEngine.stderr).toContain(`s3://${s3.bucket}/${keys.mysql} is a mysql backup, but DATABASE_DEFAULT is sqlite.`);
    expect(await tableContents(env)).toEqual(before);
    expect(fs.readdirSync(process.env.TMPDIR ?? '')).toEqual([]);
  });

  it('downloads into a private file that is gone afterwards', async () => {
    const { url } = await backUpAndUpload();
    const store = loadConfig(env, { readDotenv: false }).backup.s3Store;
    let seen = '';
    await withLocalBackup(url, { latest: false, settings: () => ({ engine: 'sqlite', store }), env }, async (local) => {
      seen = local;
      expect(fs.statSync(local).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.dirname(local)).mode & 0o777).toBe(0o700);
      expect(path.basename(local)).toBe(path.basename(url));
    });
    expect(fs.existsSync(path.dirname(seen))).toBe(false);
  });

  it('a missing key, a wrong bucket, wrong credentials or no store give a clear message and change nothing', async () => {
    const { file, url } = await backUpAndUpload();
    const before = await tableContents(env);
    const unreachable = { BACKUP_S3_ENDPOINT: `http://127.0.0.1:${await closedPort()}` };
    // s3rver checks the access key id but not SigV4 signatures, so the wrong pair has an unknown id.
    const wrongCredentials = { AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN0000000', AWS_SECRET_ACCESS_KEY: 'Wr0ng-s3-secret-9xk' };
    const cases: Array<{ url: string; env?: Record<string, string>; message: string }> = [
      { url: `s3://${s3.bucket}/${prefix}/todobox_sqlite_20200101-000000.sqlite.gz`, message: `there is no object s3://${s3.bucket}/${prefix}/todobox_sqlite_20200101-000000.sqlite.gz` },
      { url: url.replace(s3.bucket, 'no-such-bucket-here'), message: 'the bucket "no-such-bucket-here" does not exist' },
      { url, env: wrongCredentials, message: 'the store refused the credentials' },
      { url, env: unreachable, message: 'the store cannot be reached (ECONNREFUSED)' },
    ];
    for (const failure of cases) {
      for (const command of [['restore', failure.url, '--yes'], ['backup:verify', failure.url]]) {
        const run = await todobox(command, { ...env, ...failure.env });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`Download of`);
        expect(run.stderr).toContain(failure.message);
        expectNoSecret(run);
      }
    }
    expect(await tableContents(env)).toEqual(before);
    expect(fs.readdirSync(process.env.TMPDIR ?? '')).toEqual([]);

    const metric = fs.readFileSync(metricsFile(), 'utf8');
    const backupsBefore = fs.readdirSync(backupsDir()).filter((name) => !name.endsWith('.manifest.json')).sort();
    const uploadFailures: Array<{ env: Record<string, string>; message: string }> = [
      { env: wrongCredentials, message: 'the store refused the credentials' },
      { env: unreachable, message: 'the store cannot be reached' },
      { env: { BACKUP_S3_URL: 's3://no-such-bucket-here/x' }, message: 'the bucket "no-such-bucket-here" does not exist' },
    ];
    for (const failure of uploadFailures) {
      const args = failure.env.BACKUP_S3_URL ? ['backup', '--output', backupsDir(), '--keep', '1'] : ['backup', '--output', backupsDir(), '--keep', '1', '--upload', `s3://${s3.bucket}/failed`];
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const run = await todobox(args, { ...env, ...failure.env });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^Upload to s3:\/\/\S+ failed: /m);
      expect(run.stderr).toContain(failure.message);
      expectNoSecret(run);
      const kept = /The backup is kept at (\S+), but is not off the host\.$/m.exec(run.stderr)?.[1] ?? '';
      expect(fs.existsSync(kept)).toBe(true);
    }
    // Each failed run keeps its local file (and its manifest) and prunes nothing; the metric still shows the last upload.
    const backupsAfter = fs.readdirSync(backupsDir()).filter((name) => !name.endsWith('.manifest.json')).sort();
    expect(backupsAfter).toEqual(expect.arrayContaining(backupsBefore));
    expect(backupsAfter).toHaveLength(backupsBefore.length + 3);
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.readFileSync(metricsFile(), 'utf8')).toBe(metric);
    expect(await s3.keys('failed')).toEqual([]);
  });

  it('gives up on a store that never answers, after BACKUP_S3_TIMEOUT_SECONDS', async () => {
    const hung = await silentServer();
    try {
      const run = await todobox(['backup', '--output', backupsDir(), '--upload', `s3://${s3.bucket}/hung`], {
        ...env,
        BACKUP_S3_ENDPOINT: hung.endpoint,
        BACKUP_S3_TIMEOUT_SECONDS: '1',
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('failed: the store did not answer in time (BACKUP_S3_TIMEOUT_SECONDS)');
      expect(run.stderr).toContain('The backup is kept at');
      expect(fs.existsSync(metricsFile())).toBe(false);
    } finally {
      await hung.stop();
    }
  });

  it('refuses a malformed s3:// URL in BACKUP_S3_URL and in --upload, and checks a local file without them', async () => {
    const setting = await todobox(['backup', '--output', backupsDir()], { ...env, BACKUP_S3_URL: 's3://Bad_Bucket/x' });
    expect(setting.code).toBe(1);
    expect(setting.stderr).toContain('BACKUP_S3_URL: "Bad_Bucket" is not a bucket name');
    const option = await todobox(['backup', '--output', backupsDir(), '--upload', 'https://example.com/x'], env);
    expect(option.code).toBe(1);
    expect(option.stderr).toContain('must be an s3:// URL');
    expect(fs.existsSync(backupsDir())).toBe(false);

    const { BACKUP_S3_ENDPOINT: _endpoint, ...withoutStore } = env;
    const local = await todobox(['backup', '--output', backupsDir()], withoutStore);
    const file = /^Backup written: (\S+) \(/m.exec(local.stdout)?.[1] ?? '';
    expect(local.stdout).not.toContain('Uploaded');
    // A local file is checked without the configuration, which may be another machine's.
    const verify = await todobox(['backup:verify', file], { ...env, BACKUP_S3_URL: 's3://Bad_Bucket/x' });
    expect(verify.code).toBe(0);
  });
});

const SERVER_ENGINES = [
  { engine: 'mysql', name: 'MariaDB', tools: ['mysqldump', 'mysql'], available: mariaDbAvailable },
  { engine: 'postgres', name: 'PostgreSQL', tools: ['pg_dump', 'psql'], available: postgresAvailable },
] as const;

for (const server of SERVER_ENGINES) {
  const toolsPresent = server.tools.every(commandExists);
  const service = toolsPresent ? engineService(server.engine) : `the ${server.name} client tools (${server.tools.join(', ')})`;

  describeWithService(service, toolsPresent && server.available(), `backups of ${server.name} off the host`, () => {
    let database: TestDatabase;
    let serverEnv: Record<string, string>;

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `todobox-backup-s3-${server.engine}-`));
      database = await createTestDatabase(server.engine);
      serverEnv = { PATH: process.env.PATH ?? '', ...database.env, ...s3.env };
      expect((await todobox(['db:migrate'], serverEnv)).code).toBe(0);
      await seedAccountsAndTodos(serverEnv);
    });
    afterAll(async () => {
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('uploads the dump and restores the newest one from the s3:// folder', async () => {
      const folder = `s3://${s3.bucket}/${server.engine}/`;
      const before = await tableContents(serverEnv);
      const backup = await todobox(['backup', '--output', path.join(dir, 'backups'), '--upload', folder], serverEnv);
      expect(backup).toMatchObject({ code: 0, stderr: '' });
      const url = /^Uploaded (\S+)$/m.exec(backup.stdout)?.[1] ?? '';
      expect(url).toMatch(new RegExp(`^${folder}daily/todobox_${server.engine}_\\d{8}-\\d{6}\\.sql\\.gz$`));

      const verify = await todobox(['backup:verify', folder, '--latest'], serverEnv);
      expect(verify.code).toBe(0);
      expect(verify.stdout).toMatch(/PASS {2}complete: ends with/);

      await changeData(serverEnv);
      const restore = await todobox(['restore', folder, '--latest', '--yes'], serverEnv);
      expect(restore).toMatchObject({ code: 0, stderr: '' });
      expect(restore.stdout).toContain(`with ${url}.`);
      expect(await tableContents(serverEnv)).toEqual(before);
      expectNoSecret(restore);
    });
  });
}
