/**
 * Slack users' linked VoipNow accounts: a UapiClient bound to the acting user's
 * own token, refreshed transparently and saved back, never anyone else's.
 */
import { CallopsError } from '../../errors.js';
import { UapiClient } from '../../uapi/client.js';
import { UapiError } from '../../uapi/errors.js';
import type { UapiHttp } from '../../uapi/http.js';
import type { TokenSet, VoipnowOAuth } from '../../uapi/oauth.js';
import { fixedTenant, type Tenant, type VoipnowTenants } from '../workspaces/voipnow-tenants.js';
import type { AccountStore, LinkedAccount } from '../../store/types.js';
import type { Logger } from '../../log.js';

/** What a user of a workspace whose admin has not connected a VoipNow server is told. */
export const NOT_CONNECTED_SENTENCE =
  'This Slack workspace is not connected to a VoipNow server yet, so callops cannot reach any calls. ' +
  'A workspace admin (or whoever installed callops) must connect it first: run `/call connect` and give the VoipNow server address ' +
  '(e.g. https://voipnow.example.com) with the client id and secret of the VoipNow app made for callops. Nothing was sent to VoipNow.';

/** The acting user has no usable VoipNow link: nothing may be sent to VoipNow for them. */
export class LinkRequired extends CallopsError {
  readonly code: string;
  readonly sentence: string;
  /** `not_connected`: the user's workspace has no VoipNow server (distribution mode) */
  constructor(readonly reason: 'unlinked' | 'expired' | 'not_connected') {
    super(reason === 'unlinked' ? 'Slack user has not linked a VoipNow account' : reason === 'expired' ? 'VoipNow link expired' : 'workspace has no VoipNow server');
    this.name = 'LinkRequired';
    this.code = reason === 'unlinked' ? 'link_required' : reason === 'expired' ? 'link_expired' : 'voipnow_not_connected';
    this.sentence =
      reason === 'unlinked'
        ? 'First link your VoipNow account. Nothing was sent to VoipNow.'
        : reason === 'expired'
          ? 'Your VoipNow sign-in has expired and could not be renewed. Link your account again; nothing was done.'
          : NOT_CONNECTED_SENTENCE;
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

  /** Each workspace's VoipNow server (default: `http` and `oauth` for every workspace). */
  readonly tenants: VoipnowTenants;

  constructor(
    private readonly store: AccountStore,
    http: UapiHttp,
    oauth: VoipnowOAuth,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    tenants?: VoipnowTenants,
  ) {
    this.tenants = tenants ?? fixedTenant(http, oauth);
  }

  /** The user's workspace's VoipNow server; LinkRequired('not_connected') when it has none. */
  async tenantOf(teamId: string): Promise<Tenant> {
    const tenant = await this.tenants.of(teamId);
    if (!tenant) throw new LinkRequired('not_connected');
    return tenant;
  }

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
    this.onChanged?.();
    await this.onLinked?.(user).catch((err: unknown) => this.logger.warn('after linking', { error: err instanceof Error ? err.message : String(err) }));
    return account;
  }

  /** Told after a link, unlink or change of extension (the phone lines read the right extensions); never fails the change. */
  onChanged: (() => void) | undefined;

  /** Changes only the extension column: a concurrent token refresh is never overwritten (nor overwrites it). */
  async setExtension(user: SlackUser, extension: string): Promise<boolean> {
    const changed = await this.store.setLinkedAccountExtension(user.teamId, user.userId, extension, new Date(this.now()));
    this.onChanged?.();
    return changed;
  }

  /** Told before an unlink deletes the tokens (the board ends the user's watches with them); its failure does not stop the unlink. */
  onUnlinking: ((user: SlackUser) => Promise<void>) | undefined;

  async unlink(user: SlackUser): Promise<boolean> {
    if (await this.get(user)) await this.onUnlinking?.(user).catch((err: unknown) => this.logger.warn('before unlinking', { error: err instanceof Error ? err.message : String(err) }));
    this.seenLinked.delete(`${user.teamId}\u0000${user.userId}`);
    const gone = await this.store.deleteLinkedAccount(user.teamId, user.userId);
    this.onChanged?.();
    return gone;
  }

  /**
   * A client acting as this Slack user. Throws LinkRequired when the user never
   * linked, or when their token can no longer be refreshed.
   */
  async clientFor(user: SlackUser): Promise<{ client: UapiClient; account: LinkedAccount }> {
    const tenant = await this.tenantOf(user.teamId);
    const account = await this.get(user);
    if (!account) throw new LinkRequired('unlinked');
    let held: TokenSet = { accessToken: account.accessToken, refreshToken: account.refreshToken, expiresAt: account.expiresAt };
    const renew = async () => {
      held = await this.renew(user, held, tenant.oauth).catch((e: unknown) => this.expired(e));
      return held.accessToken;
    };
    const creds = {
      token: () => (held.expiresAt.getTime() - this.now() < REFRESH_MARGIN_MS ? renew() : Promise.resolve(held.accessToken)),
      refresh: renew,
    };
    return { client: new UapiClient(tenant.http, creds), account };
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
  private renew(user: SlackUser, used: TokenSet, oauth: VoipnowOAuth): Promise<TokenSet> {
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
        const next = await oauth.refresh(stored.refreshToken);
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
