/**
 * Token encryption at rest: AES-256-GCM with a random 12-byte IV per value, under a key ring.
 *
 * Output format (version 2): `v2:<key id>:<iv base64>:<auth tag base64>:<ciphertext base64>`,
 * always under the ring's newest key. Version 1 values (`v1:<iv>:<tag>:<ciphertext>`, written
 * before key ids existed) and values naming a key id the ring does not have are tried against
 * every key of the ring: GCM's tag says which one, if any, fits.
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

const VERSION = 'v2';
/** Before key ids: `v1:<iv>:<tag>:<ciphertext>`, still read. */
const LEGACY_VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const KEY_FILE_NAME = 'token-encryption.key';

/** Thrown when a stored value cannot be decrypted (wrong key, tampering, wrong context, garbage). */
export class TokenDecryptionError extends Error {
  /** The key id the value names when the ring has no key of that id (rotation: the old key was dropped too early). */
  readonly missingKeyId: string | undefined;

  constructor(message: string, options?: { cause?: unknown; missingKeyId?: string | undefined }) {
    super(message, options);
    this.name = 'TokenDecryptionError';
    this.missingKeyId = options?.missingKeyId;
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

/** One key of the ring: its id (carried by every ciphertext made with it) and its 32 bytes. */
export interface RingKey {
  id: string;
  key: string;
}

/** The key id of TOKEN_ENCRYPTION_KEY alone and of the development key file. */
export const DEFAULT_KEY_ID = 'default';
/** What a key id may be: it is stored in every ciphertext, between colons. */
export const KEY_ID = /^[A-Za-z0-9_.-]{1,40}$/;

/**
 * TOKEN_ENCRYPTION_KEYS: `<id>:<key>` pairs separated by commas (or spaces), newest first,
 * e.g. `2026-12:<new key>,default:<old key>`. Throws TokenKeyError naming the faulty entry by
 * its position and id, never its key.
 */
export function parseKeyRing(text: string): RingKey[] {
  const entries = text.split(/[\s,]+/).filter(Boolean);
  if (entries.length === 0) throw new TokenKeyError('TOKEN_ENCRYPTION_KEYS holds no key; give <id>:<key> pairs, newest first, e.g. 2026-12:<openssl rand -hex 32>,default:<old key>.');
  const ring = entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!KEY_ID.test(id)) {
      throw new TokenKeyError(`entry ${i + 1} of TOKEN_ENCRYPTION_KEYS is not <id>:<key> with an id of letters, digits, "_", "." or "-" (e.g. 2026-12:<64 hex characters>).`);
    }
    try {
      parseKey(entry.slice(colon + 1));
    } catch {
      throw new TokenKeyError(`the key "${id}" (entry ${i + 1} of TOKEN_ENCRYPTION_KEYS) is not a 32-byte key as 64 hex characters or base64 (generate one with openssl rand -hex 32).`);
    }
    return { id, key: entry.slice(colon + 1) };
  });
  const seen = new Set<string>();
  for (const { id } of ring) {
    if (seen.has(id)) throw new TokenKeyError(`the key id "${id}" appears twice in TOKEN_ENCRYPTION_KEYS; each key needs its own id.`);
    seen.add(id);
  }
  return ring;
}

export class TokenCipher {
  /** Newest first: the first one encrypts, all decrypt. */
  readonly #ring: ReadonlyArray<{ id: string; key: Buffer }>;

  private constructor(ring: ReadonlyArray<{ id: string; key: Buffer }>) {
    this.#ring = ring;
  }

  /** Accepts a 32-byte key as 64 hex characters or base64 (standard or URL-safe); its id is `default`. */
  static fromKey(key: string): TokenCipher {
    return new TokenCipher([{ id: DEFAULT_KEY_ID, key: parseKey(key) }]);
  }

  /** A key ring, newest first: the newest encrypts, every one decrypts (rotation). */
  static fromKeys(keys: readonly RingKey[]): TokenCipher {
    if (keys.length === 0) throw new TokenKeyError('A key ring needs at least one key.');
    const ids = new Set<string>();
    const ring = keys.map(({ id, key }) => {
      if (!KEY_ID.test(id)) throw new TokenKeyError(`A key id is 1 to 40 letters, digits, "_", "." or "-"; "${id.slice(0, 40)}" is not.`);
      if (ids.has(id)) throw new TokenKeyError(`The key id "${id}" is given twice.`);
      ids.add(id);
      return { id, key: parseKey(key) };
    });
    return new TokenCipher(ring);
  }

  /** A fresh random key, base64-encoded (suitable for TOKEN_ENCRYPTION_KEY). */
  static generateKey(): string {
    return randomBytes(KEY_BYTES).toString('base64');
  }

  /** The id of the key new values are encrypted with. */
  get currentKeyId(): string {
    return this.#ring[0]!.id;
  }

  /** Every key id of the ring, newest first. */
  get keyIds(): string[] {
    return this.#ring.map((k) => k.id);
  }

  /** True when `payload` is already in the current format under the newest key (nothing to re-encrypt). */
  isCurrent(payload: string): boolean {
    const parts = payload.split(':');
    return parts.length === 5 && parts[0] === VERSION && parts[1] === this.currentKeyId;
  }

  encrypt(plaintext: string, context?: string): string {
    const { id, key } = this.#ring[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    if (context !== undefined) cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, id, iv.toString('base64'), tag.toString('base64'), ct.toString('base64')].join(':');
  }

  /** Throws TokenDecryptionError on a malformed value, a key not in the ring, tampering or a wrong context. */
  decrypt(payload: string, context?: string): string {
    const parts = payload.split(':');
    let keyId: string | undefined;
    let fields: string[];
    if (parts.length === 5 && parts[0] === VERSION && KEY_ID.test(parts[1]!)) {
      keyId = parts[1];
      fields = parts.slice(2);
    } else if (parts.length === 4 && parts[0] === LEGACY_VERSION) {
      fields = parts.slice(1);
    } else {
      // Do not echo any part of the payload: it might be a plaintext token stored by mistake.
      throw new TokenDecryptionError(`Encrypted token has an unknown format (expected "${VERSION}:<key id>:<iv>:<tag>:<ciphertext>").`);
    }
    const [ivB64, tagB64, ctB64] = fields as [string, string, string];
    if (![ivB64, tagB64, ctB64].every((p) => BASE64_PART.test(p))) {
      throw new TokenDecryptionError('Encrypted token is malformed (invalid base64).');
    }
    const iv = Buffer.from(ivB64, 'base64');
    const tag = Buffer.from(tagB64, 'base64');
    const ct = Buffer.from(ctB64, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new TokenDecryptionError('Encrypted token is malformed (bad IV or auth tag length).');
    }
    // The named key first; a legacy value, or one whose key id is not in the ring (renamed), tries them all.
    const named = this.#ring.filter((k) => k.id === keyId);
    const candidates = named.length ? named : this.#ring;
    let cause: unknown;
    for (const { key } of candidates) {
      try {
        const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
        if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
      } catch (err) {
        cause = err;
      }
    }
    const missing = keyId !== undefined && named.length === 0 ? ` It was encrypted with the key "${keyId}", which is not among the keys given (${this.keyIds.join(', ')}).` : '';
    throw new TokenDecryptionError(
      `Cannot decrypt token: authentication failed. TOKEN_ENCRYPTION_KEY(S) does not hold the key it was encrypted with, or the stored value was altered.${missing}`,
      { cause, missingKeyId: keyId !== undefined && named.length === 0 ? keyId : undefined },
    );
  }

  /** Keeps the key out of console.log / util.inspect output. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `TokenCipher { keys: [${this.keyIds.join(', ')}], key material: [redacted] }`;
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
