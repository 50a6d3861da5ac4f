/**
 * A self-signed certificate for `sandbox --tls`, made with the `openssl` command
 * (no extra package). The certificate is its own CA: give its file to callops as
 * VOIPNOW_CA_FILE.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SandboxCertificate {
  key: Buffer;
  cert: Buffer;
  /** PEM of the certificate: the file to pass as VOIPNOW_CA_FILE. */
  certFile: string;
  keyFile: string;
}

export class CertificateError extends Error {}

/**
 * Generates a key and a certificate valid for `names` (host names or IP addresses), plus
 * localhost, 127.0.0.1, ::1 and this machine's host name, into `dir` (default: a new temp dir).
 */
export function selfSignedCertificate(names: readonly string[] = [], dir?: string): SandboxCertificate {
  const out = dir ?? mkdtempSync(join(tmpdir(), 'callops-sandbox-tls-'));
  mkdirSync(out, { recursive: true });
  const all = [...new Set(['localhost', '127.0.0.1', '::1', hostname(), ...names].filter((n) => n && n !== '0.0.0.0' && n !== '::'))];
  const san = all.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  const keyFile = join(out, 'sandbox-key.pem');
  const certFile = join(out, 'sandbox-cert.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', '/CN=callops sandbox PBX', '-addext', `subjectAltName=${san}`, '-keyout', keyFile, '-out', certFile],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') {
      throw new CertificateError('--tls needs the openssl command to generate a self-signed certificate, and it is not installed (install openssl, or run without --tls)');
    }
    const detail = e.stderr?.toString().trim().split('\n').pop() ?? e.message;
    throw new CertificateError(`openssl could not generate the certificate: ${detail}`);
  }
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), certFile, keyFile };
}
