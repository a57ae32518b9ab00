export { apiRoutes } from './routes';
