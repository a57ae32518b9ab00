import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ipv4Subnet, ipv6Subnet } from './cidr';
import type { StackConfig } from './config';
import type { Naming } from './naming';

export interface Network {
  vpc: aws.ec2.Vpc;
  /** Load balancer only: nothing else gets an address on the internet. */
  publicSubnets: aws.ec2.Subnet[];
  /** App servers: outbound through NAT, no inbound from the internet. */
  appSubnets: aws.ec2.Subnet[];
  /** Database and cache: no route out of the VPC at all. */
  dataSubnets: aws.ec2.Subnet[];
  appSubnetCidrs: string[];
  dataSubnetCidrs: string[];
  /** One per app subnet: the routes of the tier that reaches out (through NAT, and S3 through its endpoint). */
  appRouteTables: aws.ec2.RouteTable[];
}

/** Sixteen equal blocks: public 0-3, app 4-7, data 8-11 (one per availability zone, up to four). */
const SUBNET_BITS = 4;
const APP_OFFSET = 4;
const DATA_OFFSET = 8;

export function createNetwork(config: StackConfig, naming: Naming): Network {
  const zones = aws.getAvailabilityZonesOutput({ state: 'available' }).names.apply((names) => {
    if (names.length < config.azCount) {
      throw new Error(`azCount is ${config.azCount} but the region has only ${names.length} availability zones`);
    }
    return names.slice(0, config.azCount);
  });
  const zone = (index: number) => zones.apply((names) => names[index]);
  const indexes = Array.from({ length: config.azCount }, (_, index) => index);

  const vpc = new aws.ec2.Vpc(naming.name('vpc'), {
    cidrBlock: config.vpcCidr,
    assignGeneratedIpv6CidrBlock: true,
    enableDnsHostnames: true,
    enableDnsSupport: true,
    tags: naming.tags('vpc'),
  });

  // The default security group allows all traffic between its members; emptied so nothing can use it by accident.
  new aws.ec2.DefaultSecurityGroup(naming.name('default-sg'), { vpcId: vpc.id, tags: naming.tags('default-sg-unused') });

  const internetGateway = new aws.ec2.InternetGateway(naming.name('igw'), { vpcId: vpc.id, tags: naming.tags('igw') });

  const publicSubnets = indexes.map(
    (index) =>
      new aws.ec2.Subnet(naming.name(`public-${index}`), {
        vpcId: vpc.id,
        availabilityZone: zone(index),
        cidrBlock: ipv4Subnet(config.vpcCidr, SUBNET_BITS, index),
        ipv6CidrBlock: vpc.ipv6CidrBlock.apply((block) => ipv6Subnet(block, index)),
        mapPublicIpOnLaunch: false,
        tags: naming.tags(`public-${index}`, { Tier: 'public' }),
      }),
  );
  const appSubnetCidrs = indexes.map((index) => ipv4Subnet(config.vpcCidr, SUBNET_BITS, APP_OFFSET + index));
  const appSubnets = indexes.map(
    (index) =>
      new aws.ec2.Subnet(naming.name(`app-${index}`), {
        vpcId: vpc.id,
        availabilityZone: zone(index),
        cidrBlock: appSubnetCidrs[index],
        mapPublicIpOnLaunch: false,
        tags: naming.tags(`app-${index}`, { Tier: 'app' }),
      }),
  );
  const dataSubnetCidrs = indexes.map((index) => ipv4Subnet(config.vpcCidr, SUBNET_BITS, DATA_OFFSET + index));
  const dataSubnets = indexes.map(
    (index) =>
      new aws.ec2.Subnet(naming.name(`data-${index}`), {
        vpcId: vpc.id,
        availabilityZone: zone(index),
        cidrBlock: dataSubnetCidrs[index],
        mapPublicIpOnLaunch: false,
        tags: naming.tags(`data-${index}`, { Tier: 'data' }),
      }),
  );

  const publicRoutes = new aws.ec2.RouteTable(naming.name('public-rt'), {
    vpcId: vpc.id,
    routes: [
      { cidrBlock: '0.0.0.0/0', gatewayId: internetGateway.id },
      { ipv6CidrBlock: '::/0', gatewayId: internetGateway.id },
    ],
    tags: naming.tags('public-rt'),
  });
  publicSubnets.forEach(
    (subnet, index) =>
      new aws.ec2.RouteTableAssociation(naming.name(`public-rta-${index}`), { subnetId: subnet.id, routeTableId: publicRoutes.id }),
  );

  // One NAT gateway per zone keeps app servers able to reach AWS APIs when a zone fails; one in total is cheaper.
  const natIndexes = config.singleNatGateway ? [0] : indexes;
  const natGateways = natIndexes.map((index) => {
    const address = new aws.ec2.Eip(naming.name(`nat-eip-${index}`), { domain: 'vpc', tags: naming.tags(`nat-eip-${index}`) });
    return new aws.ec2.NatGateway(
      naming.name(`nat-${index}`),
      { allocationId: address.id, subnetId: publicSubnets[index].id, tags: naming.tags(`nat-${index}`) },
      { dependsOn: [internetGateway] },
    );
  });
  const appRouteTables = appSubnets.map((subnet, index) => {
    const routes = new aws.ec2.RouteTable(naming.name(`app-rt-${index}`), {
      vpcId: vpc.id,
      routes: [{ cidrBlock: '0.0.0.0/0', natGatewayId: natGateways[config.singleNatGateway ? 0 : index].id }],
      tags: naming.tags(`app-rt-${index}`),
    });
    new aws.ec2.RouteTableAssociation(naming.name(`app-rta-${index}`), { subnetId: subnet.id, routeTableId: routes.id });
    return routes;
  });

  const dataRoutes = new aws.ec2.RouteTable(naming.name('data-rt'), { vpcId: vpc.id, tags: naming.tags('data-rt') });
  dataSubnets.forEach(
    (subnet, index) =>
      new aws.ec2.RouteTableAssociation(naming.name(`data-rta-${index}`), { subnetId: subnet.id, routeTableId: dataRoutes.id }),
  );

  return { vpc, publicSubnets, appSubnets, dataSubnets, appSubnetCidrs, dataSubnetCidrs, appRouteTables };
}

export function subnetIds(subnets: aws.ec2.Subnet[]): pulumi.Output<string>[] {
  return subnets.map((subnet) => subnet.id);
}
