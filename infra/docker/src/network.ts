import * as docker from '@pulumi/docker';

/** One private bridge network: containers find each other by service name; only published ports leave it. */
export function createNetwork(): docker.Network {
  return new docker.Network('todobox', { name: 'todobox', driver: 'bridge', attachable: false });
}
