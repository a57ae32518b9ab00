export { enrolmentRoutes } from './enrolmentRoutes';
export { accountRoutes } from './routes';
export { createUserService } from './userService';
export type { UserService, UserSummary } from './userService';
