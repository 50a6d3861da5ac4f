/**
 * Slack users' linked VoipNow accounts: a UapiClient bound to the acting user's
 * own token, refreshed transparently and saved back, never anyone else's.
 */
import { CallopsError } from '../errors.js';
import { UapiClient } from '../uapi/client.js';
import { UapiError } from '../uapi/errors.js';
import type { UapiHttp } from '../uapi/http.js';
import { refreshingCredentials, type TokenSet, type VoipnowOAuth } from '../uapi/oauth.js';
import type { LinkedAccount, Store } from '../store/types.js';
import type { Logger } from '../log.js';

/** The acting user has no usable VoipNow link: nothing may be sent to VoipNow for them. */
export class LinkRequired extends CallopsError {
  readonly code: string;
  readonly sentence: string;
  constructor(readonly reason: 'unlinked' | 'expired') {
    super(reason === 'unlinked' ? 'Slack user has not linked a VoipNow account' : 'VoipNow link expired');
    this.name = 'LinkRequired';
    this.code = reason === 'unlinked' ? 'link_required' : 'link_expired';
    this.sentence =
      reason === 'unlinked'
        ? 'First link your VoipNow account. Nothing was sent to VoipNow.'
        : 'Your VoipNow sign-in has expired and could not be renewed. Link your account again; nothing was done.';
  }
}

export interface SlackUser {
  teamId: string;
  userId: string;
}

export class Accounts {
  constructor(
    private readonly store: Store,
    private readonly http: UapiHttp,
    private readonly oauth: VoipnowOAuth,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  get(user: SlackUser): Promise<LinkedAccount | undefined> {
    return this.store.getLinkedAccount(user.teamId, user.userId);
  }

  /** Save the tokens of a completed consent. */
  async link(user: SlackUser, tokens: TokenSet, extra: { extension?: string } = {}): Promise<LinkedAccount> {
    const previous = await this.get(user);
    const now = new Date(this.now());
    const account: LinkedAccount = {
      teamId: user.teamId,
      slackUserId: user.userId,
      // The token acts as the user who consented; the UAPI addresses them as @me.
      voipnowUserId: previous?.voipnowUserId ?? '@me',
      extension: extra.extension ?? previous?.extension,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: tokens.expiresAt,
      linkedAt: now,
      updatedAt: now,
    };
    await this.store.saveLinkedAccount(account);
    return account;
  }

  async setExtension(user: SlackUser, extension: string): Promise<boolean> {
    const account = await this.get(user);
    if (!account) return false;
    await this.store.saveLinkedAccount({ ...account, extension, updatedAt: new Date(this.now()) });
    return true;
  }

  unlink(user: SlackUser): Promise<boolean> {
    return this.store.deleteLinkedAccount(user.teamId, user.userId);
  }

  /**
   * A client acting as this Slack user. Throws LinkRequired when the user never
   * linked, or when their token can no longer be refreshed.
   */
  async clientFor(user: SlackUser): Promise<{ client: UapiClient; account: LinkedAccount }> {
    const account = await this.get(user);
    if (!account) throw new LinkRequired('unlinked');
    let current = account;
    const creds = refreshingCredentials(
      this.oauth,
      { accessToken: account.accessToken, refreshToken: account.refreshToken, expiresAt: account.expiresAt },
      {
        now: this.now,
        onChange: async (t) => {
          current = { ...current, accessToken: t.accessToken, refreshToken: t.refreshToken ?? current.refreshToken, expiresAt: t.expiresAt, updatedAt: new Date(this.now()) };
          await this.store.saveLinkedAccount(current);
          this.logger.info('refreshed VoipNow token', { team: user.teamId, user: user.userId });
        },
      },
    );
    const guarded = {
      token: () => creds.token().catch((e: unknown) => this.expired(e)),
      refresh: () => creds.refresh().catch((e: unknown) => this.expired(e)),
    };
    return { client: new UapiClient(this.http, guarded), account };
  }

  /** A refresh that VoipNow refuses means the user must link again. */
  private expired(err: unknown): never {
    if (err instanceof UapiError && (err.kind === 'rejected' || err.kind === 'invalid_input')) throw new LinkRequired('expired');
    throw err;
  }
}
