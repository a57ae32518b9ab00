import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AWS_RETRY_FUNCTION } from './awsRetry';
import { APT_GET, writeFile } from './bootScript';
import { cloudWatchAgentInstall, SYSTEM_LOG_FILE } from './cloudWatchAgent';
import type { StackConfig } from './config';
import { DATABASE_BOOTSTRAP_UNIT, DB_BOOTSTRAP_SCRIPT, DB_BOOTSTRAP_UNIT, databaseBootstrapScript, type DatabaseBootstrapInputs } from './databaseBootstrap';
import { TEXTFILE_DIRECTORY } from './rdsBackupMetric';
import { APP_DIRECTORY, ENV_FILE, RDS_CA_BUNDLE } from './serverPaths';
import { stdinJsonProgram } from './stdinJson';

/** The guide's systemd unit, shipped to every app server unchanged. */
export const SERVICE_UNIT_PATH = path.resolve(__dirname, '../../server/todobox.service');
/** The daily backup and its timer, shipped unchanged beside it. */
export const BACKUP_SERVICE_PATH = path.resolve(__dirname, '../../server/todobox-backup.service');
export const BACKUP_TIMER_PATH = path.resolve(__dirname, '../../server/todobox-backup.timer');
/** Where the backup unit keeps the local copies (its --output). */
const BACKUP_DIRECTORY = '/var/backups/todobox';
export const RDS_CA_BUNDLE_URL = 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem';

export interface UserDataInputs extends DatabaseBootstrapInputs {
  secretArn: string;
}

/** Turns the secret's JSON object into KEY=value lines for systemd's EnvironmentFile=. */
const JSON_TO_ENV = stdinJsonProgram('for(const [k,v] of Object.entries(json)){process.stdout.write(k+"="+v+"\\n")}');

function envWriterScript(inputs: UserDataInputs): string {
  return [
    '#!/bin/bash',
    '# Writes the TodoBox environment file from Secrets Manager; runs before every start of todobox.service.',
    'set -euo pipefail',
    'umask 027',
    ...AWS_RETRY_FUNCTION,
    'install -d -m 0750 -o root -g todobox /etc/todobox',
    `aws_retry /snap/bin/aws secretsmanager get-secret-value --region ${inputs.region} --secret-id '${inputs.secretArn}' \\`,
    '  --query SecretString --output text \\',
    `  | /usr/bin/node -e '${JSON_TO_ENV}' > ${ENV_FILE}.new`,
    `chown root:todobox ${ENV_FILE}.new`,
    `chmod 0640 ${ENV_FILE}.new`,
    `mv ${ENV_FILE}.new ${ENV_FILE}`,
  ].join('\n');
}

const ENV_UNIT = `[Unit]
Description=Write the TodoBox environment file from Secrets Manager
After=network-online.target snap.amazon-ssm-agent.amazon-ssm-agent.service
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/todobox-write-env
Restart=on-failure
RestartSec=10s
`;

/** Fresh secrets before each start, and with databaseBootstrap "instances" the database users once per boot. */
function serviceDropIn(config: StackConfig): string {
  const bootstrap = config.databaseBootstrap === 'instances';
  return [
    "# The unit itself is the guide's, unchanged.",
    '[Unit]',
    'Requires=todobox-env.service',
    ...(bootstrap ? [`Wants=${DB_BOOTSTRAP_UNIT}`] : []),
    `After=todobox-env.service${bootstrap ? ` ${DB_BOOTSTRAP_UNIT}` : ''}`,
    '',
  ].join('\n');
}

/**
 * The backup reads the same fresh environment as the app, BACKUP_S3_URL among it. Every server has the
 * timer; the backup's lock in the database lets one of them dump each night.
 */
const BACKUP_DROP_IN = [
  "# The unit itself is infra/server's, unchanged.",
  '[Unit]',
  'Requires=todobox-env.service',
  'After=todobox-env.service',
  '',
].join('\n');

/** The folder on nodejs.org of the pinned release, or of the newest release of the major line. */
function nodeDistFolder(config: StackConfig): string {
  return config.nodeVersion === undefined ? `latest-v${config.nodeMajor}.x` : `v${config.nodeVersion}`;
}

/**
 * Boot script of an app server (Ubuntu 24.04): Node.js nodeMajor from nodejs.org, checked against its published
 * SHA-256 sums; the release artifact from S3 (app/dist plus production node_modules built for this
 * architecture); node_exporter from Ubuntu; the guide's systemd unit with its environment from Secrets Manager,
 * the daily backup timer, and the database bootstrap: run once per boot, or left to an operator (databaseBootstrap).
 */
/** The log groups an app server ships to: the app's JSON lines, and the system log. */
export interface AppLogGroupNames {
  app: string;
  system: string;
}

/** Where the app writes its log (its LOG_DIR). */
export const APP_LOG_DIRECTORY = `${APP_DIRECTORY}/logs`;
/** The app's LOG_FILE_NAME (app/src/observability/logger.ts), which pulls in winston, absent where `pulumi up` runs. */
export const APP_LOG_FILE_NAME = 'todobox.log';

export function renderUserData(config: StackConfig, inputs: UserDataInputs, logGroups?: AppLogGroupNames): string {
  const nodeArch = config.instanceArchitecture === 'arm64' ? 'arm64' : 'x64';
  const nodeDist = `https://nodejs.org/dist/${nodeDistFolder(config)}`;
  const serviceUnit = readFileSync(SERVICE_UNIT_PATH, 'utf8');
  const backupService = readFileSync(BACKUP_SERVICE_PATH, 'utf8');
  const backupTimer = readFileSync(BACKUP_TIMER_PATH, 'utf8');
  const lines = [
    '#!/bin/bash',
    'set -euo pipefail',
    'export DEBIAN_FRONTEND=noninteractive',
    ...AWS_RETRY_FUNCTION,
    `${APT_GET} update`,
    `${APT_GET} install -y --no-install-recommends ca-certificates curl xz-utils prometheus-node-exporter mysql-client`,
    'snap install aws-cli --classic',
    '',
    `# Node.js ${config.nodeMajor}: the sums name the release's file, which is then checked against them`,
    'cd /tmp',
    `curl -fsSLO ${nodeDist}/SHASUMS256.txt`,
    `node_tarball=$(grep -oE 'node-v[0-9.]+-linux-${nodeArch}\\.tar\\.xz$' SHASUMS256.txt)`,
    `curl -fsSLO "${nodeDist}/$node_tarball"`,
    'grep " $node_tarball$" SHASUMS256.txt | sha256sum -c -',
    'tar -xJf "$node_tarball" -C /usr/local/lib',
    'ln -sf "/usr/local/lib/${node_tarball%.tar.xz}/bin/node" /usr/bin/node',
    '',
    '# The app: code owned by root and only readable by its service user',
    `id todobox >/dev/null 2>&1 || useradd --system --home-dir ${APP_DIRECTORY} --shell /usr/sbin/nologin todobox`,
    `install -d -o root -g todobox -m 0750 ${APP_DIRECTORY}`,
    `aws_retry /snap/bin/aws s3 cp --region ${inputs.region} 's3://${config.artifactBucket}/${config.artifactKey}' /tmp/todobox.tar.gz`,
    `tar -xzf /tmp/todobox.tar.gz -C ${APP_DIRECTORY} --no-same-owner`,
    `chown -R root:todobox ${APP_DIRECTORY}`,
    `chmod -R g+rX,o-rwx ${APP_DIRECTORY}`,
    `install -d -o todobox -g todobox -m 0750 ${APP_DIRECTORY}/instance ${APP_LOG_DIRECTORY}`,
    'rm -f /tmp/todobox.tar.gz',
    '',
    '# The RDS CA bundle: the app checks the database server\'s certificate against it (DB_SSL=verify)',
    'install -d -m 0755 /etc/todobox',
    `curl -fsSLo ${RDS_CA_BUNDLE} ${RDS_CA_BUNDLE_URL}`,
    `chmod 0644 ${RDS_CA_BUNDLE}`,
    '',
    '# Environment from Secrets Manager, the database bootstrap (todobox db:bootstrap), then the guide\'s unit',
    ...writeFile('/usr/local/sbin/todobox-write-env', '0750', envWriterScript(inputs)),
    ...writeFile('/etc/systemd/system/todobox-env.service', '0644', ENV_UNIT),
    ...writeFile(DB_BOOTSTRAP_SCRIPT, '0750', databaseBootstrapScript(config.databaseBootstrap, inputs)),
    ...(config.databaseBootstrap === 'instances' ? writeFile(`/etc/systemd/system/${DB_BOOTSTRAP_UNIT}`, '0644', DATABASE_BOOTSTRAP_UNIT) : []),
    ...writeFile('/etc/systemd/system/todobox.service', '0644', serviceUnit),
    ...writeFile('/etc/systemd/system/todobox.service.d/environment.conf', '0644', serviceDropIn(config)),
    '',
    '# The daily backup (mysqldump from mysql-client), to BACKUP_S3_URL; its metric goes to node_exporter',
    `install -d -o todobox -g todobox -m 0750 ${BACKUP_DIRECTORY}`,
    `chgrp todobox ${TEXTFILE_DIRECTORY} && chmod 2775 ${TEXTFILE_DIRECTORY}`,
    ...writeFile('/etc/systemd/system/todobox-backup.service', '0644', backupService),
    ...writeFile('/etc/systemd/system/todobox-backup.timer', '0644', backupTimer),
    ...writeFile('/etc/systemd/system/todobox-backup.service.d/environment.conf', '0644', BACKUP_DROP_IN),
  ];
  if (logGroups !== undefined) {
    lines.push(
      '',
      '# CloudWatch agent: ships the app\'s JSON log file and the system log',
      ...cloudWatchAgentInstall(config.instanceArchitecture, [
        { filePath: `${APP_LOG_DIRECTORY}/${APP_LOG_FILE_NAME}`, logGroupName: logGroups.app },
        { filePath: SYSTEM_LOG_FILE, logGroupName: logGroups.system },
      ]),
    );
  }
  lines.push(
    '',
    'systemctl daemon-reload',
    'systemctl enable --now prometheus-node-exporter.service',
    'systemctl enable todobox-env.service',
    'systemctl enable --now todobox.service',
    'systemctl enable --now todobox-backup.timer',
  );
  return `${lines.join('\n')}\n`;
}
