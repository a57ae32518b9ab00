export { FINGERPRINTED_NAME, fingerprintFiles, type FingerprintedFile } from './fingerprint';
export { FINGERPRINTED_CACHE_CONTROL, staticAssets, type StaticAssetOptions, type StaticAssets } from './serve';
export { writeFingerprintedCopy } from './writeFingerprinted';
