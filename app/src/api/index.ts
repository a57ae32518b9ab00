export { apiRoutes } from './routes';
export { tokenSettingsRoutes } from './tokenRoutes';
export { createTokenService } from './tokenService';
