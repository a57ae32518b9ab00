export { tokenSettingsRoutes } from './tokenRoutes';
export { createTokenService } from './tokenService';
export type { TokenService } from './tokenService';
