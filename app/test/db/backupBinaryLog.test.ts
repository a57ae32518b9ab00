import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { seedAccountsAndTodos } from '../helpers/backupScenario';
import { todobox } from '../helpers/cli';
import { describeWithService } from '../helpers/requiredService';
import { type PrivateDatabaseServer, privateMariaDbAvailable, startPrivateMariaDb } from '../helpers/privateServers';

// A private mariadbd with its binary log on: the shared server here keeps none.
describeWithService('a private MariaDB server (its programs)', privateMariaDbAvailable(), 'the binary-log position in a MariaDB backup\'s manifest', () => {
  let server: PrivateDatabaseServer;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'todobox-binlog-'));
    server = await startPrivateMariaDb('todobox', { binaryLog: true });
    // The helper's own database has the server's default character set; the app's needs utf8mb4.
    server.runAsSuperuser(['CREATE DATABASE backed_up CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', "GRANT ALL ON backed_up.* TO 'todobox'@'127.0.0.1'"]);
    env = { PATH: process.env.PATH ?? '', ...server.env, DB_NAME: 'backed_up', LOG_DIR: '' };
    expect((await todobox(['db:migrate'], env)).code).toBe(0);
    await seedAccountsAndTodos(env);
  }, 120_000);
  afterAll(async () => {
    await server?.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function backUp(folder: string): Promise<{ file: string; manifest: Record<string, unknown> }> {
    const result = await todobox(['backup', '--output', path.join(dir, folder)], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const file = /^Backup written: (\S+) \(/m.exec(result.stdout)?.[1] ?? '';
    return { file, manifest: JSON.parse(fs.readFileSync(`${file}.manifest.json`, 'utf8')) };
  }

  function masterStatus(): { file: string; position: number } {
    const socket = path.join(server.dir, 'mysqld.sock');
    const shown = spawnSync('mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '--batch', '--skip-column-names', '-e', 'SHOW MASTER STATUS'], {
      encoding: 'utf8',
    });
    const [file, position] = shown.stdout.trim().split('\t');
    return { file, position: Number(position) };
  }

  it('records null and the missing privileges when the account may not read the position', async () => {
    const { manifest } = await backUp('without-privileges');
    expect(manifest.binaryLog).toBeNull();
    expect(manifest.binaryLogNote).toBe(
      'the backup account lacks RELOAD and BINLOG MONITOR (MariaDB) or REPLICATION CLIENT (MySQL), needed to record the binary-log position',
    );
  });

  it('records the position of the dump\'s snapshot once the account has RELOAD and BINLOG MONITOR', async () => {
    server.runAsSuperuser(["GRANT RELOAD, BINLOG MONITOR ON *.* TO 'todobox'@'127.0.0.1'"]);
    const before = masterStatus();
    const { file, manifest } = await backUp('with-privileges');
    const after = masterStatus();
    // The run takes its lock (a write) before the dump's snapshot and releases it (another) after.
    const recorded = manifest.binaryLog as { file: string; position: number };
    expect(recorded.file).toBe(before.file);
    expect(recorded.position).toBeGreaterThan(before.position);
    expect(recorded.position).toBeLessThan(after.position);
    expect(manifest.binaryLogNote).toBeUndefined();
    const verify = await todobox(['backup:verify', file], env);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('PASS  rows:');
  });
});
