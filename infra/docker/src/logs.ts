import path from 'node:path';
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { pulledImage, serviceContainer } from './containers';
import { IMAGES } from './images';
import { MONITORING_DIR } from './paths';
import { uploadFolder } from './uploads';

export interface LogPipeline {
  loki: docker.Container;
  alloy: docker.Container;
  volumes: docker.Volume[];
}

/**
 * Loki, and Alloy following the app's todobox.log on the app's log volume (read-only) and pushing each
 * line to it, as docker-compose.yml runs them; Grafana's Loki data source and Logs dashboard come with
 * the monitoring/grafana uploads. The stack's name is the `env` label of the lines.
 */
export function createLogPipeline(network: docker.Network, appLogs: docker.Volume): LogPipeline {
  const lokiData = new docker.Volume('loki-data', { name: 'todobox-loki-data' });
  const alloyData = new docker.Volume('alloy-data', { name: 'todobox-alloy-data' });

  const loki = serviceContainer('loki', network, {
    image: pulledImage('loki', IMAGES.loki),
    command: ['-config.file=/etc/loki/loki.yml'],
    uploads: uploadFolder(path.join(MONITORING_DIR, 'loki'), '/etc/loki'),
    volumes: [{ volumeName: lokiData.name, containerPath: '/loki' }],
    // The image has no shell or wget: Loki's own client asks its /ready.
    healthcheck: { tests: ['CMD', '/usr/bin/loki', '-health'], interval: '15s', timeout: '5s', retries: 5, startPeriod: '30s' },
  });

  const alloy = serviceContainer('alloy', network, {
    image: pulledImage('alloy', IMAGES.alloy),
    command: ['run', '--storage.path=/var/lib/alloy-data', '--server.http.listen-addr=0.0.0.0:12345', '--disable-reporting', '/etc/alloy/config.alloy'],
    envs: [`TODOBOX_ENV=${pulumi.getStack()}`],
    uploads: uploadFolder(path.join(MONITORING_DIR, 'alloy'), '/etc/alloy'),
    volumes: [
      { volumeName: appLogs.name, containerPath: '/var/log/todobox', readOnly: true },
      { volumeName: alloyData.name, containerPath: '/var/lib/alloy-data' },
    ],
  }, { dependsOn: [loki] });

  return { loki, alloy, volumes: [lokiData, alloyData] };
}

