/**
 * Alertmanager from its release archive, not Ubuntu's package: Ubuntu 24.04 ships 0.26, whose webhook takes a
 * url_file (added in 0.26) but crashes the whole process on a non-2xx answer to it (prometheus/alertmanager#3798,
 * fixed in 0.28.0), and the host pings the dead man's switch through such a webhook. Bump the version and both
 * sums together: the sums are those of the release's sha256sums.txt.
 */
export const ALERTMANAGER_VERSION = '0.28.1';
const ARCHIVE_SHA256: Record<'x86_64' | 'arm64', string> = {
  x86_64: '5ac7ab5e4b8ee5ce4d8fb0988f9cb275efcc3f181b4b408179fafee121693311',
  arm64: 'd8832540e5b9f613d2fd759e31d603173b9c61cc7bb5e3bc7ae2f12038b1ce4f',
};
export const ALERTMANAGER_SERVICE = 'prometheus-alertmanager';
/** Its own user, so that the receiver secrets are readable by Alertmanager alone, not by the exporters beside it. */
export const ALERTMANAGER_USER = 'alertmanager';
export const ALERTMANAGER_BINARY = '/usr/local/bin/alertmanager';

/** Boot script lines: the archive, checked against the pinned sum, gives alertmanager and its matching amtool. */
export function alertmanagerInstall(architecture: 'x86_64' | 'arm64'): string[] {
  const folder = `alertmanager-${ALERTMANAGER_VERSION}.linux-${architecture === 'arm64' ? 'arm64' : 'amd64'}`;
  return [
    `curl -fsSLo /tmp/alertmanager.tar.gz https://github.com/prometheus/alertmanager/releases/download/v${ALERTMANAGER_VERSION}/${folder}.tar.gz`,
    `echo '${ARCHIVE_SHA256[architecture]}  /tmp/alertmanager.tar.gz' | sha256sum -c -`,
    `tar -xzf /tmp/alertmanager.tar.gz -C /usr/local/bin --strip-components=1 --no-same-owner ${folder}/alertmanager ${folder}/amtool`,
    'rm -f /tmp/alertmanager.tar.gz',
  ];
}

/**
 * Named as Ubuntu's package names its unit, so that runbooks' `systemctl ... prometheus-alertmanager` hold, and
 * reading the same /etc/default file; the prometheus group gives it the kit's configuration and templates.
 */
export const ALERTMANAGER_UNIT = `[Unit]
Description=Prometheus Alertmanager ${ALERTMANAGER_VERSION}
Wants=network-online.target
After=network-online.target

[Service]
User=${ALERTMANAGER_USER}
Group=${ALERTMANAGER_USER}
SupplementaryGroups=prometheus
EnvironmentFile=/etc/default/${ALERTMANAGER_SERVICE}
ExecStart=${ALERTMANAGER_BINARY} --config.file=/etc/prometheus/alertmanager.yml --storage.path=/var/lib/prometheus/alertmanager $ARGS
ExecReload=/bin/kill -HUP $MAINPID
Restart=on-failure
TimeoutStopSec=20s

[Install]
WantedBy=multi-user.target
`;
