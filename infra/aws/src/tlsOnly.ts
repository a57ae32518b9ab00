import * as pulumi from '@pulumi/pulumi';

/** The bucket policy statement that refuses every request to the bucket not made over TLS. */
export function tlsOnlyStatement(bucketArn: pulumi.Output<string>) {
  return {
    Sid: 'TlsOnly',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}
