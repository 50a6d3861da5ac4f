import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY_FILE_NAME, TokenCipher, TokenDecryptionError, TokenKeyError, loadOrCreateKey, parseKeyRing } from '../src/store/crypto.js';

const HEX_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const B64_KEY = Buffer.from(HEX_KEY, 'hex').toString('base64');
const SECRET = 'vn-access-token-ÄÖ-0123456789';

describe('TokenCipher', () => {
  it('round-trips and produces the v2 format with the key id, a 12-byte IV and 16-byte tag', () => {
    const c = TokenCipher.fromKey(HEX_KEY);
    const enc = c.encrypt(SECRET);
    expect(enc).not.toContain(SECRET);
    const parts = enc.split(':');
    expect(parts).toHaveLength(5);
    expect(parts.slice(0, 2)).toEqual(['v2', 'default']);
    expect(Buffer.from(parts[2]!, 'base64')).toHaveLength(12);
    expect(Buffer.from(parts[3]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(Buffer.byteLength(SECRET));
    expect(c.decrypt(enc)).toBe(SECRET);
    expect(c.decrypt(c.encrypt(''))).toBe('');
  });

  it('uses a fresh IV per value', () => {
    const c = TokenCipher.fromKey(HEX_KEY);
    const a = c.encrypt(SECRET);
    const b = c.encrypt(SECRET);
    expect(a).not.toBe(b);
    expect(a.split(':')[2]).not.toBe(b.split(':')[2]);
  });

  it('accepts the same key as hex, base64 and base64url (with surrounding whitespace)', () => {
    const enc = TokenCipher.fromKey(HEX_KEY).encrypt(SECRET);
    expect(TokenCipher.fromKey(B64_KEY).decrypt(enc)).toBe(SECRET);
    expect(TokenCipher.fromKey(HEX_KEY.toUpperCase()).decrypt(enc)).toBe(SECRET);
    expect(TokenCipher.fromKey(` ${B64_KEY}\n`).decrypt(enc)).toBe(SECRET);
    const b64url = Buffer.from(HEX_KEY, 'hex').toString('base64url');
    expect(TokenCipher.fromKey(b64url).decrypt(enc)).toBe(SECRET);
    const generated = TokenCipher.generateKey();
    expect(Buffer.from(generated, 'base64')).toHaveLength(32);
    expect(TokenCipher.fromKey(generated).decrypt(TokenCipher.fromKey(generated).encrypt('x'))).toBe('x');
  });

  it.each([
    ['empty', ''],
    ['too short hex', HEX_KEY.slice(2)],
    ['too long hex', `${HEX_KEY}aa`],
    ['non-hex 64 chars', `zz${HEX_KEY.slice(2)}`],
    ['16-byte base64', Buffer.alloc(16, 7).toString('base64')],
    ['48-byte base64', Buffer.alloc(48, 7).toString('base64')],
    ['passphrase', 'correct horse battery staple'],
  ])('rejects a bad key (%s) with an error naming TOKEN_ENCRYPTION_KEY and not echoing it', (_name, key) => {
    let error: unknown;
    try {
      TokenCipher.fromKey(key);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TokenKeyError);
    const msg = (error as Error).message;
    expect(msg).toContain('TOKEN_ENCRYPTION_KEY');
    if (key.length > 3) expect(msg).not.toContain(key);
  });

  it('detects tampering with the ciphertext, tag or IV', () => {
    const c = TokenCipher.fromKey(HEX_KEY);
    const [version, id, iv, tag, ct] = c.encrypt(SECRET).split(':') as [string, string, string, string, string];
    const v = `${version}:${id}`;
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, 'base64');
      buf[0] = buf[0]! ^ 0x01;
      return buf.toString('base64');
    };
    for (const bad of [
      [v, iv, tag, flip(ct)],
      [v, iv, flip(tag), ct],
      [v, flip(iv), tag, ct],
    ]) {
      expect(() => c.decrypt(bad.join(':'))).toThrow(TokenDecryptionError);
    }
    // Truncated ciphertext.
    const shortCt = Buffer.from(ct, 'base64').subarray(1).toString('base64');
    expect(() => c.decrypt([v, iv, tag, shortCt].join(':'))).toThrow(TokenDecryptionError);
  });

  it('fails clearly with a wrong key, without leaking plaintext or key', () => {
    const enc = TokenCipher.fromKey(HEX_KEY).encrypt(SECRET);
    const other = TokenCipher.fromKey(TokenCipher.generateKey());
    let error: unknown;
    try {
      other.decrypt(enc);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TokenDecryptionError);
    const msg = (error as Error).message;
    expect(msg).toMatch(/TOKEN_ENCRYPTION_KEY/);
    expect(msg).not.toContain(SECRET);
    expect(msg).not.toContain(HEX_KEY);
    expect(msg).not.toContain(B64_KEY);
  });

  it('binds the optional context (associated data)', () => {
    const c = TokenCipher.fromKey(HEX_KEY);
    const enc = c.encrypt(SECRET, 'row-A');
    expect(c.decrypt(enc, 'row-A')).toBe(SECRET);
    expect(() => c.decrypt(enc, 'row-B')).toThrow(TokenDecryptionError);
    expect(() => c.decrypt(enc)).toThrow(TokenDecryptionError);
  });

  it('rejects malformed values without echoing them', () => {
    const c = TokenCipher.fromKey(HEX_KEY);
    for (const bad of [SECRET, 'v2:a:b:c', 'v1:only:three', 'v1:!!:??:**', `v1:${Buffer.alloc(8).toString('base64')}:x:y`]) {
      let error: unknown;
      try {
        c.decrypt(bad);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TokenDecryptionError);
      expect((error as Error).message).not.toContain(bad);
    }
  });

  it('does not reveal the key through inspect or JSON', () => {
    const c = TokenCipher.fromKey(HEX_KEY);
    const shown = inspect(c, { showHidden: true, depth: 5 }) + JSON.stringify({ c });
    expect(shown).not.toContain(HEX_KEY);
    expect(shown).not.toContain(B64_KEY);
    expect(shown).not.toContain('00112233');
  });
});

describe('key ring (TOKEN_ENCRYPTION_KEYS)', () => {
  const OLD = TokenCipher.generateKey();
  const NEW = TokenCipher.generateKey();

  it('encrypts under the first key, names it in the ciphertext, and reads values of every key of the ring', () => {
    const before = TokenCipher.fromKeys([{ id: 'old', key: OLD }]);
    const ring = TokenCipher.fromKeys(parseKeyRing(`new:${NEW}, old:${OLD}`));
    expect(ring.currentKeyId).toBe('new');
    expect(ring.keyIds).toEqual(['new', 'old']);
    const oldValue = before.encrypt(SECRET, 'ctx');
    expect(ring.decrypt(oldValue, 'ctx')).toBe(SECRET);
    const newValue = ring.encrypt(SECRET, 'ctx');
    expect(newValue).toMatch(/^v2:new:/);
    expect(ring.isCurrent(newValue)).toBe(true);
    expect(ring.isCurrent(oldValue)).toBe(false);
    expect(() => before.decrypt(newValue, 'ctx')).toThrow(TokenDecryptionError);
    // TOKEN_ENCRYPTION_KEY alone is the key "default": renamed in the ring, its values still open.
    expect(TokenCipher.fromKeys([{ id: 'renamed', key: HEX_KEY }]).decrypt(TokenCipher.fromKey(HEX_KEY).encrypt(SECRET))).toBe(SECRET);
  });

  it('says which key id a value needs when no key of the ring opens it, without echoing keys', () => {
    const value = TokenCipher.fromKeys([{ id: 'gone', key: OLD }]).encrypt(SECRET);
    let error: unknown;
    try {
      TokenCipher.fromKeys([{ id: 'new', key: NEW }]).decrypt(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TokenDecryptionError);
    expect((error as Error).message).toContain('encrypted with the key "gone", which is not among the keys given (new)');
    expect((error as Error).message).not.toContain(OLD);
  });

  it('rejects a malformed ring naming the entry, never its key', () => {
    const bad = (text: string) => {
      try {
        parseKeyRing(text);
      } catch (e) {
        expect(e).toBeInstanceOf(TokenKeyError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad('')).toMatch(/holds no key/);
    expect(bad(NEW)).toMatch(/entry 1 of TOKEN_ENCRYPTION_KEYS is not <id>:<key>/);
    expect(bad(`a:${NEW},b:short-secret`)).toBe(
      'the key "b" (entry 2 of TOKEN_ENCRYPTION_KEYS) is not a 32-byte key as 64 hex characters or base64 (generate one with openssl rand -hex 32).',
    );
    expect(bad(`a:${NEW},b:short-secret`)).not.toContain('short-secret');
    expect(bad(`a:${NEW},a:${OLD}`)).toMatch(/"a" appears twice/);
  });
});

describe('loadOrCreateKey', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'callops-key-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('creates a 0600 key file once, then reuses it, warning about TOKEN_ENCRYPTION_KEY each time', () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const logs: string[] = [];
    const key1 = loadOrCreateKey(dataDir, (m) => logs.push(m));
    const file = join(dataDir, KEY_FILE_NAME);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(key1);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/TOKEN_ENCRYPTION_KEY/);
    expect(logs[0]).not.toContain(key1);

    const key2 = loadOrCreateKey(dataDir, (m) => logs.push(m));
    expect(key2).toBe(key1);
    expect(logs).toHaveLength(2);
    expect(logs[1]).toMatch(/TOKEN_ENCRYPTION_KEY/);
    expect(logs[1]).not.toContain(key1);

    // The persisted key decrypts what the first one encrypted.
    const enc = TokenCipher.fromKey(key1).encrypt(SECRET);
    expect(TokenCipher.fromKey(key2).decrypt(enc)).toBe(SECRET);
  });

  it('warns when an existing key file is readable by others', () => {
    const dataDir = tempDir();
    loadOrCreateKey(dataDir, () => undefined);
    chmodSync(join(dataDir, KEY_FILE_NAME), 0o644);
    const logs: string[] = [];
    loadOrCreateKey(dataDir, (m) => logs.push(m));
    expect(logs.join('\n')).toMatch(/chmod 600/);
  });

  it('accepts a hand-written hex key file and rejects a corrupt one', () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, KEY_FILE_NAME), `${HEX_KEY}\n`, { mode: 0o600 });
    expect(loadOrCreateKey(dataDir, () => undefined)).toBe(HEX_KEY);

    writeFileSync(join(dataDir, KEY_FILE_NAME), 'not a key');
    expect(() => loadOrCreateKey(dataDir, () => undefined)).toThrow(/does not hold a valid key/);
  });
});
