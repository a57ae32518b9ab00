import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Naming } from './naming';

/**
 * A rotating KMS key that only the account administers (IAM policies then grant its use), which a
 * mistaken deletion leaves recoverable for 30 days. In `provider`'s region when one is given.
 */
export function accountKey(name: string, description: string, naming: Naming, provider?: aws.Provider): aws.kms.Key {
  const account = aws.getCallerIdentityOutput({}, { provider }).accountId;
  const partition = aws.getPartitionOutput({}, { provider }).partition;
  return new aws.kms.Key(
    naming.name(name),
    {
      description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: pulumi.jsonStringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
        ],
      }),
      tags: naming.tags(name),
    },
    { provider },
  );
}
