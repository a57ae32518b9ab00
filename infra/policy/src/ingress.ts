import * as aws from '@pulumi/aws';
import type { ResourceValidationArgs } from '@pulumi/policy';
import { tagValue } from './tags';

/** The tag that marks a security group (or a rule of one) as the load balancer's public front door (any key case). */
export const LOAD_BALANCER_ROLE_TAG = { key: 'role', value: 'load-balancer' };

const ANYWHERE = ['0.0.0.0/0', '::/0'];
const ALL_PROTOCOLS = ['-1', 'all'];
const TCP = ['tcp', '6'];

/** One ingress permission, whichever of the three AWS resource shapes declared it. */
export interface IngressPermission {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
  /** Any source at all: CIDR blocks, security groups, prefix lists or the group itself. */
  hasSource: boolean;
  /** The declaring resource carries `role: load-balancer`. */
  onLoadBalancer: boolean;
}

function isLoadBalancerTagged(tags: Record<string, string> | undefined): boolean {
  return tagValue(tags, LOAD_BALANCER_ROLE_TAG.key) === LOAD_BALANCER_ROLE_TAG.value;
}

function nonEmpty(values: (string | undefined)[]): string[] {
  return values.filter((value): value is string => value !== undefined && value !== '');
}

/**
 * Reads the ingress permissions of a security group (inline rules), a vpc.SecurityGroupIngressRule or an
 * ec2.SecurityGroupRule of type ingress; any other resource has none. An ec2.SecurityGroupRule cannot carry
 * tags, so it is never recognised as belonging to the load balancer.
 */
export function ingressPermissions(args: ResourceValidationArgs): IngressPermission[] {
  const group = args.asType(aws.ec2.SecurityGroup);
  if (group) {
    const onLoadBalancer = isLoadBalancerTagged(group.tags);
    return (group.ingress ?? []).map((rule) => {
      const cidrs = nonEmpty([...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])]);
      const others = [...(rule.securityGroups ?? []), ...(rule.prefixListIds ?? [])];
      return {
        protocol: rule.protocol,
        fromPort: rule.fromPort,
        toPort: rule.toPort,
        cidrs,
        hasSource: cidrs.length > 0 || others.length > 0 || rule.self === true,
        onLoadBalancer,
      };
    });
  }
  const vpcRule = args.asType(aws.vpc.SecurityGroupIngressRule);
  if (vpcRule) {
    const cidrs = nonEmpty([vpcRule.cidrIpv4, vpcRule.cidrIpv6]);
    const others = nonEmpty([vpcRule.referencedSecurityGroupId, vpcRule.prefixListId]);
    return [
      {
        protocol: vpcRule.ipProtocol,
        fromPort: vpcRule.fromPort,
        toPort: vpcRule.toPort,
        cidrs,
        hasSource: cidrs.length > 0 || others.length > 0,
        onLoadBalancer: isLoadBalancerTagged(vpcRule.tags),
      },
    ];
  }
  const ec2Rule = args.asType(aws.ec2.SecurityGroupRule);
  if (ec2Rule && ec2Rule.type === 'ingress') {
    const cidrs = nonEmpty([...(ec2Rule.cidrBlocks ?? []), ...(ec2Rule.ipv6CidrBlocks ?? [])]);
    const others = nonEmpty([ec2Rule.sourceSecurityGroupId, ...(ec2Rule.prefixListIds ?? [])]);
    return [
      {
        protocol: ec2Rule.protocol,
        fromPort: ec2Rule.fromPort,
        toPort: ec2Rule.toPort,
        cidrs,
        hasSource: cidrs.length > 0 || others.length > 0 || ec2Rule.self === true,
        onLoadBalancer: false,
      },
    ];
  }
  return [];
}

export const INGRESS_RESOURCE_TYPES = [
  'aws:ec2/securityGroup:SecurityGroup',
  'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule',
  'aws:ec2/securityGroupRule:SecurityGroupRule',
];

export function isOpenToAnywhere(permission: IngressPermission): boolean {
  return permission.cidrs.some((cidr) => ANYWHERE.includes(cidr));
}

function allProtocols(permission: IngressPermission): boolean {
  return ALL_PROTOCOLS.includes(permission.protocol.toLowerCase());
}

/** True when the permission lets TCP traffic reach `port`. */
export function coversTcpPort(permission: IngressPermission, port: number): boolean {
  if (allProtocols(permission)) {
    return true;
  }
  if (!TCP.includes(permission.protocol.toLowerCase())) {
    return false;
  }
  const from = permission.fromPort ?? 0;
  const to = permission.toPort ?? 65535;
  return from <= port && port <= to;
}

/** Exactly one web port (80 or 443) over TCP, nothing wider. */
export function isSingleWebPort(permission: IngressPermission): boolean {
  return (
    TCP.includes(permission.protocol.toLowerCase()) &&
    permission.fromPort === permission.toPort &&
    (permission.fromPort === 80 || permission.fromPort === 443)
  );
}

export function describePorts(permission: IngressPermission): string {
  if (allProtocols(permission)) {
    return 'all traffic';
  }
  const ports = permission.fromPort === permission.toPort ? `${permission.fromPort}` : `${permission.fromPort}-${permission.toPort}`;
  return `${permission.protocol} ${ports}`;
}
