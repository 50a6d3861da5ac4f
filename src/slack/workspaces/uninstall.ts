/**
 * A workspace uninstalls callops (`app_uninstalled`) or revokes its bot token
 * (`tokens_revoked`): its installation goes first, so no Slack call carries the old token
 * again; then its watches end, each removing its PhoneCallEvents from the PBX with the
 * owner's VoipNow token while that still works; then everything else callops kept about
 * the workspace (its users' VoipNow links, call and board cards, audit lines). Nothing of
 * another workspace is touched.
 */
import type { App } from '@slack/bolt';
import type { InstallationKey, InstallationStore } from '../../store/installations.js';
import type { SqlRunner } from '../../store/sql-runner.js';
import type { Store } from '../../store/types.js';
import { forgetWorkspace, forgetWorkspaceLinks } from '../../store/workspace-data.js';
import type { Logger } from '../../log.js';
import type { SlackBoard } from '../board/index.js';

export interface UninstallDeps {
  installations: InstallationStore;
  store: Pick<Store, 'listWatches'>;
  sql: SqlRunner;
  board: SlackBoard;
  logger: Logger;
  /** The workspaces' VoipNow servers: an uninstalled workspace's settings (its app secret) go too. */
  tenants?: { forget(teamId: string): Promise<void> };
}

type Body = Record<string, unknown>;
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Forgets one workspace, or an org-wide install and every workspace seen under it; safe to run twice. */
export async function uninstallWorkspace(deps: UninstallDeps, key: InstallationKey): Promise<void> {
  if (key.enterpriseInstall && key.enterpriseId) {
    const teams = await deps.installations.orgWorkspaces(key.enterpriseId);
    const removed = await deps.installations.delete(key);
    for (const teamId of teams) if (!(await deps.installations.find({ teamId, enterpriseId: key.enterpriseId }))) await forgetData(deps, teamId);
    deps.logger.info('Slack org-wide installation removed', { enterprise: key.enterpriseId, removed, workspaces: teams.length });
    return;
  }
  if (!key.teamId) return;
  const removed = await deps.installations.delete(key);
  const forgotten = await forgetData(deps, key.teamId);
  deps.logger.info('Slack workspace uninstalled: its installation and data are gone', { team: key.teamId, removed, ...forgotten });
}

/** Ends the workspace's watches (their PhoneCallEvents removed as their owners), then deletes its rows. */
async function forgetData(deps: UninstallDeps, teamId: string): Promise<Record<string, number>> {
  const ended = await endWatches(deps, teamId);
  const rows = await forgetWorkspace(deps.sql, teamId);
  await deps.tenants?.forget(teamId);
  return { endedWatches: ended, ...rows };
}

/**
 * The workspace's VoipNow server is about to change: its watches end on the old server (their
 * PhoneCallEvents removed with the owners' tokens while that server still serves them), and its
 * users' links are deleted, so no token of the old server is ever sent to the new one.
 */
export async function forgetVoipnowLinks(deps: Omit<UninstallDeps, 'installations'>, teamId: string): Promise<Record<string, number>> {
  const ended = await endWatches(deps, teamId);
  return { endedWatches: ended, ...(await forgetWorkspaceLinks(deps.sql, teamId)) };
}

async function endWatches(deps: Pick<UninstallDeps, 'store' | 'board' | 'logger'>, teamId: string): Promise<number> {
  let ended = 0;
  for (const w of await deps.store.listWatches()) {
    if (w.teamId !== teamId) continue;
    ended += 1;
    await deps.board.board
      .unwatch(w.teamId, w.channelId, w.extension)
      .catch((err: unknown) => deps.logger.warn('could not end a watch', { team: teamId, extension: w.extension, error: err instanceof Error ? err.message : String(err) }));
  }
  return ended;
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
