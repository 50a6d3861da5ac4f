/**
 * Slack users' linked VoipNow accounts: a UapiClient bound to the acting user's
 * own token, refreshed transparently and saved back, never anyone else's.
 */
import { CallopsError } from '../errors.js';
import { UapiClient } from '../uapi/client.js';
import { UapiError } from '../uapi/errors.js';
import type { UapiHttp } from '../uapi/http.js';
import type { TokenSet, VoipnowOAuth } from '../uapi/oauth.js';
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

/** Tokens this close to expiry are refreshed before use. */
const REFRESH_MARGIN_MS = 30_000;
/** How long a user found linked counts as linked for help's wording (another replica may unlink meanwhile). */
const LINKED_MEMO_MS = 60_000;
const LINKED_MEMO_SIZE = 10_000;

export interface SlackUser {
  teamId: string;
  userId: string;
}

export class Accounts {
  /** Told after each successful link (e.g. the board resumes the user's paused watches); its failure does not fail the link. */
  onLinked: ((user: SlackUser) => Promise<void>) | undefined;

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

  /** Users found linked lately (key → when), so a help need not read and decrypt their tokens each time. */
  private readonly seenLinked = new Map<string, number>();

  /**
   * Whether the user has linked an account, for wording only (help's link
   * prompt): a user found linked in this process within LINKED_MEMO_MS counts
   * as linked without a store read. Anything that acts reads the store.
   */
  async isLinked(user: SlackUser): Promise<boolean> {
    const key = `${user.teamId}\u0000${user.userId}`;
    const seen = this.seenLinked.get(key);
    if (seen !== undefined && this.now() - seen < LINKED_MEMO_MS) return true;
    const linked = Boolean(await this.get(user));
    if (linked) {
      if (this.seenLinked.size >= LINKED_MEMO_SIZE) this.seenLinked.clear();
      this.seenLinked.set(key, this.now());
    } else this.seenLinked.delete(key);
    return linked;
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
    await this.onLinked?.(user).catch((err: unknown) => this.logger.warn('after linking', { error: err instanceof Error ? err.message : String(err) }));
    return account;
  }

  /** Changes only the extension column: a concurrent token refresh is never overwritten (nor overwrites it). */
  setExtension(user: SlackUser, extension: string): Promise<boolean> {
    return this.store.setLinkedAccountExtension(user.teamId, user.userId, extension, new Date(this.now()));
  }

  unlink(user: SlackUser): Promise<boolean> {
    this.seenLinked.delete(`${user.teamId}\u0000${user.userId}`);
    return this.store.deleteLinkedAccount(user.teamId, user.userId);
  }

  /**
   * A client acting as this Slack user. Throws LinkRequired when the user never
   * linked, or when their token can no longer be refreshed.
   */
  async clientFor(user: SlackUser): Promise<{ client: UapiClient; account: LinkedAccount }> {
    const account = await this.get(user);
    if (!account) throw new LinkRequired('unlinked');
    let held: TokenSet = { accessToken: account.accessToken, refreshToken: account.refreshToken, expiresAt: account.expiresAt };
    const renew = async () => {
      held = await this.renew(user, held).catch((e: unknown) => this.expired(e));
      return held.accessToken;
    };
    const creds = {
      token: () => (held.expiresAt.getTime() - this.now() < REFRESH_MARGIN_MS ? renew() : Promise.resolve(held.accessToken)),
      refresh: renew,
    };
    return { client: new UapiClient(this.http, creds), account };
  }

  /** Refreshes in flight in this process, one per user. */
  private readonly renewing = new Map<string, Promise<TokenSet>>();

  /**
   * New tokens for a user whose token `used` is expiring or was refused. One
   * refresh per user at a time: concurrent requests in this process share it,
   * and the store's lock makes other processes wait for it; whoever waited then
   * finds the tokens the winner stored and uses them, instead of spending the
   * rotated-away refresh token (which VoipNow refuses: a false "link again").
   */
  private renew(user: SlackUser, used: TokenSet): Promise<TokenSet> {
    const key = JSON.stringify([user.teamId, user.userId]);
    const running = this.renewing.get(key);
    if (running) return running;
    const flight = this.store
      .withTokenRefreshLock(user.teamId, user.userId, async () => {
        const stored = await this.get(user);
        if (!stored) throw new LinkRequired('unlinked');
        const fresh: TokenSet = { accessToken: stored.accessToken, refreshToken: stored.refreshToken, expiresAt: stored.expiresAt };
        // Someone refreshed since this request read its tokens: use theirs.
        if (stored.accessToken !== used.accessToken && stored.expiresAt.getTime() - this.now() >= REFRESH_MARGIN_MS) return fresh;
        if (!stored.refreshToken) throw new UapiError({ kind: 'rejected', code: 'access_denied', status: 401, sentence: 'Your VoipNow sign-in expired. Link your account again.' });
        const next = await this.oauth.refresh(stored.refreshToken);
        const saved = await this.store.replaceLinkedAccountTokens(user.teamId, user.userId, stored.refreshToken, next, new Date(this.now()));
        if (!saved) this.logger.warn('VoipNow token refreshed, but the link changed meanwhile; the new token was not stored', { team: user.teamId, user: user.userId });
        else this.logger.info('refreshed VoipNow token', { team: user.teamId, user: user.userId });
        return { ...next, refreshToken: next.refreshToken ?? stored.refreshToken };
      })
      .finally(() => this.renewing.delete(key));
    this.renewing.set(key, flight);
    return flight;
  }

  /** A refresh that VoipNow refuses means the user must link again. */
  private expired(err: unknown): never {
    if (err instanceof UapiError && (err.kind === 'rejected' || err.kind === 'invalid_input')) throw new LinkRequired('expired');
    throw err;
  }
}
