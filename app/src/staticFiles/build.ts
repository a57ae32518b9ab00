import path from 'node:path';
import { writeFingerprintedCopy } from './writeFingerprinted';

/** `npm run build`, after the compiler: app/public to app/dist/public, fingerprinted names included. */
const root = path.resolve(__dirname, '../../..');
const written = writeFingerprintedCopy(path.join(root, 'app/public'), path.join(root, 'app/dist/public'));
process.stdout.write(`Wrote ${written.length} static files to app/dist/public\n`);
