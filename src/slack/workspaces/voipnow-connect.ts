/**
 * A workspace admin connects the workspace's VoipNow server (distribution mode): `/call connect`
 * (or the "VoipNow server" section's button) opens a modal for the server's address, the
 * VoipNow app's client id and secret, and optionally a CA in PEM. Only Slack admins and owners,
 * and whoever installed callops, may. Before anything is saved callops checks that the server
 * answers and accepts the app's credentials; the secret is then stored encrypted and never shown.
 * `voipnowServerBlocks` renders what is set, for App Home or a private reply.
 */
import type { App, webApi } from '@slack/bolt';
import type { KnownBlock, View } from '@slack/types';
import type { Logger } from '../../log.js';
import type { VoipnowTenant } from '../../store/voipnow-tenants.js';
import { checkTenant, type TenantCheck, type TenantSettings } from '../../uapi/tenant-check.js';
import { escapeMrkdwn } from '../blocks/mrkdwn.js';
import { CALLBACK_PATH } from '../users/linking.js';
import type { VoipnowTenants } from './voipnow-tenants.js';
import type { InstallationStore } from '../../store/installations.js';
import type { SqlRunner } from '../../store/sql-runner.js';
import type { Store } from '../../store/types.js';
import type { SlackBoard } from '../board/index.js';
import { forgetVoipnowLinks } from './uninstall.js';

export const CONNECT_VIEW = 'voipnow.connect';
export const CONNECT_OPEN_ACTION = 'voipnow.connect.open';
const FIELDS = { url: 'url', clientId: 'client_id', clientSecret: 'client_secret', ca: 'ca_pem' } as const;
const MAX_CA_CHARS = 2900;

export const isConnectCommand = (text: string | undefined): boolean => /^\s*connect\s*$/i.test(text ?? '');

export interface VoipnowConnectDeps {
  tenants: VoipnowTenants;
  /** Who installed callops in the workspace (they may connect it even when not a Slack admin). */
  installerOf: (teamId: string) => Promise<string | undefined>;
  publicUrl: string;
  logger: Logger;
  now: () => number;
  /** Before another server (or app) replaces the workspace's: its watches and links, made with the old one, end. */
  serverChanging?: (teamId: string) => Promise<void>;
  /** The check before saving (default: checkTenant). */
  check?: (settings: TenantSettings, opts: { redirectUri: string }) => Promise<TenantCheck>;
}

const ephemeral = (text: string) => ({ response_type: 'ephemeral' as const, replace_original: false, text });
const date = (d: Date) => `<!date^${Math.floor(d.getTime() / 1000)}^{date_short_pretty} {time}|${d.toISOString()}>`;
const mention = (id: string) => (/^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : escapeMrkdwn(id));

/** The "VoipNow server" section: what is set (never the secret), by whom, when last seen working. */
export function voipnowServerBlocks(tenant: VoipnowTenant | undefined, opts: { canChange?: boolean } = {}): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'VoipNow server' } }];
  if (!tenant) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Not connected yet: nobody in this workspace can use callops until a workspace admin connects its VoipNow server with `/call connect`.' },
    });
  } else {
    blocks.push({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Server*\n\`${escapeMrkdwn(tenant.url)}\`` },
        { type: 'mrkdwn', text: `*App client id*\n\`${escapeMrkdwn(tenant.clientId.replace(/`/g, "'"))}\`` },
        { type: 'mrkdwn', text: '*Client secret*\nset (stored encrypted)' },
        { type: 'mrkdwn', text: `*Certificate authority*\n${tenant.caPem ? 'its own CA (given)' : 'public CAs'}` },
        { type: 'mrkdwn', text: `*Set by*\n${mention(tenant.setBy)}, ${date(tenant.setAt)}` },
        { type: 'mrkdwn', text: `*Last seen working*\n${tenant.lastOkAt ? date(tenant.lastOkAt) : 'not yet'}` },
      ],
    });
  }
  if (opts.canChange) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', action_id: CONNECT_OPEN_ACTION, text: { type: 'plain_text', text: tenant ? 'Change VoipNow server' : 'Connect VoipNow' } }],
    });
  }
  return blocks;
}

function input(blockId: string, label: string, hint: string, opts: { initial?: string; optional?: boolean; multiline?: boolean; placeholder?: string } = {}): KnownBlock {
  return {
    type: 'input',
    block_id: blockId,
    optional: Boolean(opts.optional),
    label: { type: 'plain_text', text: label },
    hint: { type: 'plain_text', text: hint },
    element: {
      type: 'plain_text_input',
      action_id: blockId,
      ...(opts.multiline && { multiline: true }),
      ...(opts.initial && { initial_value: opts.initial }),
      ...(opts.placeholder && { placeholder: { type: 'plain_text', text: opts.placeholder } }),
    },
  };
}

/** The form; `problem` (already escaped) says why the last try was not saved. */
export function connectModal(redirectUri: string, current: { url?: string; clientId?: string; hasSecret?: boolean; stored?: VoipnowTenant } = {}, problem?: string): View {
  return {
    type: 'modal',
    callback_id: CONNECT_VIEW,
    title: { type: 'plain_text', text: 'Connect VoipNow' },
    submit: { type: 'plain_text', text: 'Check and save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      ...(problem ? [{ type: 'section', text: { type: 'mrkdwn', text: `:no_entry: Not saved: ${problem}` } } as KnownBlock] : []),
      // What is set now, when last seen working (never the secret).
      ...(current.stored ? [...voipnowServerBlocks(current.stored).slice(1), { type: 'divider' } as KnownBlock] : []),
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `Make an app for callops in VoipNow (Unified Communications > Integrations > Apps) with the redirect URI \`${escapeMrkdwn(redirectUri)}\`, then copy its client id and secret here.`,
          },
        ],
      },
      input(FIELDS.url, 'VoipNow server address', 'Where your VoipNow answers, e.g. https://voipnow.example.com', {
        ...(current.url && { initial: current.url }),
        placeholder: 'https://voipnow.example.com',
      }),
      input(FIELDS.clientId, 'App client id', 'The VoipNow app’s client id', { ...(current.clientId && { initial: current.clientId }) }),
      input(FIELDS.clientSecret, 'App client secret', current.hasSecret ? 'Leave empty to keep the secret already stored' : 'The VoipNow app’s client secret; stored encrypted', {
        optional: Boolean(current.hasSecret),
      }),
      input(FIELDS.ca, 'CA certificate (optional)', 'Only if your VoipNow uses a private CA: the PEM text, -----BEGIN CERTIFICATE----- …', { optional: true, multiline: true }),
    ],
  };
}

const noticeModal = (text: string, title = 'Connect VoipNow'): View => ({
  type: 'modal',
  callback_id: `${CONNECT_VIEW}.notice`,
  title: { type: 'plain_text', text: title },
  close: { type: 'plain_text', text: 'Close' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
});

type Values = Record<string, Record<string, { value?: string | null }>>;

/** The form's values, or the first thing wrong with them (a sentence for the admin). */
export function readConnectForm(values: Values, stored: VoipnowTenant | undefined): { settings: TenantSettings } | { field: string; problem: string } {
  const value = (id: string) => (values[id]?.[id]?.value ?? '').trim();
  const raw = value(FIELDS.url);
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname)
    return { field: FIELDS.url, problem: 'Give the web address of your VoipNow server, starting with https://, e.g. https://voipnow.example.com' };
  if (url.username || url.password) return { field: FIELDS.url, problem: 'Leave user names and passwords out of the address, e.g. https://voipnow.example.com' };
  const clientId = value(FIELDS.clientId);
  if (!clientId || clientId.length > 200 || /\s/.test(clientId))
    return { field: FIELDS.clientId, problem: 'Give the VoipNow app’s client id: one word without spaces, at most 200 characters, as VoipNow shows it' };
  const typed = value(FIELDS.clientSecret);
  const clientSecret = typed || (stored && stored.url === url.origin && stored.clientId === clientId ? stored.clientSecret : '');
  if (!clientSecret) return { field: FIELDS.clientSecret, problem: 'Give the VoipNow app’s client secret (needed for a new server or client id; it is stored encrypted)' };
  if (clientSecret.length > 500) return { field: FIELDS.clientSecret, problem: 'That secret is longer than 500 characters; copy only the client secret from VoipNow' };
  const ca = value(FIELDS.ca);
  if (ca && !/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/.test(ca))
    return { field: FIELDS.ca, problem: 'Paste the CA certificate as PEM text, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----, or leave it empty' };
  if (ca.length > MAX_CA_CHARS) return { field: FIELDS.ca, problem: `That CA text is longer than ${MAX_CA_CHARS} characters; paste only the one CA certificate` };
  return { settings: { url: url.origin, clientId, clientSecret, ...(ca && { ca }) } };
}

export class VoipnowConnect {
  constructor(private readonly deps: VoipnowConnectDeps) {}

  /** What the VoipNow app must allow as its redirect URI: callops' consent callback. */
  get redirectUri(): string {
    return this.deps.publicUrl + CALLBACK_PATH;
  }

  /** Slack admins and owners, and the installer. */
  async mayConnect(client: webApi.WebClient, teamId: string, userId: string): Promise<boolean> {
    if ((await this.deps.installerOf(teamId).catch(() => undefined)) === userId) return true;
    const info = await client.users.info({ user: userId }).catch((err: unknown) => {
      this.deps.logger.warn('connect: could not read the user from Slack', { error: err instanceof Error ? err.message : String(err) });
      return undefined;
    });
    const u = info?.user as { is_admin?: boolean; is_owner?: boolean; is_primary_owner?: boolean } | undefined;
    return Boolean(u && (u.is_admin || u.is_owner || u.is_primary_owner));
  }

  private refusal(): string {
    return 'Only a Slack workspace admin or owner, or whoever installed callops here, can connect the VoipNow server. Ask one of them to run `/call connect`.';
  }

  /** `/call connect` (acknowledged by the caller): opens the form, or says privately why not. */
  async open(client: webApi.WebClient, teamId: string, userId: string, triggerId: string): Promise<{ text: string } | undefined> {
    if (!this.deps.tenants.perWorkspace)
      return ephemeral('This callops serves one workspace: its VoipNow server is set by its operator (VOIPNOW_URL and the VoipNow app credentials in the environment), not in Slack.');
    if (!(await this.mayConnect(client, teamId, userId))) return ephemeral(this.refusal());
    const stored = await this.deps.tenants.settings(teamId);
    await client.views.open({ trigger_id: triggerId, view: connectModal(this.redirectUri, stored ? { url: stored.url, clientId: stored.clientId, hasSecret: true, stored } : {}) });
    return undefined;
  }

  /**
   * The "VoipNow server" section of App Home in distribution mode: what is set and when it last
   * answered, with the Connect / Change button for those who may; nothing in single-workspace mode.
   */
  async homeBlocks(client: webApi.WebClient, teamId: string, userId: string): Promise<KnownBlock[]> {
    if (!this.deps.tenants.perWorkspace) return [];
    const [stored, canChange] = await Promise.all([this.deps.tenants.settings(teamId), this.mayConnect(client, teamId, userId)]);
    return voipnowServerBlocks(stored, { canChange });
  }

  register(app: App): void {
    app.action(CONNECT_OPEN_ACTION, async ({ ack, body, client, respond }) => {
      await ack();
      const b = body as { team?: { id?: string } | null; user: { id: string; team_id?: string }; trigger_id?: string };
      const teamId = b.team?.id ?? b.user.team_id ?? '';
      const answer = await this.open(client, teamId, b.user.id, b.trigger_id ?? '');
      if (answer) await respond(answer).catch(() => undefined);
    });
    app.view(CONNECT_VIEW, async ({ ack, body, view, client }) => {
      const teamId = body.team?.id ?? body.user.team_id ?? '';
      const userId = body.user.id;
      const stored = await this.deps.tenants.settings(teamId);
      const form = readConnectForm(view.state.values as Values, stored);
      if ('problem' in form) return ack({ response_action: 'errors', errors: { [form.field]: form.problem } });
      // The check may take longer than Slack waits for an answer: the modal says so, then shows the outcome.
      await ack({ response_action: 'update', view: noticeModal(`:hourglass_flowing_sand: Checking ${escapeMrkdwn(form.settings.url)}…`) });
      const outcome = await this.save(client, teamId, userId, form.settings).catch((err: unknown) => {
        this.deps.logger.error('connect: saving the VoipNow server failed', { team: teamId, error: err instanceof Error ? err.message : String(err) });
        return { saved: false as const, problem: 'callops could not save the settings; the error was logged for your administrator.' };
      });
      const next = outcome.saved
        ? noticeModal(
            `:white_check_mark: Connected. callops reached ${escapeMrkdwn(form.settings.url)} and VoipNow accepted the app. ` +
              (outcome.replaced
                ? 'The links and watches made with the former server have ended: everyone runs `/call link` again, and supervisors `/call watch` again.'
                : 'Users can now run `/call link`.'),
          )
        : connectModal(this.redirectUri, { url: form.settings.url, clientId: form.settings.clientId, hasSecret: Boolean(stored) }, escapeMrkdwn(outcome.problem));
      await client.views
        .update({ view_id: view.id, view: next })
        .catch((err: unknown) => this.deps.logger.warn('connect: could not show the outcome', { error: err instanceof Error ? err.message : String(err) }));
    });
  }

  /** Checked (admin, server, credentials) before anything is stored. */
  async save(client: webApi.WebClient, teamId: string, userId: string, settings: TenantSettings): Promise<{ saved: true; replaced: boolean } | { saved: false; problem: string }> {
    if (!this.deps.tenants.perWorkspace || !(await this.mayConnect(client, teamId, userId))) return { saved: false, problem: this.refusal() };
    const check = await (this.deps.check ?? checkTenant)(settings, { redirectUri: this.redirectUri });
    if (!check.ok) return { saved: false, problem: `${check.problem}.` };
    const at = new Date(this.deps.now());
    const before = await this.deps.tenants.settings(teamId);
    const changed = before !== undefined && (before.url !== settings.url || before.clientId !== settings.clientId);
    if (changed) await this.deps.serverChanging?.(teamId);
    await this.deps.tenants.save({
      teamId,
      url: settings.url,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      ...(settings.ca && { caPem: settings.ca }),
      setBy: userId,
      setAt: at,
      lastOkAt: at,
    });
    this.deps.logger.info('VoipNow server connected', { team: teamId, user: userId, url: settings.url, replaced: changed });
    return { saved: true, replaced: changed };
  }
}

/** `/call connect` as the app wires it: the installer from the installations, a server change ending the old links and watches. */
export function voipnowConnectOf(d: {
  tenants: VoipnowTenants;
  installations?: { store: InstallationStore; sql: SqlRunner };
  store: Pick<Store, 'listWatches'>;
  board: SlackBoard;
  publicUrl: string;
  logger: Logger;
  now: () => number;
}): VoipnowConnect {
  const { installations, store, board, logger } = d;
  return new VoipnowConnect({
    tenants: d.tenants,
    installerOf: async (teamId) => (await installations?.store.find({ teamId }))?.installerUserId,
    publicUrl: d.publicUrl,
    logger,
    now: d.now,
    ...(installations && {
      serverChanging: async (teamId: string) => {
        const ended = await forgetVoipnowLinks({ store, sql: installations.sql, board, logger }, teamId);
        logger.info('VoipNow server replaced: the links and watches of the former one ended', { team: teamId, ...ended });
      },
    }),
  });
}
