export { FINGERPRINTED_NAME, fingerprintFiles } from './fingerprint';
export { FINGERPRINTED_CACHE_CONTROL, staticAssets, type StaticAssets } from './serve';
export { writeFingerprintedCopy } from './writeFingerprinted';
