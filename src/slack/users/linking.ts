/**
 * Linking a Slack user to their own VoipNow account (OAuth 2.0 authorization
 * code grant): `/call link` hands out a single-use state bound to the Slack team
 * and user, valid 10 minutes; the callback exchanges the code and stores the
 * user's tokens (encrypted by the store).
 *
 * A forwarded link must not let someone else link *their* VoipNow account to the
 * sender's Slack user. So the link first opens a callops page that says who is
 * being linked ("Slack user @name in workspace W; if this is not you, stop");
 * with Sign in with Slack credentials (SLACK_CLIENT_ID/SECRET) the browser must
 * then sign in with Slack (OpenID Connect), and the link is refused unless that
 * identity is the one that asked. Each step consumes its state and issues the
 * next, and a state is valid for one step only (`start` → `slack` → `voipnow`),
 * so no step can be skipped.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import fetch from 'node-fetch';
import type { KnownBlock } from '@slack/types';
import type { webApi } from '@slack/bolt';
import { inWorkspace } from '../workspaces/workspace-tokens.js';
import { UapiError } from '../../uapi/errors.js';
import type { OAuthState, OAuthStateStore } from '../../store/types.js';
import { type Accounts, NOT_CONNECTED_SENTENCE, type SlackUser } from './accounts.js';
import type { Logger } from '../../log.js';
import { escapeMrkdwn } from '../blocks/mrkdwn.js';

export const CALLBACK_PATH = '/oauth/voipnow/callback';
/** The callops page the `/call link` button opens. */
export const LINK_START_PATH = '/link/start';
/** Where Sign in with Slack comes back. */
export const SLACK_SIGNIN_CALLBACK_PATH = '/link/slack/callback';
export const SLACK_OPENID_AUTHORIZE_URL = 'https://slack.com/openid/connect/authorize';

type Step = 'start' | 'slack' | 'voipnow';
/** The value the store keys a state by: bound to its step, so a `start` state is useless at VoipNow's callback. */
const stepKey = (step: Step, state: string) => `${step}:${state}`;

export interface SignInWithSlack {
  clientId: string;
  clientSecret: string;
  /** Default: Slack's own OpenID Connect authorize page. */
  authorizeUrl?: string;
}
export const STATE_TTL_MS = 10 * 60_000;
export const LINK_BUTTON_ACTION = 'link.open';

export class Linking {
  constructor(
    private readonly deps: {
      store: OAuthStateStore;
      /** Also the workspaces' VoipNow servers (accounts.tenants): each consent goes to the user's own. */
      accounts: Accounts;
      publicUrl: string;
      logger: Logger;
      slack: () => webApi.WebClient;
      now?: () => number;
      /** Sign in with Slack (OpenID Connect) credentials: when set, the browser must prove it is the Slack user who asked. */
      signInWithSlack?: SignInWithSlack;
    },
  ) {}

  private get now() {
    return this.deps.now ?? Date.now;
  }

  get redirectUri(): string {
    return this.deps.publicUrl + CALLBACK_PATH;
  }

  /**
   * A fresh consent link for this user; the message that carries it is private. A workspace
   * without a VoipNow server gets no link: the message says an admin must connect one first.
   */
  async start(user: SlackUser, opts: { channelId?: string; responseUrl?: string; extension?: string; why?: string }) {
    if (!(await this.deps.accounts.tenants.of(user.teamId))) {
      const text = `:electric_plug: ${NOT_CONNECTED_SENTENCE}`;
      return { response_type: 'ephemeral' as const, text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] as KnownBlock[] };
    }
    const state = await this.issue('start', {
      teamId: user.teamId,
      slackUserId: user.userId,
      channelId: opts.channelId,
      responseUrl: opts.responseUrl,
      extension: opts.extension,
    });
    const url = `${this.deps.publicUrl}${LINK_START_PATH}?state=${encodeURIComponent(state)}`;
    const text = opts.why ?? 'Link your VoipNow account so callops can act on calls as you.';
    const blocks: KnownBlock[] = [
      { type: 'section', text: { type: 'mrkdwn', text: `${text}\nThe link is yours alone and works once, for 10 minutes.` } },
      {
        type: 'actions',
        elements: [{ type: 'button', action_id: LINK_BUTTON_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Link VoipNow account' }, url }],
      },
    ];
    return { response_type: 'ephemeral' as const, text: `${text} ${url}`, blocks };
  }

  /** A fresh single-use state for one step of the flow. */
  private async issue(step: Step, s: Omit<OAuthState, 'state' | 'expiresAt'>): Promise<string> {
    const state = randomBytes(24).toString('base64url');
    await this.deps.store.createOAuthState({ ...s, state: stepKey(step, state), expiresAt: new Date(this.now() + STATE_TTL_MS) });
    return state;
  }

  private async consume(step: Step, req: IncomingMessage): Promise<{ url: URL; state?: OAuthState }> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const param = url.searchParams.get('state') ?? '';
    const state = param ? await this.deps.store.consumeOAuthState(stepKey(step, param), new Date(this.now())) : undefined;
    return { url, state };
  }

  /** Who is being linked, in words a person recognises (falls back to ids when Slack does not say). */
  private async describe(state: Pick<OAuthState, 'teamId' | 'slackUserId'>): Promise<{ user: string; team: string }> {
    const client = this.deps.slack();
    const [user, team] = await inWorkspace({ teamId: state.teamId }, () =>
      Promise.all([
        client.users.info({ user: state.slackUserId }).then(
          (r) => r.user?.name,
          () => undefined,
        ),
        client.team.info({ team: state.teamId }).then(
          (r) => r.team?.name,
          () => undefined,
        ),
      ]),
    );
    return { user: user ? `@${user} (${state.slackUserId})` : state.slackUserId, team: team ? `${team} (${state.teamId})` : state.teamId };
  }

  /**
   * The page `/call link` opens: it names the Slack user being linked and offers to
   * continue, to Sign in with Slack when configured, else to VoipNow's consent.
   */
  async startPage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { state } = await this.consume('start', req);
    if (!state) return page(res, 400, 'This link has expired or was already used', 'Run <code>/call link</code> in Slack again to get a new one.');
    const tenant = await this.deps.accounts.tenants.of(state.teamId);
    if (!tenant) return page(res, 409, 'VoipNow is not connected', NOT_CONNECTED_PAGE);
    const { state: _old, expiresAt: _exp, ...rest } = state;
    const who = await this.describe(state);
    const siws = this.deps.signInWithSlack;
    let next: string;
    if (siws) {
      const s = await this.issue('slack', rest);
      const u = new URL(siws.authorizeUrl ?? SLACK_OPENID_AUTHORIZE_URL);
      u.searchParams.set('response_type', 'code');
      u.searchParams.set('scope', 'openid profile');
      u.searchParams.set('client_id', siws.clientId);
      u.searchParams.set('state', s);
      u.searchParams.set('team', state.teamId);
      u.searchParams.set('nonce', randomBytes(12).toString('base64url'));
      u.searchParams.set('redirect_uri', this.deps.publicUrl + SLACK_SIGNIN_CALLBACK_PATH);
      next = u.href;
    } else {
      next = tenant.oauth.authorizeUrl(this.redirectUri, await this.issue('voipnow', rest));
    }
    const action = siws ? 'Sign in with Slack to confirm it is you, then continue to VoipNow' : 'Continue to VoipNow';
    return page(
      res,
      200,
      'Link your VoipNow account',
      `This links a VoipNow account to <b>Slack user ${escapeHtml(who.user)} in workspace ${escapeHtml(who.team)}</b>. ` +
        `Whatever you do in Slack as that user will then act on calls as the VoipNow user who signs in next.</p>` +
        `<p><b>If this is not you, stop here and close this tab.</b> Someone may have forwarded you their link.</p>` +
        `<p><a href="${escapeHtml(next)}" style="font-size:1.2em">${escapeHtml(action)}</a>`,
    );
  }

  /** Sign in with Slack comes back here: the identity must be the one that asked. */
  async slackCallback(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const siws = this.deps.signInWithSlack;
    const { url, state } = await this.consume('slack', req);
    if (!siws || !state) return page(res, 400, 'This link has expired or was already used', 'Run <code>/call link</code> in Slack again to get a new one.');
    const code = url.searchParams.get('code');
    if (!code) {
      await this.tell(state, 'VoipNow linking was cancelled at the Slack sign-in. Run `/call link` to try again.');
      return page(res, 400, 'Linking cancelled', 'Nothing was linked. You can close this tab.');
    }
    let identity: { userId?: string; teamId?: string };
    try {
      const client = this.deps.slack();
      const token = await client.openid.connect.token({ client_id: siws.clientId, client_secret: siws.clientSecret, code, redirect_uri: this.deps.publicUrl + SLACK_SIGNIN_CALLBACK_PATH });
      if (!token.access_token) throw new Error('no access token from openid.connect.token');
      const info = (await client.openid.connect.userInfo({ token: token.access_token })) as unknown as Record<string, unknown>;
      identity = { userId: info['https://slack.com/user_id'] as string | undefined, teamId: info['https://slack.com/team_id'] as string | undefined };
    } catch (err) {
      this.deps.logger.warn('Sign in with Slack failed', { error: err instanceof Error ? err.message : String(err) });
      return page(res, 502, 'Slack sign-in failed', 'Nothing was linked. Run <code>/call link</code> in Slack again.');
    }
    if (identity.userId !== state.slackUserId || identity.teamId !== state.teamId) {
      this.deps.logger.warn('VoipNow link refused: signed in as another Slack user', {
        team: state.teamId,
        user: state.slackUserId,
        signedInAs: identity.userId,
        signedInTeam: identity.teamId,
      });
      await this.tell(
        state,
        ':warning: Someone signed in to Slack as another user tried to complete your VoipNow link. Nothing was linked. If you did not forward your link, you can ignore this.',
      );
      return page(
        res,
        403,
        'This link belongs to someone else',
        `This link was made for Slack user ${escapeHtml(state.slackUserId)}, but you signed in to Slack as ${escapeHtml(identity.userId ?? 'someone else')}. ` +
          'Nothing was linked. To link your own account, run <code>/call link</code> in Slack yourself.',
      );
    }
    const tenant = await this.deps.accounts.tenants.of(state.teamId);
    if (!tenant) return page(res, 409, 'VoipNow is not connected', NOT_CONNECTED_PAGE);
    const { state: _old, expiresAt: _exp, ...rest } = state;
    res.writeHead(302, { Location: tenant.oauth.authorizeUrl(this.redirectUri, await this.issue('voipnow', rest)), 'Cache-Control': 'no-store' });
    res.end();
  }

  /** The browser comes back from VoipNow's consent page here. */
  async callback(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { url, state } = await this.consume('voipnow', req);
    if (!state) {
      return page(res, 400, 'This link has expired or was already used', 'Run <code>/call link</code> in Slack again to get a new one.');
    }
    const user = { teamId: state.teamId, userId: state.slackUserId };
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (error || !code) {
      await this.tell(state, `VoipNow linking was cancelled${error ? ` (${escapeMrkdwn(error)})` : ''}. Run \`/call link\` to try again.`);
      return page(res, 400, 'Linking cancelled', 'Nothing was linked. You can close this tab.');
    }
    try {
      const tokens = await (await this.deps.accounts.tenantOf(user.teamId)).oauth.exchangeCode(code, this.redirectUri);
      await this.deps.accounts.link(user, tokens, { extension: state.extension });
      await this.deps.accounts.tenants.seenWorking(user.teamId, new Date(this.now()));
    } catch (err) {
      const sentence = err instanceof UapiError ? err.sentence : 'callops could not finish linking.';
      this.deps.logger.warn('VoipNow link failed', { team: user.teamId, user: user.userId, error: err instanceof Error ? err.message : String(err) });
      await this.tell(state, `Linking your VoipNow account failed: ${sentence}`);
      return page(res, 502, 'Linking failed', escapeHtml(sentence));
    }
    this.deps.logger.info('VoipNow account linked', { team: user.teamId, user: user.userId });
    const ext = state.extension ? ` Your extension is \`${escapeMrkdwn(state.extension)}\`.` : ' Tip: `/call link <your extension>` remembers your extension as the default target.';
    await this.tell(state, `:white_check_mark: Your VoipNow account is linked. Actions you take in Slack now run as you.${ext}`);
    return page(res, 200, 'VoipNow account linked', 'You can close this tab and go back to Slack.');
  }

  /** Tell the user in Slack: through the command's response_url, else a direct message. */
  private async tell(state: { responseUrl?: string; slackUserId: string; teamId: string }, text: string): Promise<void> {
    try {
      if (state.responseUrl) {
        const r = await fetch(state.responseUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
        });
        if (r.ok) return;
      }
      await inWorkspace({ teamId: state.teamId }, () => this.deps.slack().chat.postMessage({ channel: state.slackUserId, text }));
    } catch (err) {
      this.deps.logger.warn('could not tell the user about linking', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}

const NOT_CONNECTED_PAGE =
  'Nothing was linked: this Slack workspace is not connected to a VoipNow server. A workspace admin must run <code>/call connect</code> in Slack first; then run <code>/call link</code> again.';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res: ServerResponse, status: number, title: string, bodyHtml: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>callops: ${escapeHtml(title)}</title></head>` +
      `<body style="font-family:sans-serif;max-width:36em;margin:4em auto"><h1>${escapeHtml(title)}</h1><p>${bodyHtml}</p></body></html>`,
  );
}
