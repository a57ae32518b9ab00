export { enrolmentRoutes } from './enrolmentRoutes';
export { accountRoutes } from './routes';
export { refuseUnlessRepeated } from './repeatedPassword';
export { validNewUser, validPasswordReset } from './schemas';
export type { NewUser } from './schemas';
export { createUserService } from './userService';
export type { UserService } from './userService';
export type { UserSummary } from './userSummary';
export { issueSetupToken, SETUP_TOKEN_LIFETIME_MS } from './setupToken';
