import path from 'node:path';

/** The repository root: the app image's build context and the source of every uploaded file. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');
export const DOCKERFILE = path.join(REPO_ROOT, 'Dockerfile');
export const MONITORING_DIR = path.join(REPO_ROOT, 'monitoring');
export const MYSQL_INIT_DIR = path.join(REPO_ROOT, 'infra/compose/mysql-init');
