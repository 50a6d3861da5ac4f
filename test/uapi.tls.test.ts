/**
 * VoipNow servers often run self-signed certificates: the adapter refuses them
 * with a sentence that says what to set, trusts them with VOIPNOW_CA_FILE, and
 * accepts anything only when explicitly told to.
 */
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UapiHttp } from '../src/uapi/http.js';
import { UapiClient, staticToken } from '../src/uapi/client.js';
import { UapiError } from '../src/uapi/errors.js';

let openssl = true;
try {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
} catch {
  openssl = false;
  console.warn('uapi.tls.test: openssl is not installed; the TLS tests are skipped.');
}

describe.skipIf(!openssl)('TLS to VoipNow', () => {
  let server: https.Server;
  let base: string;
  let caFile: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'callops-tls-'));
    caFile = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', caFile],
      { stdio: 'ignore' },
    );
    server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(caFile) }, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"entry":[]}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const list = (opts: { caFile?: string; insecureTls?: boolean }) => new UapiClient(new UapiHttp({ baseUrl: base, ...opts }), staticToken('t')).listPhoneCalls({ extension: '0003*210' });

  it('refuses a self-signed certificate by default, saying what to set', async () => {
    const err = await list({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UapiError);
    expect((err as UapiError).kind).toBe('network');
    expect((err as UapiError).sentence).toMatch(/not trusted .*VOIPNOW_CA_FILE/);
  });

  it('trusts it with the CA file', async () => {
    expect(await list({ caFile })).toEqual([]);
  });

  it('accepts it when TLS verification is explicitly off', async () => {
    expect(await list({ insecureTls: true })).toEqual([]);
  });
});
