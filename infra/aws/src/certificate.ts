import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Naming } from './naming';

/**
 * An ACM certificate for one host name, proven through a DNS record in the stack's hosted zone. The
 * returned ARN comes from the validation, so listeners and distributions wait until the certificate is issued.
 */
export function createValidatedCertificate(
  component: string,
  hostName: string,
  zoneId: pulumi.Input<string>,
  naming: Naming,
  provider?: aws.Provider,
): pulumi.Output<string> {
  const resourceOptions = provider ? { provider } : {};
  const certificate = new aws.acm.Certificate(
    naming.name(component),
    {
      domainName: hostName,
      validationMethod: 'DNS',
      keyAlgorithm: 'RSA_2048',
      tags: naming.tags(component),
    },
    resourceOptions,
  );
  const validation = certificate.domainValidationOptions.apply((options) => {
    const option = options.find((candidate) => candidate.domainName === hostName) ?? options[0];
    if (!option) throw new Error(`ACM returned no DNS validation record for ${hostName}`);
    return option;
  });
  const record = new aws.route53.Record(naming.name(`${component}-validation`), {
    zoneId,
    name: validation.resourceRecordName,
    type: validation.resourceRecordType,
    records: [validation.resourceRecordValue],
    ttl: 60,
    allowOverwrite: true,
  });
  return new aws.acm.CertificateValidation(
    naming.name(`${component}-validated`),
    { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
    resourceOptions,
  ).certificateArn;
}
