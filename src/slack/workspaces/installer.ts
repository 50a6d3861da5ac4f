/**
 * "Add to Slack" for distribution mode, with Bolt's own InstallProvider on the HTTP
 * receiver: `GET /slack/install` redirects to Slack's authorize page (client id, the bot
 * scopes of the manifest, a signed single-use state also set as a cookie), and
 * `GET /slack/oauth_redirect` checks the state, exchanges the code with `oauth.v2.access`,
 * stores the installation in callops' store and shows what to do next. Nothing here logs
 * a token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPReceiverOptions, Installation, InstallationQuery, InstallationStore as BoltInstallationStore, webApi } from '@slack/bolt';
import type { InstallationStore, SlackInstallation } from '../../store/installations.js';
import type { Store } from '../../store/types.js';
import type { Logger } from '../../log.js';
import { BOT_SCOPES } from './bot-scopes.js';
import { SingleUseStateStore } from './install-state.js';
import { setPageHeaders } from '../http/page-headers.js';

export const INSTALL_PATH = '/slack/install';
export const INSTALL_REDIRECT_PATH = '/slack/oauth_redirect';

export interface InstallerSettings {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  /** Where browsers reach callops (PUBLIC_URL): the redirect URL is PUBLIC_URL/slack/oauth_redirect. */
  publicUrl: string;
  installations: InstallationStore;
  /** Claims that make each state single use. */
  claims: Pick<Store, 'claimOnce'>;
  logger: Logger;
  /** The Web API base URL and fetch for `oauth.v2.access` and `auth.test` (SLACK_API_URL). */
  clientOptions: webApi.WebClientOptions;
  now?: () => number;
}

/** Bolt's installation (seconds since the epoch for expiry) as callops stores it. */
export function toStored(i: Installation, now: Date): SlackInstallation {
  if (!i.bot) throw new Error('Slack granted no bot token (the install asked for bot scopes)');
  const enterpriseInstall = i.isEnterpriseInstall === true;
  return {
    ...(!enterpriseInstall && i.team?.id && { teamId: i.team.id }),
    ...(!enterpriseInstall && i.team?.name && { teamName: i.team.name }),
    ...(i.enterprise?.id && { enterpriseId: i.enterprise.id }),
    ...(i.enterprise?.name && { enterpriseName: i.enterprise.name }),
    enterpriseInstall,
    botToken: i.bot.token,
    botUserId: i.bot.userId,
    ...(i.bot.id && { botId: i.bot.id }),
    scopes: i.bot.scopes ?? [],
    ...(i.bot.refreshToken && { refreshToken: i.bot.refreshToken }),
    ...(i.bot.expiresAt && { expiresAt: new Date(i.bot.expiresAt * 1000) }),
    ...(i.user?.id && { installerUserId: i.user.id }),
    ...(i.appId && { appId: i.appId }),
    installedAt: now,
    updatedAt: now,
  };
}

/** A stored installation as Bolt's InstallProvider reads it (authorize, token rotation). */
export function toBolt(s: SlackInstallation): Installation {
  return {
    team: s.enterpriseInstall || !s.teamId ? undefined : { id: s.teamId, ...(s.teamName && { name: s.teamName }) },
    enterprise: s.enterpriseId ? { id: s.enterpriseId, ...(s.enterpriseName && { name: s.enterpriseName }) } : undefined,
    user: { token: undefined, scopes: undefined, id: s.installerUserId ?? '' },
    bot: {
      token: s.botToken,
      scopes: s.scopes,
      id: s.botId ?? '',
      userId: s.botUserId,
      ...(s.refreshToken && { refreshToken: s.refreshToken }),
      ...(s.expiresAt && { expiresAt: Math.floor(s.expiresAt.getTime() / 1000) }),
    },
    ...(s.appId && { appId: s.appId }),
    tokenType: 'bot',
    isEnterpriseInstall: s.enterpriseInstall,
    authVersion: 'v2',
  } as Installation;
}

/** callops' installation store behind Bolt's InstallationStore interface. */
export function boltInstallationStore(installations: InstallationStore, now: () => number): BoltInstallationStore {
  const keyOf = (q: InstallationQuery<boolean>) => ({
    ...(q.teamId && { teamId: q.teamId }),
    ...(q.enterpriseId && { enterpriseId: q.enterpriseId }),
    enterpriseInstall: q.isEnterpriseInstall,
  });
  return {
    async storeInstallation(installation) {
      const stored = toStored(installation as Installation, new Date(now()));
      // Token rotation saves the same installation again: keep when it was first installed.
      const earlier = await installations.find({
        ...(stored.teamId && { teamId: stored.teamId }),
        ...(stored.enterpriseId && { enterpriseId: stored.enterpriseId }),
        enterpriseInstall: stored.enterpriseInstall,
      });
      const same = earlier && earlier.enterpriseInstall === stored.enterpriseInstall && earlier.teamId === stored.teamId;
      await installations.save({ ...stored, ...(same && { installedAt: earlier.installedAt }) });
    },
    async fetchInstallation(query) {
      const found = await installations.find(keyOf(query));
      if (!found) throw new Error(`callops is not installed in ${query.isEnterpriseInstall ? `org ${query.enterpriseId}` : `workspace ${query.teamId}`}`);
      return toBolt(found);
    },
    async deleteInstallation(query) {
      await installations.delete(keyOf(query));
    },
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(req: IncomingMessage, res: ServerResponse, status: number, title: string, body: string): void {
  setPageHeaders(req, res);
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  );
}

/** What the installer sees once Slack sent them back: where it is installed and what to do next. */
function installedPage(req: IncomingMessage, res: ServerResponse, installation: Installation): void {
  const where = installation.isEnterpriseInstall ? `every workspace of ${installation.enterprise?.name ?? 'your organisation'}` : (installation.team?.name ?? 'your workspace');
  page(
    req,
    res,
    200,
    'callops is installed',
    `<p>callops is now installed in <b>${escapeHtml(where)}</b>. You can close this page and go back to Slack.</p>` +
      '<ol><li>A workspace admin (or you, who installed it) connects your VoipNow server: <code>/call connect</code>, with its address and the client id and secret of a VoipNow app made for callops.</li>' +
      '<li>Invite the bot to the channels where calls are handled: <code>/invite @callops</code>.</li>' +
      '<li>Each person connects their VoipNow phone once: <code>/call link</code>.</li>' +
      '<li>Supervisors show a live board in a channel: <code>/call watch 0003*210</code>.</li>' +
      '<li><code>/call help</code> lists everything callops can do.</li></ol>',
  );
}

/** The installation failed: nothing was stored; the reason in plain words and how to start again. */
function failedPage(req: IncomingMessage, res: ServerResponse, reason: string): void {
  page(req, res, 400, 'callops was not installed', `<p>Nothing was installed: ${escapeHtml(reason)}.</p><p>Start again from <a href="${INSTALL_PATH}">Add to Slack</a>.</p>`);
}

function plainReason(err: { code?: string; message?: string }): string {
  switch (err.code) {
    case 'slack_oauth_invalid_state':
      return /browser session/.test(err.message ?? '')
        ? 'the install was started in another browser, or its cookie is gone (start it again in this browser)'
        : (err.message ?? 'the install link is not valid');
    case 'slack_oauth_missing_state':
      return 'the link from Slack carries no state';
    case 'slack_oauth_missing_code':
      return 'the link from Slack carries no authorization code';
    case 'slack_oauth_user_access_denied':
      return 'the installation was cancelled in Slack';
    default:
      return 'Slack did not accept the installation';
  }
}

/** The HTTPReceiver options that turn on Bolt's OAuth installer over callops' store. */
export function installerReceiverOptions(
  s: InstallerSettings,
): Pick<HTTPReceiverOptions, 'clientId' | 'clientSecret' | 'stateSecret' | 'scopes' | 'installationStore' | 'redirectUri' | 'installerOptions'> {
  const now = s.now ?? Date.now;
  return {
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    stateSecret: s.stateSecret,
    scopes: [...BOT_SCOPES],
    redirectUri: `${s.publicUrl}${INSTALL_REDIRECT_PATH}`,
    installationStore: boltInstallationStore(s.installations, now),
    installerOptions: {
      installPath: INSTALL_PATH,
      redirectUriPath: INSTALL_REDIRECT_PATH,
      directInstall: true,
      stateVerification: true,
      stateStore: new SingleUseStateStore(s.stateSecret, s.claims),
      clientOptions: s.clientOptions,
      callbackOptions: {
        success: (installation, _options, req, res) => {
          const i = installation as Installation;
          s.logger.info('Slack installation stored', { team: i.team?.id ?? '-', enterprise: i.enterprise?.id ?? '-', orgWide: i.isEnterpriseInstall === true });
          installedPage(req, res, i);
        },
        failure: (error, _options, req, res) => {
          s.logger.warn('Slack installation refused', { code: error.code, reason: error.message });
          failedPage(req, res, plainReason(error));
        },
      },
    },
  };
}
