/**
 * OAuth 2.0 against the VoipNow host (Obtain Authorization page, reference §7):
 * `/oauth/authorize.php` for the user's consent, `/oauth/token.php` for tokens.
 * Requests go through the same `UapiHttp` path as the UAPI itself.
 */
import type { UapiHttp } from './http.js';
import { UapiError } from './errors.js';
import { tokenResponseSchema } from './schemas.js';

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
}

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  expiresAt: Date;
}

/** VoipNow documents 1 hour; used when the server does not say. */
const DEFAULT_LIFETIME_S = 3600;

export class VoipnowOAuth {
  constructor(
    private readonly http: UapiHttp,
    private readonly app: OAuthApp,
    private readonly now: () => number = Date.now,
  ) {}

  /** The consent page a user opens in a browser. */
  authorizeUrl(redirectUri: string, state: string): string {
    const url = new URL('/oauth/authorize.php', this.http.origin);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.app.clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('state', state);
    return url.href;
  }

  /** A token for the account that owns the App ("App is trusted" required). */
  clientCredentials(): Promise<TokenSet> {
    return this.token({ grant_type: 'client_credentials', type: 'unifiedapi' });
  }

  exchangeCode(code: string, redirectUri: string): Promise<TokenSet> {
    return this.token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
  }

  refresh(refreshToken: string): Promise<TokenSet> {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  private async token(fields: Record<string, string>): Promise<TokenSet> {
    const body = new URLSearchParams({ ...fields, client_id: this.app.clientId, client_secret: this.app.clientSecret });
    try {
      const res = await this.http.request({ method: 'POST', path: '/oauth/token.php', body, schema: tokenResponseSchema });
      if (!res.data) throw new UapiError({ kind: 'bad_response', code: 'bad_response', status: res.status, sentence: 'VoipNow gave no token.' });
      return {
        accessToken: res.data.access_token,
        refreshToken: res.data.refresh_token,
        expiresAt: new Date(this.now() + (res.data.expires_in ?? DEFAULT_LIFETIME_S) * 1000),
      };
    } catch (err) {
      if (err instanceof UapiError && err.kind === 'rejected') {
        throw new UapiError({
          kind: 'rejected',
          code: err.code,
          status: err.status,
          serverMessage: err.serverMessage,
          sentence: oauthSentence(err.code),
        });
      }
      throw err;
    }
  }
}

function oauthSentence(code: string): string {
  switch (code) {
    case 'invalid_client':
      return 'VoipNow did not accept the app credentials (VOIPNOW_CLIENT_ID / VOIPNOW_CLIENT_SECRET).';
    case 'invalid_grant':
      return 'The VoipNow sign-in is no longer valid (expired or already used). Link your account again.';
    case 'unauthorized_client':
      return 'This VoipNow app may not use that kind of sign-in; for client credentials it must be marked "App is trusted".';
    default:
      return `VoipNow refused the sign-in (${code}).`;
  }
}

/**
 * Credentials that hold a token set and refresh it when it is about to expire
 * or when VoipNow refuses it, calling `onChange` so a store can keep the new set.
 */
export function refreshingCredentials(
  oauth: VoipnowOAuth,
  initial: TokenSet,
  opts: { onChange?: (t: TokenSet) => Promise<void> | void; reauth?: () => Promise<TokenSet>; now?: () => number } = {},
) {
  let current = initial;
  let inflight: Promise<string> | undefined;
  const now = opts.now ?? Date.now;
  const renew = (): Promise<string> =>
    (inflight ??= (async () => {
      try {
        if (current.refreshToken) current = await oauth.refresh(current.refreshToken);
        else if (opts.reauth) current = await opts.reauth();
        else throw new UapiError({ kind: 'rejected', code: 'access_denied', status: 401, sentence: 'Your VoipNow sign-in expired. Link your account again.' });
        await opts.onChange?.(current);
        return current.accessToken;
      } finally {
        inflight = undefined;
      }
    })());
  return {
    token: async () => (current.expiresAt.getTime() - now() < 30_000 ? renew() : current.accessToken),
    refresh: renew,
  };
}
