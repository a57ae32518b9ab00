import * as docker from '@pulumi/docker';
import { pulledImage, serviceContainer } from './containers';
import { IMAGES } from './images';

export interface Redis {
  container: docker.Container;
  volume: docker.Volume;
}

/** Redis for sessions and login-throttle counters, persisted so that a restart logs nobody out. */
export function createRedis(network: docker.Network): Redis {
  const volume = new docker.Volume('redis-data', { name: 'todobox-redis-data' });
  const container = serviceContainer('redis', network, {
    image: pulledImage('redis', IMAGES.redis),
    command: ['redis-server', '--appendonly', 'yes', '--save', ''],
    volumes: [{ volumeName: volume.name, containerPath: '/data' }],
    healthcheck: { tests: ['CMD', 'redis-cli', 'ping'], interval: '10s', timeout: '3s', retries: 5 },
    wait: true,
    waitTimeout: 60,
  });
  return { container, volume };
}
