import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BASE_AWS_CONFIG, MOCK_REGION, loadAwsProgram, type AwsProgramRun } from './awsProgram';
import { plainInput, type MockResource } from '../../test/mockEngine';
import { BACKUP_TIERS } from '../src/backupSchedule';

/** Where backups go on AWS: the backup bucket, RDS's automated backups, and AWS Backup's plan with its copy region. */

const T = {
  awsProvider: 'pulumi:providers:aws',
  bucket: 'aws:s3/bucket:Bucket',
  bucketPolicy: 'aws:s3/bucketPolicy:BucketPolicy',
  bucketVersioning: 'aws:s3/bucketVersioning:BucketVersioning',
  bucketEncryption: 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  bucketLifecycle: 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
  bucketPublicAccessBlock: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  bucketOwnershipControls: 'aws:s3/bucketOwnershipControls:BucketOwnershipControls',
  kmsKey: 'aws:kms/key:Key',
  role: 'aws:iam/role:Role',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  rolePolicyAttachment: 'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
  secretVersion: 'aws:secretsmanager/secretVersion:SecretVersion',
  launchTemplate: 'aws:ec2/launchTemplate:LaunchTemplate',
  dbInstance: 'aws:rds/instance:Instance',
  vault: 'aws:backup/vault:Vault',
  vaultLock: 'aws:backup/vaultLockConfiguration:VaultLockConfiguration',
  plan: 'aws:backup/plan:Plan',
  selection: 'aws:backup/selection:Selection',
};

const ofType = (run: AwsProgramRun, type: string) => run.resources.filter((resource) => resource.type === type);
function named(run: AwsProgramRun, type: string, name: string): MockResource {
  const found = ofType(run, type).filter((resource) => resource.name === name);
  expect(found.map((resource) => resource.name)).toEqual([name]);
  return found[0];
}
const idOf = (resource: MockResource) => `${resource.name}-id`;
const arnOf = (resource: MockResource) => `arn:aws:${resource.type.split(':')[1].split('/')[0]}:${MOCK_REGION}:123456789012:${resource.name}-id`;

let prod: AwsProgramRun;
let staging: AwsProgramRun;
beforeAll(async () => {
  prod = await loadAwsProgram(BASE_AWS_CONFIG, 'prod');
  staging = await loadAwsProgram({ ...BASE_AWS_CONFIG, environment: 'staging' }, 'staging');
}, 60000);

const BUCKET = 'todobox-prod-backups';
/** The mock engine's ARN of the bucket. */
const bucketArn = `arn:aws:s3:${MOCK_REGION}:123456789012:${BUCKET}-id`;

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
}
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
const globMatches = (pattern: string, value: string) => new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.?+^$()[\]{}|\\]/g, '\\$&')).join('.*')}$`).test(value);
const covers = (statement: Statement, action: string, resource: string) =>
  list(statement.Action).some((pattern) => globMatches(pattern, action)) && list(statement.Resource).some((pattern) => globMatches(pattern, resource));

/** IAM's rule for one role's policies: allowed when some statement allows and none denies. */
function roleMay(policies: { Statement: Statement[] }[], action: string, resource: string): boolean {
  const statements = policies.flatMap((policy) => policy.Statement);
  return statements.some((s) => s.Effect === 'Allow' && covers(s, action, resource)) && !statements.some((s) => s.Effect === 'Deny' && covers(s, action, resource));
}
const appRolePolicies = (run: AwsProgramRun) =>
  ofType(run, T.rolePolicy)
    .filter((policy) => policy.inputs.role === 'todobox-prod-app-role-id')
    .map((policy) => JSON.parse(policy.inputs.policy) as { Statement: Statement[] });

describe('the backup bucket', () => {
  it('is private, versioned, owner-enforced and encrypted by default with a KMS key of its own', () => {
    const bucket = idOf(named(prod, T.bucket, BUCKET));
    expect(named(prod, T.bucketVersioning, `${BUCKET}-versioning`).inputs).toEqual(expect.objectContaining({ bucket, versioningConfiguration: { status: 'Enabled' } }));
    expect(named(prod, T.bucketPublicAccessBlock, `${BUCKET}-public-access`).inputs).toEqual(
      expect.objectContaining({ bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
    );
    expect(named(prod, T.bucketOwnershipControls, `${BUCKET}-ownership`).inputs).toMatchObject({ bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    const key = named(prod, T.kmsKey, `${BUCKET}-key`);
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(named(prod, T.bucketEncryption, `${BUCKET}-encryption`).inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: arnOf(key) }, bucketKeyEnabled: true },
    ]);
  });

  it('refuses every request without TLS', () => {
    const policy = JSON.parse(named(prod, T.bucketPolicy, `${BUCKET}-tls-only`).inputs.policy);
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
  });

  it('outlives pulumi destroy in prod only', () => {
    expect(named(prod, T.bucket, BUCKET).inputs.forceDestroy).toBe(false);
    expect(named(staging, T.bucket, 'todobox-staging-backups').inputs.forceDestroy).toBe(true);
  });

  describe('lifecycle rules: the guide\'s schedule', () => {
    const lifecycle = () => named(prod, T.bucketLifecycle, `${BUCKET}-schedule`);
    const ruleFor = (id: string) => {
      const rules = lifecycle().inputs.rules.filter((rule: { id: string }) => rule.id === id);
      expect(rules).toHaveLength(1);
      return rules[0];
    };

    it('keep each tier under its own prefix at least as long as its count of backups spans', () => {
      const daysSpanned = { daily: 1, weekly: 7, monthly: 31 };
      for (const tier of ['daily', 'weekly', 'monthly'] as const) {
        const rule = ruleFor(`expire-${tier}`);
        expect(rule).toMatchObject({ status: 'Enabled', filter: { prefix: `todobox/${tier}/` } });
        expect(rule.expiration.days).toBe(BACKUP_TIERS[tier].expireAfterDays);
        expect(rule.expiration.days).toBeGreaterThanOrEqual(BACKUP_TIERS[tier].keep * daysSpanned[tier]);
      }
      expect(ruleFor('expire-daily').expiration.days).toBeLessThan(ruleFor('expire-weekly').expiration.days);
      expect(ruleFor('expire-weekly').expiration.days).toBeLessThan(ruleFor('expire-monthly').expiration.days);
    });

    it('move the monthly archive to Glacier, then Deep Archive after Glacier\'s 90-day minimum, and the other tiers nowhere', () => {
      const transitions = ruleFor('expire-monthly').transitions;
      expect(transitions).toEqual([
        { days: 30, storageClass: 'GLACIER' },
        { days: 120, storageClass: 'DEEP_ARCHIVE' },
      ]);
      expect(transitions[1].days - transitions[0].days).toBeGreaterThanOrEqual(90);
      // Deep Archive bills 180 days at least: the archive stays that long before it expires.
      expect(ruleFor('expire-monthly').expiration.days - transitions[1].days).toBeGreaterThanOrEqual(180);
      expect(ruleFor('expire-daily').transitions).toBeUndefined();
      expect(ruleFor('expire-weekly').transitions).toBeUndefined();
    });

    it('expire old versions after a month, abort stale uploads and clear delete markers', () => {
      expect(ruleFor('expire-old-versions')).toMatchObject({
        status: 'Enabled',
        noncurrentVersionExpiration: { noncurrentDays: 30 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      });
      expect(ruleFor('remove-delete-markers')).toMatchObject({ status: 'Enabled', expiration: { expiredObjectDeleteMarker: true } });
    });

    it('apply to the versioned bucket only once versioning is on', () => {
      expect(lifecycle().dependencies).toContain(named(prod, T.bucketVersioning, `${BUCKET}-versioning`).urn);
    });
  });
});

describe('the app servers and the backup bucket', () => {
  it('find it in BACKUP_S3_URL, with the tiers below it', () => {
    const environment = JSON.parse(plainInput<string>(named(prod, T.secretVersion, 'todobox-prod-app-env-version').inputs.secretString));
    expect(environment.BACKUP_S3_URL).toBe(`s3://${BUCKET}-id/todobox`);
  });

  it('may write, read and list backups through their role', () => {
    const policies = appRolePolicies(prod);
    expect(roleMay(policies, 's3:PutObject', `${bucketArn}/todobox/daily/todobox_mysql_20261204-020000.sql.gz`)).toBe(true);
    expect(roleMay(policies, 's3:GetObject', `${bucketArn}/todobox/monthly/todobox_mysql_20261201-020000.sql.gz`)).toBe(true);
    expect(roleMay(policies, 's3:ListBucket', bucketArn)).toBe(true);
    const keyArn = arnOf(named(prod, T.kmsKey, `${BUCKET}-key`));
    expect(roleMay(policies, 'kms:GenerateDataKey', keyArn)).toBe(true);
    expect(roleMay(policies, 'kms:Decrypt', keyArn)).toBe(true);
  });

  it('may never delete a backup, a version of one, or change the rules that keep them: an explicit Deny', () => {
    const policies = appRolePolicies(prod);
    const objects = `${bucketArn}/todobox/weekly/todobox_mysql_20261129-020000.sql.gz`;
    for (const action of ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention', 's3:BypassGovernanceRetention']) {
      expect([action, roleMay(policies, action, objects)]).toEqual([action, false]);
    }
    for (const action of ['s3:PutLifecycleConfiguration', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketVersioning', 's3:DeleteBucket']) {
      expect([action, roleMay(policies, action, bucketArn)]).toEqual([action, false]);
    }
    // Denied even were another policy of the role to allow everything.
    const everything: Statement = { Effect: 'Allow', Action: '*', Resource: '*' };
    expect(roleMay([...policies, { Statement: [everything] }], 's3:DeleteObjectVersion', objects)).toBe(false);
    expect(roleMay([...policies, { Statement: [everything] }], 's3:PutLifecycleConfiguration', bucketArn)).toBe(false);
  });

  it('may use the backup key only through S3', () => {
    const statement = appRolePolicies(prod)
      .flatMap((policy) => policy.Statement)
      .find((candidate) => list(candidate.Action).includes('kms:Decrypt')) as Statement & { Condition: unknown };
    expect(statement.Condition).toEqual({ StringEquals: { 'kms:ViaService': `s3.${MOCK_REGION}.amazonaws.com` } });
  });

  it('run infra/server\'s daily backup timer, with the fresh environment, mysqldump and a metrics folder they may write', () => {
    const userData = Buffer.from(named(prod, T.launchTemplate, 'todobox-prod-app-lt').inputs.userData, 'base64').toString('utf8');
    const written = (file: string) => {
      const start = userData.indexOf(`cat > ${file} <<'TODOBOX_EOF'\n`);
      expect(start).toBeGreaterThanOrEqual(0);
      const body = userData.slice(start).split('\n').slice(1);
      return `${body.slice(0, body.indexOf('TODOBOX_EOF')).join('\n')}\n`;
    };
    const server = path.resolve(__dirname, '../../server');
    for (const unit of ['todobox-backup.service', 'todobox-backup.timer']) {
      expect(written(`/etc/systemd/system/${unit}`)).toBe(readFileSync(path.join(server, unit), 'utf8'));
    }
    expect(written('/etc/systemd/system/todobox-backup.service.d/environment.conf')).toMatch(/^Requires=todobox-env\.service$[\s\S]*^After=todobox-env\.service$/m);
    expect(userData).toMatch(/apt-get .*install .* mysql-client\n/);
    expect(userData).toContain('install -d -o todobox -g todobox -m 0750 /var/backups/todobox');
    expect(userData).toContain('chgrp todobox /var/lib/prometheus/node-exporter && chmod 2775 /var/lib/prometheus/node-exporter');
    expect(userData.trimEnd().split('\n').slice(-2)).toEqual(['systemctl enable --now todobox.service', 'systemctl enable --now todobox-backup.timer']);
    expect(() => execFileSync('bash', ['-n'], { input: userData, stdio: ['pipe', 'pipe', 'pipe'] })).not.toThrow();
  });

  it('exports the bucket name and the upload address', async () => {
    expect((await prod.resolve<string>(prod.outputs.backupBucketName)).value).toBe(`${BUCKET}-id`);
    expect((await prod.resolve<string>(prod.outputs.backupUrl)).value).toBe(`s3://${BUCKET}-id/todobox`);
  });
});

describe('RDS automated backups', () => {
  it('keep a week or more of point-in-time recovery, tag the snapshots and outlive the instance in prod', () => {
    const db = named(prod, T.dbInstance, 'todobox-prod-db').inputs;
    expect(db.backupRetentionPeriod).toBeGreaterThanOrEqual(7);
    expect(db).toMatchObject({ copyTagsToSnapshot: true, deletionProtection: true, skipFinalSnapshot: false, deleteAutomatedBackups: false });
    expect(named(staging, T.dbInstance, 'todobox-staging-db').inputs.deleteAutomatedBackups).toBe(true);
  });

  it.each([
    [{ dbBackupRetentionDays: '0' }, 'dbBackupRetentionDays must be at least 7 (got 0)'],
    [{ backupCopyRegion: MOCK_REGION }, `backupCopyRegion must differ from aws:region (${MOCK_REGION})`],
    [{ backupCopyRegion: 'west' }, 'backupCopyRegion must be an AWS region such as us-west-2 (got "west")'],
  ])('refuses %j', async (override, message) => {
    await expect(loadAwsProgram({ ...BASE_AWS_CONFIG, ...override }, 'prod')).rejects.toThrow(message);
  });
});

describe('the AWS Backup plan', () => {
  const plan = () => named(prod, T.plan, 'todobox-prod-backup-plan');
  const ruleNamed = (name: string) => plan().inputs.rules.find((rule: { ruleName: string }) => rule.ruleName === name);
  const copyVault = () => named(prod, T.vault, 'todobox-prod-backup-copy-vault');

  it('snapshots the database weekly and monthly into its vault, kept as the guide\'s tiers', () => {
    expect(plan().inputs.rules.map((rule: { ruleName: string }) => rule.ruleName)).toEqual(['weekly', 'monthly']);
    expect(ruleNamed('weekly')).toMatchObject({ schedule: 'cron(0 5 ? * SUN *)', targetVaultName: 'todobox-prod-backup-vault', lifecycle: { deleteAfter: 35 } });
    expect(ruleNamed('monthly')).toMatchObject({ schedule: 'cron(0 5 1 * ? *)', targetVaultName: 'todobox-prod-backup-vault', lifecycle: { deleteAfter: 400 } });
    const selection = named(prod, T.selection, 'todobox-prod-backup-database').inputs;
    expect(selection).toMatchObject({ planId: idOf(plan()), resources: [`arn:aws:rds:${MOCK_REGION}:123456789012:db:todobox-prod-db-id`] });
  });

  it('copies every snapshot to a vault in the second region, kept as long', async () => {
    for (const name of ['weekly', 'monthly']) {
      const rule = ruleNamed(name);
      expect(rule.copyActions).toEqual([{ destinationVaultArn: arnOf(copyVault()), lifecycle: rule.lifecycle }]);
    }
    const copyRegion = named(prod, T.awsProvider, 'todobox-prod-backup-copy-region');
    expect(copyRegion.inputs.region).toBe('us-west-2');
    const inCopyRegion = (resource: MockResource) => resource.provider?.startsWith(`${copyRegion.urn}::`) ?? false;
    expect(inCopyRegion(copyVault())).toBe(true);
    expect(inCopyRegion(named(prod, T.kmsKey, 'todobox-prod-backup-copy-vault-key'))).toBe(true);
    expect(inCopyRegion(named(prod, T.vault, 'todobox-prod-backup-vault'))).toBe(false);
    const west = await loadAwsProgram({ ...BASE_AWS_CONFIG, 'aws:region': 'us-west-2' }, 'prod');
    expect(named(west, T.awsProvider, 'todobox-prod-backup-copy-region').inputs.region).toBe('us-east-1');
  });

  it('encrypts each vault with a key of its own and locks it against early deletion', () => {
    for (const name of ['todobox-prod-backup-vault', 'todobox-prod-backup-copy-vault']) {
      const key = named(prod, T.kmsKey, `${name}-key`);
      expect(key.inputs.enableKeyRotation).toBe(true);
      expect(named(prod, T.vault, name).inputs).toMatchObject({ kmsKeyArn: arnOf(key), forceDestroy: false });
      expect(named(prod, T.vaultLock, `${name}-lock`).inputs).toMatchObject({ backupVaultName: name, minRetentionDays: 7, maxRetentionDays: 400 });
      // Every tier's retention fits inside the lock, or AWS Backup would refuse the recovery points.
      for (const rule of plan().inputs.rules) expect(rule.lifecycle.deleteAfter).toBeGreaterThanOrEqual(7);
    }
  });

  it('leaves a staging stack\'s vaults unlocked and destroyable', () => {
    expect(ofType(staging, T.vaultLock)).toEqual([]);
    expect(named(staging, T.vault, 'todobox-staging-backup-vault').inputs.forceDestroy).toBe(true);
  });

  it('runs as a role AWS Backup assumes, with AWS\'s backup and restore policies', () => {
    const role = named(prod, T.role, 'todobox-prod-backup-role');
    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'backup.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    const attached = ofType(prod, T.rolePolicyAttachment).filter((attachment) => attachment.inputs.role === role.name);
    expect(attached.map((attachment) => attachment.inputs.policyArn).sort()).toEqual([
      'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
      'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
    ]);
    const selection = named(prod, T.selection, 'todobox-prod-backup-database');
    expect(selection.inputs.iamRoleArn).toBe(arnOf(role));
    expect(selection.dependencies).toEqual(expect.arrayContaining(attached.map((attachment) => attachment.urn)));
  });
});
