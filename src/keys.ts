/**
 * `npm run keys -- reencrypt` (in the container: `node dist/keys.js reencrypt`): after a new key
 * was put first in TOKEN_ENCRYPTION_KEYS, rewrites every stored VoipNow token under it and says
 * how many, so the old key can then be dropped. Reads the same configuration as `npm start`
 * (environment and .env) and works on whichever store it names, SQLite or PostgreSQL; replicas
 * may keep running meanwhile.
 *
 * Exit codes: 0 done, 1 failure (configuration, store, a token no key opens), 2 usage error.
 */
import 'dotenv/config';
import { ConfigError, loadConfig } from './config.js';
import { tokenCipherOf } from './config-token-keys.js';
import { openStore } from './store/index.js';

const USAGE = [
  'usage: npm run keys -- reencrypt',
  '  reencrypt   rewrite every stored token under the first key of TOKEN_ENCRYPTION_KEYS',
  'Rotate: put the new key first (TOKEN_ENCRYPTION_KEYS=<new id>:<new key>,<old id>:<old key>), restart every replica,',
  'run reencrypt, then drop the old key and restart again.',
].join('\n');

async function main(args: string[]): Promise<number> {
  if (args.length !== 1 || args[0] !== 'reencrypt') {
    process.stderr.write(`${args.length ? `unknown command: ${args.join(' ')}\n` : ''}${USAGE}\n`);
    return 2;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
  const cipher = tokenCipherOf(config, (m) => process.stderr.write(`${m}\n`));
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    cipher,
    log: (m) => process.stderr.write(`${m}\n`),
    schema: config.databaseSchema,
    poolMax: 2,
  });
  try {
    const n = await store.reencryptTokens();
    process.stdout.write(
      `Re-encrypted the tokens of ${n.rewritten} of ${n.accounts} linked accounts under the key "${n.keyId}" ` +
        `(${n.current} already were; ${n.changedMeanwhile} changed meanwhile and were left as written).\n`,
    );
    if (n.changedMeanwhile > 0) process.stdout.write('Run it again once every replica runs with the new key first, so none is left under an old key.\n');
    return 0;
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`callops keys failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
