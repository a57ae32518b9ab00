/** The netNumber-th block of `newBits` more prefix bits inside an IPv4 CIDR block (Terraform's cidrsubnet). */
export function ipv4Subnet(cidr: string, newBits: number, netNumber: number): string {
  const [address, prefixText] = cidr.split('/');
  const prefix = Number(prefixText) + newBits;
  if (prefix > 28 || netNumber >= 2 ** newBits) throw new Error(`${cidr} has no subnet ${netNumber} of /${prefix}`);
  const base = address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
  const network = base + netNumber * 2 ** (32 - prefix);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefix}`;
}

/** The netNumber-th /64 inside the /56 that AWS assigns to a VPC. */
export function ipv6Subnet(vpcBlock: string, netNumber: number): string {
  const [address, prefix] = vpcBlock.split('/');
  if (prefix !== '56' || netNumber > 255) throw new Error(`expected a /56 IPv6 block, got ${vpcBlock}`);
  const groups = address.replace(/::$/, '').split(':');
  const fourth = parseInt(groups[3] ?? '0', 16) + netNumber;
  return `${groups.slice(0, 3).join(':')}:${fourth.toString(16)}::/64`;
}
