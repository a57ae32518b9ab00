import { APT_GET, writeFile } from './bootScript';

/** One file the CloudWatch agent follows, and the log group it ships the file's lines to. */
export interface ShippedLogFile {
  filePath: string;
  logGroupName: string;
}

export const CLOUDWATCH_AGENT_CONFIG_PATH = '/opt/aws/amazon-cloudwatch-agent/etc/todobox.json';
/** Ubuntu's rsyslog writes the journal here: the boot, systemd's units (the app's stdout among them), the kernel. */
export const SYSTEM_LOG_FILE = '/var/log/syslog';

/** One stream per server, named by its instance id, so a search can be narrowed to the server an alarm names. */
export function cloudWatchAgentConfig(files: ShippedLogFile[]): string {
  return JSON.stringify({
    logs: {
      logs_collected: {
        files: {
          collect_list: files.map((file) => ({ file_path: file.filePath, log_group_name: file.logGroupName, log_stream_name: '{instance_id}' })),
        },
      },
    },
  });
}

/** Boot script lines installing Amazon's agent package for the server's architecture and starting it on the files. */
export function cloudWatchAgentInstall(architecture: 'x86_64' | 'arm64', files: ShippedLogFile[]): string[] {
  const debArch = architecture === 'arm64' ? 'arm64' : 'amd64';
  return [
    `curl -fsSLo /tmp/amazon-cloudwatch-agent.deb https://amazoncloudwatch-agent.s3.amazonaws.com/ubuntu/${debArch}/latest/amazon-cloudwatch-agent.deb`,
    // apt, not dpkg -i: it waits for the dpkg lock the first boot's apt-daily may hold.
    `${APT_GET} install -y /tmp/amazon-cloudwatch-agent.deb`,
    ...writeFile(CLOUDWATCH_AGENT_CONFIG_PATH, '0644', cloudWatchAgentConfig(files)),
    `/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:${CLOUDWATCH_AGENT_CONFIG_PATH}`,
  ];
}
