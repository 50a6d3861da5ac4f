/**
 * Before a workspace's VoipNow server is saved: does the PBX answer, and does it accept the
 * VoipNow app's client id and secret? The check exchanges a code that cannot be valid: a
 * server that knows the app refuses the code (`invalid_grant`), one that does not know it
 * refuses the app (`invalid_client`). Nothing is created on the PBX. The answer is a
 * sentence for the admin, never the secret.
 */
import { UapiError } from './errors.js';
import { UapiHttp } from './http.js';
import { VoipnowOAuth } from './oauth.js';

export interface TenantSettings {
  /** https://voipnow.example.com */
  url: string;
  clientId: string;
  clientSecret: string;
  /** PEM file of a CA to trust (a self-signed PBX). */
  caFile?: string;
  /** Or the CA's PEM text itself. */
  ca?: string;
}

export type TenantCheck = { ok: true } | { ok: false; problem: string };

const PROBE_CODE = 'callops-settings-check';

export async function checkTenant(settings: TenantSettings, opts: { timeoutMs?: number; redirectUri?: string } = {}): Promise<TenantCheck> {
  let origin: string;
  try {
    const u = new URL(settings.url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('not http');
    origin = u.origin;
  } catch {
    return { ok: false, problem: `"${settings.url}" is not a web address; give the VoipNow server's address, e.g. https://voipnow.example.com` };
  }
  const http = new UapiHttp({
    baseUrl: origin,
    timeoutMs: opts.timeoutMs ?? 5000,
    keepAlive: false,
    ...(settings.caFile && { caFile: settings.caFile }),
    ...(settings.ca && { ca: settings.ca }),
  });
  try {
    await new VoipnowOAuth(http, { clientId: settings.clientId, clientSecret: settings.clientSecret }).exchangeCode(PROBE_CODE, opts.redirectUri ?? `${origin}/`);
    return { ok: false, problem: 'the VoipNow server accepted a code that cannot be valid; check that the address is a VoipNow server' };
  } catch (err) {
    if (!(err instanceof UapiError)) return { ok: false, problem: `the check failed: ${err instanceof Error ? err.message : String(err)}` };
    if (err.kind === 'network' && /certificate .*not trusted/.test(err.sentence))
      return {
        ok: false,
        problem: `${origin} answered, but its TLS certificate is not trusted; if your VoipNow uses a private CA, paste that CA's certificate (PEM) in the CA field`,
      };
    if (err.kind === 'network' || err.kind === 'timeout')
      return { ok: false, problem: `could not reach ${origin} (${err.kind === 'timeout' ? 'no answer in time' : 'no connection'}); check the address and that callops may reach it` };
    if (err.code === 'invalid_client')
      return { ok: false, problem: `${origin} does not accept this client id and secret; copy them from VoipNow > Unified Communications > Integrations > Apps` };
    if (err.code === 'invalid_grant') return { ok: true };
    return { ok: false, problem: `${origin} answered the check unexpectedly (${err.code}); check that the address is a VoipNow server` };
  } finally {
    http.close();
  }
}
