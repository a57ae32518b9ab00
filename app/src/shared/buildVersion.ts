import fs from 'node:fs';
import path from 'node:path';

// The same two levels up from app/src/shared and from the built app/dist/shared.
const PACKAGE_JSON = path.resolve(__dirname, '../../../package.json');

/** The TodoBox version this build runs, from package.json. */
export const BUILD_VERSION: string = JSON.parse(fs.readFileSync(PACKAGE_JSON, 'utf8')).version;
