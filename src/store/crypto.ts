/**
 * Token encryption at rest: AES-256-GCM with a random 12-byte IV per value.
 *
 * Output format (version 1): `v1:<iv base64>:<auth tag base64>:<ciphertext base64>`.
 *
 * An optional `context` string is bound to the ciphertext as GCM additional authenticated
 * data: a value encrypted for one context does not decrypt under another. The store uses it to
 * pin each token to its row and column, so a token copied into another user's row is rejected.
 *
 * Error messages never contain plaintext, ciphertext or key material.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const KEY_FILE_NAME = 'token-encryption.key';

/** Thrown when a stored value cannot be decrypted (wrong key, tampering, wrong context, garbage). */
export class TokenDecryptionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenDecryptionError';
  }
}

/** Thrown when a key is not 32 bytes in hex or base64. */
export class TokenKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenKeyError';
  }
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
// Standard or URL-safe base64 of 32 bytes: 43 significant characters, optional single '=' pad.
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=?$/;
const BASE64URL_KEY = /^[A-Za-z0-9_-]{43}=?$/;
const BASE64_PART = /^[A-Za-z0-9+/]*={0,2}$/;

/** Parses a 32-byte key given as 64 hex characters or base64/base64url. Never echoes the key. */
export function parseKey(key: string): Buffer {
  const k = key.trim();
  let bytes: Buffer | undefined;
  if (HEX_KEY.test(k)) bytes = Buffer.from(k, 'hex');
  else if (BASE64_KEY.test(k)) bytes = Buffer.from(k, 'base64');
  else if (BASE64URL_KEY.test(k)) bytes = Buffer.from(k, 'base64url');
  if (!bytes || bytes.length !== KEY_BYTES) {
    throw new TokenKeyError(
      `TOKEN_ENCRYPTION_KEY must be a 32-byte key encoded as 64 hex characters or base64 ` +
        `(generate one with \`openssl rand -base64 32\`); the given value (${k.length} characters) is not.`,
    );
  }
  return bytes;
}

export class TokenCipher {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** Accepts a 32-byte key as 64 hex characters or base64 (standard or URL-safe). */
  static fromKey(key: string): TokenCipher {
    return new TokenCipher(parseKey(key));
  }

  /** A fresh random key, base64-encoded (suitable for TOKEN_ENCRYPTION_KEY). */
  static generateKey(): string {
    return randomBytes(KEY_BYTES).toString('base64');
  }

  encrypt(plaintext: string, context?: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key, iv, { authTagLength: TAG_BYTES });
    if (context !== undefined) cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString('base64'), tag.toString('base64'), ct.toString('base64')].join(':');
  }

  /** Throws TokenDecryptionError on a malformed value, a wrong key, tampering or a wrong context. */
  decrypt(payload: string, context?: string): string {
    const parts = payload.split(':');
    if (parts.length !== 4 || parts[0] !== VERSION) {
      // Do not echo any part of the payload: it might be a plaintext token stored by mistake.
      throw new TokenDecryptionError(`Encrypted token has an unknown format (expected "${VERSION}:<iv>:<tag>:<ciphertext>").`);
    }
    const [, ivB64, tagB64, ctB64] = parts as [string, string, string, string];
    if (![ivB64, tagB64, ctB64].every((p) => BASE64_PART.test(p))) {
      throw new TokenDecryptionError('Encrypted token is malformed (invalid base64).');
    }
    const iv = Buffer.from(ivB64, 'base64');
    const tag = Buffer.from(tagB64, 'base64');
    const ct = Buffer.from(ctB64, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new TokenDecryptionError('Encrypted token is malformed (bad IV or auth tag length).');
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, this.#key, iv, { authTagLength: TAG_BYTES });
      if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new TokenDecryptionError('Cannot decrypt token: authentication failed. TOKEN_ENCRYPTION_KEY is not the key it was ' + 'encrypted with, or the stored value was altered.', {
        cause: err,
      });
    }
  }

  /** Keeps the key out of console.log / util.inspect output. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'TokenCipher { key: [redacted] }';
  }

  toJSON(): string {
    return '[TokenCipher]';
  }
}

/**
 * Development helper: reads the key from `<dataDir>/token-encryption.key`, generating it (mode 0600)
 * on first use. Always warns through `log` that production must set TOKEN_ENCRYPTION_KEY, since a
 * key stored next to the database it protects gives little protection.
 *
 * Returns the key string, for `TokenCipher.fromKey`.
 */
export function loadOrCreateKey(dataDir: string, log: (message: string) => void): string {
  const file = join(dataDir, KEY_FILE_NAME);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = TokenCipher.generateKey();
  try {
    // 'wx': fail if it exists, so two processes starting at once cannot both create a key.
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600); // independent of umask
    log(
      `Generated a token encryption key at ${file}. This is for development only: ` +
        `production must set TOKEN_ENCRYPTION_KEY (and keep it; tokens encrypted with it cannot be read without it).`,
    );
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const stored = readFileSync(file, 'utf8').trim();
  try {
    parseKey(stored);
  } catch {
    throw new TokenKeyError(
      `The key file ${file} does not hold a valid key (32 bytes as 64 hex characters or base64). ` +
        `Fix or set TOKEN_ENCRYPTION_KEY; deleting the file makes existing stored tokens unreadable.`,
    );
  }
  const mode = statSync(file).mode & 0o777;
  const loose = mode & 0o077 ? ` The file is accessible to other users (mode ${mode.toString(8)}); chmod 600 it.` : '';
  log(`Using the development token encryption key from ${file}. ` + `Production must set TOKEN_ENCRYPTION_KEY.${loose}`);
  return stored;
}
