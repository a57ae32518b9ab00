import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from './config';
import type { Naming } from './naming';

export interface AliasTarget {
  dnsName: pulumi.Input<string>;
  zoneId: pulumi.Input<string>;
  /** Route 53 rejects evaluateTargetHealth on a CloudFront alias; a load balancer's is worth checking. */
  evaluateTargetHealth: boolean;
}

export function hostedZoneId(config: StackConfig): pulumi.Output<string> {
  if (config.hostedZoneId !== undefined) return pulumi.output(config.hostedZoneId);
  return aws.route53.getZoneOutput({ name: config.hostedZoneName, privateZone: false }).zoneId;
}

/** A and AAAA alias records: no TTL to manage, no charge for the queries, and they follow the target's addresses. */
export function createAliasRecords(
  component: string,
  hostName: string,
  zoneId: pulumi.Input<string>,
  target: AliasTarget,
  naming: Naming,
): aws.route53.Record[] {
  return (['A', 'AAAA'] as const).map(
    (type) =>
      new aws.route53.Record(naming.name(`${component}-${type.toLowerCase()}`), {
        zoneId,
        name: hostName,
        type,
        aliases: [{ name: target.dnsName, zoneId: target.zoneId, evaluateTargetHealth: target.evaluateTargetHealth }],
      }),
  );
}
