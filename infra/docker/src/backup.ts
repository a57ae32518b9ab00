import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { appEnvironment, type App } from './app';
import { DockerStackConfig } from './config';
import { serviceContainer } from './containers';
import { StackSecrets } from './secrets';

/**
 * `todobox backup` at start and every day at 02:00 (scripts/backup-daily.sh), in the app's image with
 * the app's settings: the database into a volume of its own, and the backup metric into the volume
 * node_exporter's textfile collector reads, for BackupTooOld.
 */
export function createBackup(network: docker.Network, config: DockerStackConfig, secrets: StackSecrets, app: App, textfile: docker.Volume): { container: docker.Container; volume: docker.Volume } {
  const volume = new docker.Volume('backups', { name: 'todobox-backups' });
  const container = serviceContainer(
    'backup',
    network,
    {
      image: app.image.repoDigest,
      entrypoints: ['/usr/bin/tini', '-g', '--', '/bin/sh', '/app/scripts/backup-daily.sh'],
      // The image's check asks the web server, which this container does not run; BackupTooOld watches it instead.
      healthcheck: { tests: ['NONE'] },
      envs: pulumi.secret(appEnvironment(config, secrets).apply((envs) => [...envs, 'BACKUP_DIR=/app/backups', 'BACKUP_METRICS_DIR=/app/metrics'])),
      volumes: [
        { volumeName: volume.name, containerPath: '/app/backups' },
        { volumeName: textfile.name, containerPath: '/app/metrics' },
      ],
    },
    { dependsOn: [app.container] },
  );
  return { container, volume };
}
