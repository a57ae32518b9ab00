/**
 * Every step a journey tags its requests with. Thresholds and summaries are read per step, so a
 * step's name is its contract: a dashboard, a threshold or a runner's table names these.
 */
export const JOURNEY_STEPS = [
  'login_page',
  'login',
  'dashboard',
  'list_today',
  'search',
  'view_todo',
  'new_todo_form',
  'create_todo',
  'mark_done',
  'reassign_todo',
  'delete_confirm',
  'delete_todo',
  'logout',
  'api_list',
  'api_create',
  'api_get',
  'api_update',
  'api_delete',
] as const;

/** The steps of setup() and teardown(): preparing and removing the load users and their data. */
export const SETUP_STEPS = [
  'setup_login_page',
  'setup_login',
  'setup_user_form',
  'setup_create_user',
  'setup_token_page',
  'setup_create_token',
  'setup_seed_todo',
  'setup_logout',
  'teardown_login_page',
  'teardown_login',
  'teardown_token_page',
  'teardown_logout',
  'teardown_users_page',
  'teardown_delete_user',
  'teardown_revoke_token',
] as const;

export type JourneyStep = (typeof JOURNEY_STEPS)[number];
export type SetupStep = (typeof SETUP_STEPS)[number];
export type StepName = JourneyStep | SetupStep;

/** The steps whose requests check a password on purpose (slow by design: the password hash). */
export const PASSWORD_STEPS: readonly JourneyStep[] = ['login'];
