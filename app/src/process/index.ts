export { runPrimary } from './primary';
export { runWorker } from './worker';
export { createProcessLogger } from './logging';
