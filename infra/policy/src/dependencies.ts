import type { PolicyResource } from '@pulumi/policy';

/**
 * Whether `resource` takes its `property` from `source`. The engine records which resources each input
 * came from, also while previewing, when ids and ARNs are still unknown: links between resources are
 * read from there, never by comparing values.
 */
export function takesFrom(resource: PolicyResource, property: string, source: PolicyResource): boolean {
  return (resource.propertyDependencies[property] ?? []).some((dependency) => dependency.urn === source.urn);
}

type ResourceClass = Parameters<PolicyResource['isType']>[0];

/** The resources of one class that take `property` from `source`. */
export function resourcesTakingFrom(
  resources: PolicyResource[],
  resourceClass: ResourceClass,
  property: string,
  source: PolicyResource,
): PolicyResource[] {
  return resources.filter((resource) => resource.isType(resourceClass) && takesFrom(resource, property, source));
}
