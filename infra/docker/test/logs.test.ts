import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { type MockResource, unwrapSecretsDeep } from '../../test/mockEngine';
import { ROOT } from '../../test/deployFacts';
import { EDGE_LOG_DIR } from '../src/logs';
import { BASE_DOCKER_CONFIG, DockerProgramRun, loadDockerProgram } from './dockerProgram';

const CONTAINER = 'docker:index/container:Container';
const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
let run: DockerProgramRun;

beforeAll(async () => {
  run = await loadDockerProgram();
}, 60_000);

function container(name: string): MockResource {
  const found = run.resources.find((resource) => resource.type === CONTAINER && resource.name === name);
  if (!found) throw new Error(`No container ${name}`);
  return found;
}

function volumeAt(name: string, containerPath: string): { volumeName: string; readOnly?: boolean } | undefined {
  return (container(name).inputs.volumes ?? []).find((volume: { containerPath: string }) => volume.containerPath === containerPath);
}

function uploaded(name: string, file: string): string | undefined {
  const uploads: Array<{ file: string; content: string }> = Object.values(unwrapSecretsDeep(container(name).inputs.uploads ?? []).value);
  return uploads.find((upload) => upload.file === file)?.content;
}

describe('the Docker host program\'s log pipeline', () => {
  it('runs Loki and Alloy with the commands docker-compose.yml gives them', () => {
    expect(container('loki').inputs.command).toEqual(compose.services.loki.command);
    expect(container('alloy').inputs.command).toEqual(compose.services.alloy.command);
    expect(container('loki').inputs.healthcheck.tests).toEqual(compose.services.loki.healthcheck.test);
  });

  it('uploads the repository\'s loki.yml and config.alloy where those commands read them', () => {
    expect(uploaded('loki', '/etc/loki/loki.yml')).toBe(fs.readFileSync(path.join(ROOT, 'monitoring/loki/loki.yml'), 'utf8'));
    expect(uploaded('alloy', '/etc/alloy/config.alloy')).toBe(fs.readFileSync(path.join(ROOT, 'monitoring/alloy/config.alloy'), 'utf8'));
    expect(uploaded('grafana', '/etc/grafana/provisioning/datasources/loki.yml')).toBeDefined();
    expect(uploaded('grafana', '/etc/grafana/dashboards/logs.json')).toBeDefined();
  });

  it('has Alloy read the app\'s own log volume, read-only, and keep its positions and Loki its data on volumes of their own', () => {
    const appLogs = volumeAt('app', '/app/logs');
    expect(appLogs).toBeDefined();
    expect(volumeAt('alloy', '/var/log/todobox')).toEqual({ volumeName: appLogs?.volumeName, containerPath: '/var/log/todobox', readOnly: true });
    const own = [volumeAt('alloy', '/var/lib/alloy-data')?.volumeName, volumeAt('loki', '/loki')?.volumeName];
    expect(own).toEqual(['todobox-alloy-data', 'todobox-loki-data']);
  });

  it('has Alloy count the front proxy\'s access log where config.alloy reads it, read-only, only when its folder is given', async () => {
    expect(container('alloy').inputs.mounts ?? []).toEqual([]);
    const withEdge = await loadDockerProgram({ ...BASE_DOCKER_CONFIG, edgeAccessLogDir: '/srv/proxy-logs' });
    const alloy = withEdge.resources.find((resource) => resource.type === CONTAINER && resource.name === 'alloy');
    const edgeLogDir = (compose.services.alloy.volumes as string[]).find((entry) => entry.startsWith('edge_logs:'))?.split(':')[1];
    expect(edgeLogDir).toBe(EDGE_LOG_DIR);
    expect(alloy?.inputs.mounts).toEqual([{ type: 'bind', source: '/srv/proxy-logs', target: EDGE_LOG_DIR, readOnly: true }]);
  }, 60_000);
});
