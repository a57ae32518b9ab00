import path from 'node:path';
import fs from 'node:fs';
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { DockerStackConfig } from './config';
import { pulledImage, serviceContainer } from './containers';
import { IMAGES } from './images';
import { MYSQL_INIT_DIR } from './paths';
import { StackSecrets } from './secrets';

export interface Database {
  container: docker.Container;
  volume: docker.Volume;
}

/** MySQL 8 on a named volume, with the slow query log of the guide and the exporter's account. */
export function createDatabase(network: docker.Network, config: DockerStackConfig, secrets: StackSecrets): Database {
  const volume = new docker.Volume('db-data', { name: 'todobox-db-data' }, { retainOnDelete: true });
  const initScripts = fs.readdirSync(MYSQL_INIT_DIR).sort().map((file) => ({
    file: `/docker-entrypoint-initdb.d/${file}`,
    content: fs.readFileSync(path.join(MYSQL_INIT_DIR, file), 'utf8'),
    executable: true,
  }));
  const container = serviceContainer('db', network, {
    image: pulledImage('mysql', IMAGES.mysql),
    envs: pulumi.secret(
      pulumi.all([secrets.mysqlRootPassword, secrets.dbPassword, secrets.mysqldExporterPassword]).apply(
        ([rootPassword, dbPassword, exporterPassword]) => [
          `MYSQL_ROOT_PASSWORD=${rootPassword}`,
          `MYSQL_DATABASE=${config.dbName}`,
          `MYSQL_USER=${config.dbUser}`,
          `MYSQL_PASSWORD=${dbPassword}`,
          `MYSQLD_EXPORTER_PASSWORD=${exporterPassword}`,
        ],
      ),
    ),
    command: ['--slow-query-log=ON', '--long-query-time=2', '--character-set-server=utf8mb4', '--collation-server=utf8mb4_unicode_ci'],
    volumes: [{ volumeName: volume.name, containerPath: '/var/lib/mysql' }],
    uploads: initScripts,
    healthcheck: {
      tests: ['CMD', 'mysqladmin', 'ping', '--host=127.0.0.1', '--silent'],
      interval: '10s',
      timeout: '5s',
      retries: 5,
      startPeriod: '60s',
    },
    // Pulumi waits for "healthy" before it starts what depends on the database.
    wait: true,
    waitTimeout: 180,
  });
  return { container, volume };
}
