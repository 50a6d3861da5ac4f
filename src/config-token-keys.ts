/**
 * The token encryption keys of the configuration: TOKEN_ENCRYPTION_KEYS (a ring, for rotation),
 * TOKEN_ENCRYPTION_KEY (one key, id `default`) or, in development, the key file in DATA_DIR.
 * Problems are reported as (variable, message) pairs for the one list of configuration errors;
 * no message echoes a key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_KEY_ID, KEY_FILE_NAME, loadOrCreateKey, parseKey, parseKeyRing, TokenCipher, TokenKeyError, type RingKey } from './store/crypto.js';

/** The key ring TOKEN_ENCRYPTION_KEYS or TOKEN_ENCRYPTION_KEY give, newest first; undefined: the development key file. */
export function keyRingOf(c: { TOKEN_ENCRYPTION_KEY?: string; TOKEN_ENCRYPTION_KEYS?: string }): RingKey[] | undefined {
  if (c.TOKEN_ENCRYPTION_KEYS) return parseKeyRing(c.TOKEN_ENCRYPTION_KEYS);
  return c.TOKEN_ENCRYPTION_KEY ? [{ id: DEFAULT_KEY_ID, key: c.TOKEN_ENCRYPTION_KEY }] : undefined;
}

export function tokenKeyProblems(c: { TOKEN_ENCRYPTION_KEY?: string; TOKEN_ENCRYPTION_KEYS?: string; DATA_DIR: string }): Array<[string, string]> {
  if (c.TOKEN_ENCRYPTION_KEY && c.TOKEN_ENCRYPTION_KEYS) {
    return [['TOKEN_ENCRYPTION_KEYS', 'and TOKEN_ENCRYPTION_KEY are both set; set only one (to rotate, put the old key in TOKEN_ENCRYPTION_KEYS as default:<old key>, after the new one)']];
  }
  if (c.TOKEN_ENCRYPTION_KEYS) {
    try {
      parseKeyRing(c.TOKEN_ENCRYPTION_KEYS);
      return [];
    } catch (err) {
      if (!(err instanceof TokenKeyError)) throw err;
      const m = err.message.replace(/^TOKEN_ENCRYPTION_KEYS /, '');
      return [['TOKEN_ENCRYPTION_KEYS', m.startsWith('holds') ? m : `is not valid: ${m}`]];
    }
  }
  const problem = tokenKeyProblem(c.TOKEN_ENCRYPTION_KEY, c.DATA_DIR);
  return problem ? [['TOKEN_ENCRYPTION_KEY', problem]] : [];
}

/**
 * What is wrong with the token encryption key, if anything, so it is reported in the one list with the
 * other settings instead of failing later: a malformed TOKEN_ENCRYPTION_KEY, or (when it is unset) an
 * existing development key file in DATA_DIR that does not hold a key. Never echoes the key.
 */
function tokenKeyProblem(key: string | undefined, dataDir: string): string | undefined {
  if (key !== undefined) {
    try {
      parseKey(key);
      return undefined;
    } catch {
      return `is not a valid key (the value given has ${key.length} characters)`;
    }
  }
  const file = join(dataDir, KEY_FILE_NAME);
  if (!existsSync(file)) return undefined;
  try {
    parseKey(readFileSync(file, 'utf8'));
    return undefined;
  } catch {
    return `is not set and the development key file ${file} does not hold a valid key; set TOKEN_ENCRYPTION_KEY or fix the file (deleting it makes the tokens stored so far unreadable)`;
  }
}

/** The cipher of the configured keys; without any (development), the key file in DATA_DIR, generated on first use. */
export function tokenCipherOf(config: { tokenKeys?: RingKey[]; dataDir: string }, warn: (message: string) => void): TokenCipher {
  return config.tokenKeys ? TokenCipher.fromKeys(config.tokenKeys) : TokenCipher.fromKey(loadOrCreateKey(config.dataDir, warn));
}
