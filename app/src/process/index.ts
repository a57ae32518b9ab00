export { runPrimary } from './primary';
export { runWorker } from './worker';
