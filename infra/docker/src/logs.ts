import path from 'node:path';
import * as docker from '@pulumi/docker';
import { DockerStackConfig } from './config';
import { pulledImage, serviceContainer } from './containers';
import { IMAGES } from './images';
import { MONITORING_DIR } from './paths';
import { uploadFolder } from './uploads';

/** Where config.alloy reads the edge SLI's access log (docker-compose.yml mounts its edge_logs volume there). */
export const EDGE_LOG_DIR = '/var/log/todobox-edge';

export interface LogPipeline {
  loki: docker.Container;
  alloy: docker.Container;
  volumes: docker.Volume[];
}

/**
 * Loki, and Alloy following the app's todobox.log on the app's log volume (read-only) and pushing each
 * line to it, as docker-compose.yml runs them; Grafana's Loki data source and Logs dashboard come with
 * the monitoring/grafana uploads. The stack's name is the `env` label of the lines. With
 * edgeAccessLogDir, Alloy also counts the front proxy's access log for the edge SLI, where
 * config.alloy reads it in docker-compose.yml.
 */
export function createLogPipeline(network: docker.Network, appLogs: docker.Volume, config: Pick<DockerStackConfig, 'edgeAccessLogDir'>): LogPipeline {
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
    uploads: uploadFolder(path.join(MONITORING_DIR, 'alloy'), '/etc/alloy'),
    volumes: [
      { volumeName: appLogs.name, containerPath: '/var/log/todobox', readOnly: true },
      { volumeName: alloyData.name, containerPath: '/var/lib/alloy-data' },
    ],
    mounts: config.edgeAccessLogDir ? [{ type: 'bind', source: config.edgeAccessLogDir, target: EDGE_LOG_DIR, readOnly: true }] : [],
  }, { dependsOn: [loki] });

  return { loki, alloy, volumes: [lokiData, alloyData] };
}

