#!/usr/bin/env node
// The `callops` command (package.json "bin"; also `npx callops` in a clone).
// In a clone (src/ present, dev dependencies installed) it runs the TypeScript
// sources through tsx, so it never runs a stale build; in an installed package
// without sources it runs the build (`npm run build` makes dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = `${root}src/console/main.ts`;
const built = `${root}dist/console/main.js`;

async function tsx() {
  try {
    return await import('tsx/esm/api');
  } catch {
    return undefined;
  }
}

const api = existsSync(source) ? await tsx() : undefined;
if (api) {
  api.register();
  await import(pathToFileURL(source).href);
} else if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  process.stderr.write('callops: neither the sources with tsx (npm install) nor a build (npm run build) were found.\n');
  process.exit(1);
}
