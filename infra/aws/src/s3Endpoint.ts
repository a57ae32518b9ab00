import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Naming } from './naming';
import type { Network } from './network';

/**
 * An S3 gateway endpoint on the app subnets' route tables: the release artifact, backups and every
 * other S3 request go to S3 inside the AWS network instead of through the NAT gateways, which charge
 * for each gigabyte they carry. Gateway endpoints cost nothing. The data subnets get none: nothing
 * there talks to S3, and they keep no route out of the VPC at all.
 */
export function createS3GatewayEndpoint(network: Network, naming: Naming): aws.ec2.VpcEndpoint {
  const region = aws.getRegionOutput().region;
  return new aws.ec2.VpcEndpoint(naming.name('s3-endpoint'), {
    vpcId: network.vpc.id,
    serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
    vpcEndpointType: 'Gateway',
    routeTableIds: network.appRouteTables.map((table) => table.id),
    tags: naming.tags('s3-endpoint'),
  });
}
