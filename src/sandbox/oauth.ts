/**
 * OAuth 2.0 on the sandbox host, as the "Obtain Authorization" page describes
 * it: `/oauth/authorize.php` (consent page, 10-minute single-use codes) and
 * `/oauth/token.php` (authorization_code, client_credentials, refresh_token).
 * Tokens are opaque random strings held in memory, keyed by their SHA-256
 * digest, and optionally kept in a file (`token-file.ts`) across restarts.
 *
 * Inferred (not documented): the token answer carries token_type "Bearer" and
 * a refresh_token for every grant; refresh tokens rotate; a client_credentials
 * token acts as the user the App is registered to (user 12 here).
 */
import { createHash, randomBytes } from 'node:crypto';
import { OAuthError, PageError, type Reply } from './errors.js';
import { escapeHtml, htmlPage } from './html.js';
import type { RequestContext } from './route-matcher.js';
import type { TokenPersistence } from './token-file.js';
import type { World } from './world.js';

export interface OAuthClient {
  id: string;
  secret: string;
  name: string /** user a client_credentials token acts as */;
  ownerUserId: string;
}

export interface IssuedToken {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

const CODE_TTL_MS = 10 * 60 * 1000;

function opaque(): string {
  return randomBytes(24).toString('base64url');
}

/** Tokens are looked up by digest, so a kept token file holds nothing usable. */
function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class TokenStore {
  private readonly access = new Map<string, { userId: string; expiresAt: number }>();
  private readonly refresh = new Map<string, { userId: string; clientId: string }>();
  private readonly codes = new Map<string, { userId: string; clientId: string; redirectUri: string; expiresAt: number }>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly persistence?: TokenPersistence,
  ) {
    const kept = persistence?.load();
    for (const [k, v] of kept?.access ?? []) if (v.expiresAt > Date.now()) this.access.set(k, v);
    for (const [k, v] of kept?.refresh ?? []) this.refresh.set(k, v);
  }

  issue(userId: string, clientId: string, ttlSeconds = this.ttlSeconds): IssuedToken {
    const accessToken = opaque();
    const refreshToken = opaque();
    this.access.set(digest(accessToken), { userId, expiresAt: Date.now() + ttlSeconds * 1000 });
    this.refresh.set(digest(refreshToken), { userId, clientId });
    this.save();
    return { accessToken, refreshToken, expiresIn: ttlSeconds };
  }

  /** The user an unexpired access token acts as, or null. */
  userOf(accessToken: string): string | null {
    const key = digest(accessToken);
    const t = this.access.get(key);
    if (!t) return null;
    if (t.expiresAt <= Date.now()) {
      this.access.delete(key);
      return null;
    }
    return t.userId;
  }

  /** Exchanges a refresh token for a new pair; the old refresh token stops working. */
  rotate(refreshToken: string, clientId: string): IssuedToken | null {
    const key = digest(refreshToken);
    const r = this.refresh.get(key);
    if (!r || r.clientId !== clientId) return null;
    this.refresh.delete(key);
    return this.issue(r.userId, clientId);
  }

  private save(): void {
    if (!this.persistence) return;
    const now = Date.now();
    this.persistence.save({ access: [...this.access].filter(([, v]) => v.expiresAt > now), refresh: [...this.refresh] });
  }

  issueCode(userId: string, clientId: string, redirectUri: string): string {
    const code = opaque();
    this.codes.set(code, { userId, clientId, redirectUri, expiresAt: Date.now() + CODE_TTL_MS });
    return code;
  }

  /** Single use: a code is gone once presented, valid or not. */
  redeemCode(code: string, clientId: string, redirectUri: string | undefined): string | null {
    const c = this.codes.get(code);
    this.codes.delete(code);
    if (!c || c.expiresAt <= Date.now() || c.clientId !== clientId || c.redirectUri !== redirectUri) return null;
    return c.userId;
  }
}

function basicCredentials(header: string | undefined): { id?: string; secret?: string } {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m?.[1]) return {};
  const [id, ...rest] = Buffer.from(m[1], 'base64').toString('utf8').split(':');
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(rest.join(':')) };
  } catch {
    return {};
  }
}

function fieldsOf(ctx: RequestContext): Record<string, string> {
  const body = (ctx.body ?? {}) as Record<string, string>;
  return { ...ctx.query, ...body };
}

function isHttpUrl(s: string | undefined): s is string {
  if (!s) return false;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function redirectTo(uri: string, params: Record<string, string>): Reply {
  const u = new URL(uri);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return { status: 302, headers: { Location: u.toString() }, text: 'Redirecting' };
}

export function oauthHandlers(world: World, tokens: TokenStore, client: OAuthClient) {
  /** POST /oauth/token.php */
  function token(ctx: RequestContext): Reply {
    const f = (ctx.body ?? {}) as Record<string, string>;
    const basic = basicCredentials(ctx.headers.authorization);
    const grant = f.grant_type;
    if (!grant) throw new OAuthError('invalid_request', 'grant_type is required.');
    if (!['client_credentials', 'authorization_code', 'refresh_token'].includes(grant)) {
      throw new OAuthError('unsupported_grant_type', `grant_type ${grant} is not supported.`);
    }
    const clientId = f.client_id ?? basic.id;
    const secret = f.client_secret ?? basic.secret;
    if (clientId !== client.id || secret !== client.secret) {
      throw new OAuthError('invalid_client', 'Unknown client or wrong client secret.');
    }
    let issued: IssuedToken | null;
    if (grant === 'client_credentials') {
      issued = tokens.issue(client.ownerUserId, client.id);
    } else if (grant === 'authorization_code') {
      if (!f.code) throw new OAuthError('invalid_request', 'code is required.');
      const userId = tokens.redeemCode(f.code, client.id, f.redirect_uri);
      if (!userId) throw new OAuthError('invalid_grant', 'The authorization code is invalid, expired, used, or was issued for another redirect_uri.');
      issued = tokens.issue(userId, client.id);
    } else {
      if (!f.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required.');
      issued = tokens.rotate(f.refresh_token, client.id);
      if (!issued) throw new OAuthError('invalid_grant', 'The refresh token is invalid.');
    }
    return {
      status: 200,
      headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
      body: { access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn, refresh_token: issued.refreshToken },
    };
  }

  /**
   * GET /oauth/authorize.php shows the consent page; POST without `decision`
   * does the same (the page allows GET or POST), POST with `decision`
   * (permit / forbid) redirects to redirect_uri with `code` or `error`.
   */
  function authorize(ctx: RequestContext): Reply {
    const f = fieldsOf(ctx);
    if (f.client_id !== client.id) throw new PageError(400, 'Unknown application', 'The client_id does not belong to a registered App.');
    if (!isHttpUrl(f.redirect_uri)) throw new PageError(400, 'Invalid redirect_uri', 'redirect_uri must be an absolute http(s) URL.');
    const state = f.state ?? '';
    if (f.response_type !== 'code') return redirectTo(f.redirect_uri, { error: 'unsupported_response_type', state });
    if (ctx.method === 'POST' && f.decision !== undefined) {
      if (f.decision !== 'permit') return redirectTo(f.redirect_uri, { error: 'access_denied', state });
      const user = f.user_id === undefined ? undefined : world.users.get(f.user_id);
      if (!user) throw new PageError(400, 'Unknown user', 'Pick one of the sandbox users.');
      return redirectTo(f.redirect_uri, { code: tokens.issueCode(user.id, client.id, f.redirect_uri), state });
    }
    return { status: 200, html: consentPage(f.redirect_uri, state) };
  }

  function consentPage(redirectUri: string, state: string): string {
    const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
    const options = [...world.users.values()]
      .map(
        (u) =>
          `<option value="${escapeHtml(u.id)}"${u.id === client.ownerUserId ? ' selected' : ''}>` +
          `${escapeHtml(u.name)} (user ${escapeHtml(u.id)}, ${escapeHtml(world.org(u.orgId)?.name ?? '')})</option>`,
      )
      .join('');
    return htmlPage(
      'Authorize App',
      `<h1>Authorize ${escapeHtml(client.name)}</h1>` +
        `<p>The App <b>${escapeHtml(client.name)}</b> wants to use the Unified API on your behalf.</p>` +
        '<form method="post" action="/oauth/authorize.php">' +
        hidden('response_type', 'code') +
        hidden('client_id', client.id) +
        hidden('redirect_uri', redirectUri) +
        hidden('state', state) +
        `<p><label>Sign in as <select name="user_id">${options}</select></label></p>` +
        '<p><button type="submit" name="decision" value="permit">Permit</button>' +
        '<button type="submit" name="decision" value="forbid">Forbid</button></p>' +
        '</form>',
    );
  }

  return { token, authorize };
}
