import * as aws from '@pulumi/aws';
import type { StackValidationPolicy } from '@pulumi/policy';
import { resourcesTakingFrom } from './dependencies';
import { guideItem } from './guide';

const S3_SERVICE = /^com\.amazonaws\.[a-z0-9-]+\.s3$/;

export const vpcS3GatewayEndpoint: StackValidationPolicy = {
  name: 'vpc-s3-gateway-endpoint',
  description:
    'Every VPC has an S3 gateway endpoint on its route tables, so release downloads, backups and other S3 traffic ' +
    'stay off the NAT gateways (which charge per gigabyte) and inside the AWS network.',
  enforcementLevel: 'mandatory',
  severity: 'low',
  framework: guideItem('Quarterly Tasks', 'Capacity planning'),
  remediationSteps:
    'Add an aws.ec2.VpcEndpoint with vpcEndpointType "Gateway", serviceName com.amazonaws.<region>.s3 and the ' +
    'private subnets\' route tables in routeTableIds.',
  validateStack: (args, reportViolation) => {
    for (const vpc of args.resources.filter((resource) => resource.isType(aws.ec2.Vpc))) {
      const endpoints = resourcesTakingFrom(args.resources, aws.ec2.VpcEndpoint, 'vpcId', vpc).filter(
        (endpoint) => endpoint.props.vpcEndpointType === 'Gateway' && S3_SERVICE.test(String(endpoint.props.serviceName)),
      );
      if (endpoints.length === 0) {
        reportViolation(`The VPC ${vpc.name} must have an S3 gateway endpoint.`, vpc.urn);
      } else if (!endpoints.some((endpoint) => (endpoint.props.routeTableIds ?? []).length > 0)) {
        reportViolation(`The S3 gateway endpoint of the VPC ${vpc.name} must be attached to its private route tables.`, vpc.urn);
      }
    }
  },
};

export const policies: StackValidationPolicy[] = [vpcS3GatewayEndpoint];
