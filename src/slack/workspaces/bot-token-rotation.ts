/**
 * Slack token rotation in distribution mode: a bot token that expires within two hours is
 * refreshed (Bolt's InstallProvider exchanges the refresh token with `oauth.v2.access` and
 * stores the new pair) under the store's token-refresh lock, the single-flight lock of
 * VoipNow refreshes, so concurrent requests and replicas refresh a workspace once; the
 * others then read the new token. Tokens that do not expire are read without a lock.
 */
import type { AuthorizeResult, InstallationQuery } from '@slack/bolt';
import type { InstallationKey, InstallationStore, SlackInstallation } from '../../store/installations.js';
import type { Store } from '../../store/types.js';

/** Bolt's InstallProvider refreshes a bot token this long before it expires. */
export const REFRESH_BEFORE_MS = 2 * 60 * 60 * 1000;
/** The lock's user part for a workspace's bot token (never a Slack user id). */
const BOT_LOCK_USER = '(slack-bot-token)';

type Authorize = (source: InstallationQuery<boolean>) => Promise<AuthorizeResult>;

export interface BotTokens {
  /** Bolt's `authorize`, refreshing an expiring token single-flight. */
  authorize: Authorize;
  /** The bot token of this workspace now (refreshed first when it is expiring); undefined when not installed. */
  tokenFor(key: InstallationKey): Promise<string | undefined>;
}

function lockTeam(i: Pick<SlackInstallation, 'teamId' | 'enterpriseId' | 'enterpriseInstall'>): string {
  return i.enterpriseInstall ? `org:${i.enterpriseId ?? ''}` : (i.teamId ?? '');
}

export function botTokens(deps: { installations: InstallationStore; store: Pick<Store, 'withTokenRefreshLock'>; authorize: Authorize; now?: () => number }): BotTokens {
  const now = deps.now ?? Date.now;
  const expiring = (i: SlackInstallation) => Boolean(i.refreshToken && i.expiresAt && i.expiresAt.getTime() - now() < REFRESH_BEFORE_MS);
  const queryOf = (key: InstallationKey, i: SlackInstallation): InstallationQuery<boolean> =>
    ({
      teamId: i.enterpriseInstall ? undefined : (key.teamId ?? i.teamId),
      enterpriseId: key.enterpriseId ?? i.enterpriseId,
      isEnterpriseInstall: i.enterpriseInstall,
    }) as InstallationQuery<boolean>;
  const authorize: Authorize = async (source) => {
    const found = await deps.installations.find({
      ...(source.teamId && { teamId: source.teamId }),
      ...(source.enterpriseId && { enterpriseId: source.enterpriseId }),
      ...(source.isEnterpriseInstall && { enterpriseInstall: true }),
    });
    if (!found || !expiring(found)) return deps.authorize(source);
    return deps.store.withTokenRefreshLock(lockTeam(found), BOT_LOCK_USER, () => deps.authorize(source));
  };
  return {
    authorize,
    async tokenFor(key) {
      const found = await deps.installations.find(key);
      if (!found) return undefined;
      if (!expiring(found)) return found.botToken;
      return (await authorize(queryOf(key, found))).botToken;
    },
  };
}
