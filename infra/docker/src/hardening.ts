/**
 * How each container of the Docker deployment is confined, one table for the Pulumi program and
 * docker-compose.yml alike (infra/test/deployFiles.test.ts holds the compose file to it): no
 * Linux capability but those a service's own entrypoint needs, no privilege gained through setuid
 * binaries, bounded memory and CPU, and a read-only root file system wherever the image writes
 * only to its volumes (and to a tmpfs given here).
 */
export interface Hardening {
  memoryMb: number;
  cpus: string;
  readOnly: boolean;
  /** Capabilities kept after dropping all: what the image's entrypoint needs to set up and drop to its own user. */
  capAdd: string[];
  /** Writable in-memory folders of a read-only container. */
  tmpfs: string[];
}

/** The official MySQL, Redis and nginx images start as root, fix ownership and switch users. */
const SWITCHES_USER = ['CHOWN', 'SETGID', 'SETUID'];

export const HARDENING: Record<string, Hardening> = {
  app: { memoryMb: 1024, cpus: '2', readOnly: true, capAdd: [], tmpfs: ['/tmp'] },
  backup: { memoryMb: 256, cpus: '0.5', readOnly: true, capAdd: [], tmpfs: ['/tmp'] },
  db: { memoryMb: 2048, cpus: '2', readOnly: false, capAdd: [...SWITCHES_USER, 'DAC_OVERRIDE', 'FOWNER'], tmpfs: [] },
  redis: { memoryMb: 512, cpus: '1', readOnly: false, capAdd: SWITCHES_USER, tmpfs: [] },
  nginx: { memoryMb: 256, cpus: '1', readOnly: true, capAdd: [...SWITCHES_USER, 'NET_BIND_SERVICE'], tmpfs: ['/var/cache/nginx', '/var/run', '/tmp'] },
  prometheus: { memoryMb: 1024, cpus: '1', readOnly: true, capAdd: [], tmpfs: [] },
  alertmanager: { memoryMb: 256, cpus: '0.5', readOnly: true, capAdd: [], tmpfs: [] },
  grafana: { memoryMb: 512, cpus: '1', readOnly: false, capAdd: [], tmpfs: [] },
  node_exporter: { memoryMb: 128, cpus: '0.5', readOnly: true, capAdd: [], tmpfs: [] },
  mysqld_exporter: { memoryMb: 128, cpus: '0.5', readOnly: true, capAdd: [], tmpfs: [] },
  redis_exporter: { memoryMb: 128, cpus: '0.5', readOnly: true, capAdd: [], tmpfs: [] },
  blackbox_exporter: { memoryMb: 64, cpus: '0.25', readOnly: true, capAdd: [], tmpfs: [] },
  loki: { memoryMb: 1024, cpus: '1', readOnly: true, capAdd: [], tmpfs: ['/tmp'] },
  alloy: { memoryMb: 256, cpus: '0.5', readOnly: true, capAdd: [], tmpfs: ['/tmp'] },
};

/** Log files rotate: at most five of 10 MB per container. */
export const LOG_ROTATION = { 'max-size': '10m', 'max-file': '5' };
