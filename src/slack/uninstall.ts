/**
 * A workspace uninstalls callops (`app_uninstalled`) or revokes its bot token
 * (`tokens_revoked`): its installation goes first, so no Slack call carries the old token
 * again; then its watches end, each removing its PhoneCallEvents from the PBX with the
 * owner's VoipNow token while that still works; then everything else callops kept about
 * the workspace (its users' VoipNow links, call and board cards, audit lines). Nothing of
 * another workspace is touched.
 */
import type { App } from '@slack/bolt';
import type { InstallationKey, InstallationStore } from '../store/installations.js';
import type { SqlRunner } from '../store/sql-runner.js';
import type { Store } from '../store/types.js';
import { forgetWorkspace } from '../store/workspace-data.js';
import type { Logger } from '../log.js';
import type { SlackBoard } from './board/index.js';

export interface UninstallDeps {
  installations: InstallationStore;
  store: Pick<Store, 'listWatches'>;
  sql: SqlRunner;
  board: SlackBoard;
  logger: Logger;
}

type Body = Record<string, unknown>;
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Forgets one workspace (or org-wide install); safe to run twice. */
export async function uninstallWorkspace(deps: UninstallDeps, key: InstallationKey): Promise<void> {
  const removed = await deps.installations.delete(key);
  const teamId = key.enterpriseInstall ? undefined : key.teamId;
  if (!teamId) {
    deps.logger.info('Slack org-wide installation removed', { enterprise: key.enterpriseId ?? '-', removed });
    return;
  }
  let ended = 0;
  for (const w of await deps.store.listWatches()) {
    if (w.teamId !== teamId) continue;
    ended += 1;
    await deps.board.board
      .unwatch(w.teamId, w.channelId, w.extension)
      .catch((err: unknown) => deps.logger.warn('uninstall: could not end a watch', { team: teamId, extension: w.extension, error: err instanceof Error ? err.message : String(err) }));
  }
  const forgotten = await forgetWorkspace(deps.sql, teamId);
  deps.logger.info('Slack workspace uninstalled: its installation and data are gone', { team: teamId, removed, endedWatches: ended, ...forgotten });
}

function keyOf(body: Body): InstallationKey {
  const auth = Array.isArray(body.authorizations) ? ((body.authorizations[0] ?? {}) as Body) : {};
  const enterpriseInstall = auth.is_enterprise_install === true || body.is_enterprise_install === true;
  const enterpriseId = text(body.enterprise_id) || text(auth.enterprise_id);
  const teamId = text(body.team_id) || text(auth.team_id);
  return { ...(teamId && !enterpriseInstall && { teamId }), ...(enterpriseId && { enterpriseId }), ...(enterpriseInstall && { enterpriseInstall: true }) };
}

export function registerUninstall(app: App, deps: UninstallDeps): void {
  app.event('app_uninstalled', async ({ body }) => uninstallWorkspace(deps, keyOf(body as unknown as Body)));
  app.event('tokens_revoked', async ({ body, event }) => {
    // Only the bot token matters: callops asks for no user tokens.
    const bot = (event as { tokens?: { bot?: unknown[] } }).tokens?.bot;
    if (Array.isArray(bot) && bot.length) await uninstallWorkspace(deps, keyOf(body as unknown as Body));
  });
}
