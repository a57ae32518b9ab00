import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { HARDENING, LOG_ROTATION } from './hardening';

export interface ServiceContainerArgs extends Omit<docker.ContainerArgs, 'image' | 'name' | 'networksAdvanced'> {
  /** The pinned image to pull, or an image built by the program. */
  image: docker.RemoteImage | pulumi.Input<string>;
}

/**
 * A long-running container of the deployment on its network, reachable there by `service` (the same
 * names as docker-compose.yml's services, so monitoring/ configuration serves both).
 */
export function serviceContainer(
  service: string,
  network: docker.Network,
  args: ServiceContainerArgs,
  opts?: pulumi.CustomResourceOptions,
): docker.Container {
  const { image, ...rest } = args;
  const hardening = HARDENING[service];
  if (!hardening) throw new Error(`No hardening for the container ${service} in hardening.ts`);
  return new docker.Container(
    service,
    {
      name: `todobox-${service.replace(/_/g, '-')}`,
      image: image instanceof docker.RemoteImage ? image.imageId : image,
      networksAdvanced: [{ name: network.name, aliases: [service] }],
      restart: 'unless-stopped',
      logDriver: 'json-file',
      logOpts: LOG_ROTATION,
      memory: hardening.memoryMb,
      cpus: hardening.cpus,
      readOnly: hardening.readOnly,
      capabilities: { drops: ['ALL'], adds: hardening.capAdd },
      securityOpts: ['no-new-privileges:true'],
      tmpfs: Object.fromEntries(hardening.tmpfs.map((folder) => [folder, 'rw,noexec,nosuid'])),
      ...rest,
    },
    opts,
  );
}

export function pulledImage(resourceName: string, name: string): docker.RemoteImage {
  return new docker.RemoteImage(resourceName, { name, keepLocally: true });
}
