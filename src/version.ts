import { readFileSync } from 'node:fs';

/** Name and version from package.json (same relative path from src/ and dist/). */
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

export const APP_NAME = pkg.name;
export const APP_VERSION = pkg.version;
export const USER_AGENT = `${pkg.name}/${pkg.version} (node ${process.version})`;
