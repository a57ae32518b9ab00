import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BASE_AWS_CONFIG, loadAwsProgram, type AwsProgramRun } from '../aws/test/awsProgram';
import { plainInput, type MockResource } from './mockEngine';
import { LOG_FILE_NAME } from '../../app/src/observability/logger';

const T = {
  logGroup: 'aws:cloudwatch/logGroup:LogGroup',
  metricFilter: 'aws:cloudwatch/logMetricFilter:LogMetricFilter',
  metricAlarm: 'aws:cloudwatch/metricAlarm:MetricAlarm',
  kmsKey: 'aws:kms/key:Key',
  launchTemplate: 'aws:ec2/launchTemplate:LaunchTemplate',
  instance: 'aws:ec2/instance:Instance',
  secretVersion: 'aws:secretsmanager/secretVersion:SecretVersion',
  rolePolicyAttachment: 'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
};
const AGENT_CONFIG = '/opt/aws/amazon-cloudwatch-agent/etc/todobox.json';
const CLOUDWATCH_AGENT_POLICY = 'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy';

type AgentConfig = { logs: { logs_collected: { files: { collect_list: Array<{ file_path: string; log_group_name: string; log_stream_name: string }> } } } };

const ofType = (run: AwsProgramRun, type: string): MockResource[] => run.resources.filter((resource) => resource.type === type);
const appUserData = (run: AwsProgramRun) => Buffer.from(plainInput<string>(ofType(run, T.launchTemplate)[0].inputs.userData), 'base64').toString('utf8');
const monitoringUserData = (run: AwsProgramRun) => plainInput<string>(ofType(run, T.instance)[0].inputs.userData);

/** The agent configuration a boot script writes, parsed. */
function agentConfig(userData: string): AgentConfig {
  const start = userData.indexOf(`cat > ${AGENT_CONFIG} <<'TODOBOX_EOF'\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const body = userData.slice(userData.indexOf('\n', start) + 1);
  return JSON.parse(body.slice(0, body.indexOf('\nTODOBOX_EOF')));
}

let prod: AwsProgramRun;
let withoutAgent: AwsProgramRun;

beforeAll(async () => {
  prod = await loadAwsProgram({ ...BASE_AWS_CONFIG, cloudWatchLogRetentionDays: '90' }, 'prod');
  withoutAgent = await loadAwsProgram({ ...BASE_AWS_CONFIG, enableCloudWatchAgent: 'false' }, 'prod');
}, 60000);

describe('CloudWatch Logs on AWS', () => {
  it('keeps the app and system log groups for cloudWatchLogRetentionDays, encrypted with a rotated key only CloudWatch Logs may use', () => {
    const groups = ofType(prod, T.logGroup);
    expect(groups.map((group) => group.inputs.name).sort()).toEqual(['/todobox/prod/app', '/todobox/prod/system']);
    const key = ofType(prod, T.kmsKey).find((candidate) => candidate.name === 'todobox-prod-logs-key');
    for (const group of groups) expect(group.inputs).toMatchObject({ retentionInDays: 90, kmsKeyId: expect.stringContaining('todobox-prod-logs-key') });
    expect(key?.inputs.enableKeyRotation).toBe(true);
    const statement = JSON.parse(key?.inputs.policy).Statement.find((candidate: { Sid: string }) => candidate.Sid === 'CloudWatchLogsEncrypts');
    expect(statement.Principal).toEqual({ Service: 'logs.us-east-1.amazonaws.com' });
    expect(statement.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']).toBe('arn:aws:logs:us-east-1:123456789012:log-group:/todobox/prod/*');
  });

  it('keeps 30 days by default and refuses a retention CloudWatch does not offer', async () => {
    const defaults = await loadAwsProgram(BASE_AWS_CONFIG, 'prod');
    expect(ofType(defaults, T.logGroup).map((group) => group.inputs.retentionInDays)).toEqual([30, 30]);
    await expect(loadAwsProgram({ ...BASE_AWS_CONFIG, cloudWatchLogRetentionDays: '45' }, 'prod')).rejects.toThrow(/cloudWatchLogRetentionDays must be one of 1, 3, 5/);
  });

  it("has the app servers' agent ship the app's JSON log file, where the app writes it, and the system log to those groups", () => {
    const groups = new Set(ofType(prod, T.logGroup).map((group) => group.inputs.name));
    const files = agentConfig(appUserData(prod)).logs.logs_collected.files.collect_list;
    const environment = JSON.parse(plainInput<string>(ofType(prod, T.secretVersion).find((version) => version.name.endsWith('-app-env-version'))?.inputs.secretString));
    expect(files).toEqual([
      { file_path: path.posix.join(environment.LOG_DIR, LOG_FILE_NAME), log_group_name: '/todobox/prod/app', log_stream_name: '{instance_id}' },
      { file_path: '/var/log/syslog', log_group_name: '/todobox/prod/system', log_stream_name: '{instance_id}' },
    ]);
    for (const file of files) expect(groups).toContain(file.log_group_name);
    expect(appUserData(prod)).toContain(`amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:${AGENT_CONFIG}`);
  });

  it("has the monitoring host's agent ship its system log to the same system group", () => {
    const files = agentConfig(monitoringUserData(prod)).logs.logs_collected.files.collect_list;
    expect(files).toEqual([{ file_path: '/var/log/syslog', log_group_name: '/todobox/prod/system', log_stream_name: '{instance_id}' }]);
  });

  it('lets both roles write to CloudWatch Logs', () => {
    const roles = ofType(prod, T.rolePolicyAttachment).filter((attachment) => attachment.inputs.policyArn === CLOUDWATCH_AGENT_POLICY).map((attachment) => attachment.inputs.role);
    expect(roles.sort()).toEqual(['todobox-prod-app-role', 'todobox-prod-monitoring-role']);
  });

  it("counts the guide's failed-login search in a metric, and alarms over 30 in 5 minutes to the alarm topic", () => {
    const [filter] = ofType(prod, T.metricFilter);
    expect(filter.inputs).toMatchObject({
      logGroupName: '/todobox/prod/app',
      pattern: '{ $.message = "Invalid username or password*" }',
      metricTransformation: { name: 'FailedLogins', namespace: 'TodoBox/prod', value: '1' },
    });
    // The app logs exactly this message on a failed login, the line the guide's `grep "Invalid username"` finds.
    expect(readFileSync(path.resolve(__dirname, '../../app/src/auth/routes.ts'), 'utf8')).toContain("logger.warn('Invalid username or password'");
    const alarm = ofType(prod, T.metricAlarm).find((candidate) => candidate.name === 'todobox-prod-alarm-failed-logins');
    expect(alarm?.inputs).toMatchObject({
      namespace: 'TodoBox/prod',
      metricName: 'FailedLogins',
      statistic: 'Sum',
      period: 300,
      threshold: 30,
      comparisonOperator: 'GreaterThanThreshold',
      alarmActions: [expect.stringMatching(/todobox-prod-alarms-id$/)],
    });
  });

  it('installs no agent and creates no group with enableCloudWatchAgent false', () => {
    expect(ofType(withoutAgent, T.logGroup)).toEqual([]);
    expect(ofType(withoutAgent, T.metricFilter)).toEqual([]);
    expect(appUserData(withoutAgent)).not.toContain('amazon-cloudwatch-agent');
    expect(monitoringUserData(withoutAgent)).not.toContain('amazon-cloudwatch-agent');
  });
});
