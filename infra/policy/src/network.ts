import * as aws from '@pulumi/aws';
import { ResourceValidation, ResourceValidationPolicy, validateResourceOfType } from '@pulumi/policy';
import { guideItem } from './guide';
import {
  INGRESS_RESOURCE_TYPES,
  IngressPermission,
  LOAD_BALANCER_ROLE_TAG,
  coversTcpPort,
  describePorts,
  ingressPermissions,
  isOpenToAnywhere,
  isSingleWebPort,
} from './ingress';

const SSH_PORT = 22;

/** Runs `check` on every ingress permission of a security group or security group rule. */
function validateIngress(check: (permission: IngressPermission) => string | undefined): ResourceValidation {
  return (args, reportViolation) => {
    if (!INGRESS_RESOURCE_TYPES.includes(args.type)) {
      args.notApplicable('Policy only applies to security groups and their ingress rules');
    }
    for (const permission of ingressPermissions(args)) {
      const violation = check(permission);
      if (violation !== undefined) {
        reportViolation(violation);
      }
    }
  };
}

const LOAD_BALANCER_TAG = `${LOAD_BALANCER_ROLE_TAG.key}: ${LOAD_BALANCER_ROLE_TAG.value}`;

export const noOpenIngress: ResourceValidationPolicy = {
  name: 'no-open-ingress',
  description:
    'No ingress from 0.0.0.0/0 or ::/0, except TCP 80 or 443 on the load balancer, recognised by the tag ' +
    `${LOAD_BALANCER_TAG} on the security group (inline rules) or on the vpc.SecurityGroupIngressRule.`,
  enforcementLevel: 'mandatory',
  severity: 'critical',
  framework: guideItem('Security Review', 'Verify HTTPS/SSL configuration'),
  remediationSteps:
    'Allow app, database, cache and monitoring ports only from the security group that needs them. Open ' +
    `80/443 to the internet only on the load balancer's security group, tagged ${LOAD_BALANCER_TAG}.`,
  validateResource: validateIngress((permission) => {
    if (!isOpenToAnywhere(permission)) {
      return undefined;
    }
    if (!isSingleWebPort(permission)) {
      return `Ingress from anywhere is only allowed on TCP 80 or 443 (this rule opens ${describePorts(permission)}).`;
    }
    if (!permission.onLoadBalancer) {
      return (
        `Ingress from anywhere on ${describePorts(permission)} is only allowed on the load balancer's ` +
        `security group, tagged ${LOAD_BALANCER_TAG}.`
      );
    }
    return undefined;
  }),
};

export const noSsh: ResourceValidationPolicy = {
  name: 'no-ssh',
  description:
    'No ingress rule admits SSH (TCP 22, or all traffic) from any source, and no launch template or instance ' +
    'carries an SSH key pair: operators reach the servers through Session Manager.',
  enforcementLevel: 'mandatory',
  severity: 'high',
  framework: guideItem('Security Review', 'Update admin credentials'),
  remediationSteps:
    'Remove port 22 (and all-traffic) ingress rules and keyName; use `aws ssm start-session --target <instance-id>`.',
  validateResource: [
    validateIngress((permission) =>
      permission.hasSource && coversTcpPort(permission, SSH_PORT)
        ? `Ingress must not admit SSH (this rule opens ${describePorts(permission)}).`
        : undefined,
    ),
    validateResourceOfType(aws.ec2.LaunchTemplate, (template, _args, reportViolation) => {
      if (template.keyName !== undefined && template.keyName !== '') {
        reportViolation('The launch template must not set keyName: use Session Manager instead of SSH.');
      }
    }),
    validateResourceOfType(aws.ec2.Instance, (instance, _args, reportViolation) => {
      if (instance.keyName !== undefined && instance.keyName !== '') {
        reportViolation('The instance must not set keyName: use Session Manager instead of SSH.');
      }
    }),
  ],
};

export const policies: ResourceValidationPolicy[] = [noOpenIngress, noSsh];
