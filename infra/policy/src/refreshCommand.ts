import type { PolicyResource } from '@pulumi/policy';
import { takesFrom } from './dependencies';

/** @pulumi/command's local command, which runs where `pulumi up` runs. */
const LOCAL_COMMAND = 'command:local:Command';
/**
 * The stack's refresh command hands StartInstanceRefresh its preferences as JSON in this variable, so they
 * can be read here without parsing a shell command.
 */
export const REFRESH_PREFERENCES_VARIABLE = 'REFRESH_PREFERENCES';

/** StartInstanceRefresh's preferences, as far as the policies read them. */
export interface RefreshPreferences {
  AutoRollback?: boolean;
  AlarmSpecification?: { Alarms?: string[] };
  CheckpointPercentages?: number[];
  CheckpointDelay?: number;
}

export interface RefreshCommand {
  command: PolicyResource;
  /** Undefined when the command does not pass its preferences in REFRESH_PREFERENCES, or they are no JSON object. */
  preferences?: RefreshPreferences;
}

function startsRefreshTowardsVersion(script: unknown): boolean {
  return typeof script === 'string' && script.includes('start-instance-refresh') && script.includes('--desired-configuration') && script.includes(`$${REFRESH_PREFERENCES_VARIABLE}`);
}

function parsedPreferences(text: unknown): RefreshPreferences | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as RefreshPreferences) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The local commands that start instance refreshes of the group with a desired configuration, on create and on
 * update (a new launch template version updates the command), and pass REFRESH_PREFERENCES.
 */
export function refreshCommandsOf(resources: PolicyResource[], group: PolicyResource): RefreshCommand[] {
  return resources
    .filter(
      (resource) =>
        resource.type === LOCAL_COMMAND &&
        takesFrom(resource, 'environment', group) &&
        startsRefreshTowardsVersion(resource.props.create) &&
        startsRefreshTowardsVersion(resource.props.update ?? resource.props.create),
    )
    .map((command) => ({ command, preferences: parsedPreferences(command.props.environment?.[REFRESH_PREFERENCES_VARIABLE]) }));
}
