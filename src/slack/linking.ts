/**
 * Linking a Slack user to their own VoipNow account (OAuth 2.0 authorization
 * code grant): `/call link` hands out a single-use state bound to the Slack team
 * and user, valid 10 minutes; the callback exchanges the code and stores the
 * user's tokens (encrypted by the store).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import fetch from 'node-fetch';
import type { KnownBlock } from '@slack/types';
import type { webApi } from '@slack/bolt';
import type { VoipnowOAuth } from '../uapi/oauth.js';
import { UapiError } from '../uapi/errors.js';
import type { Store } from '../store/types.js';
import type { Accounts, SlackUser } from './accounts.js';
import type { Logger } from '../log.js';
import { escapeMrkdwn } from '../calls/card.js';

export const CALLBACK_PATH = '/oauth/voipnow/callback';
export const STATE_TTL_MS = 10 * 60_000;
export const LINK_BUTTON_ACTION = 'link.open';

export class Linking {
  constructor(
    private readonly deps: {
      store: Store;
      accounts: Accounts;
      oauth: VoipnowOAuth;
      publicUrl: string;
      logger: Logger;
      slack: () => webApi.WebClient;
      now?: () => number;
    },
  ) {}

  private get now() {
    return this.deps.now ?? Date.now;
  }

  get redirectUri(): string {
    return this.deps.publicUrl + CALLBACK_PATH;
  }

  /** A fresh consent link for this user; the message that carries it is private. */
  async start(user: SlackUser, opts: { channelId?: string; responseUrl?: string; extension?: string; why?: string }) {
    const state = randomBytes(24).toString('base64url');
    await this.deps.store.createOAuthState({
      state,
      teamId: user.teamId,
      slackUserId: user.userId,
      channelId: opts.channelId,
      responseUrl: opts.responseUrl,
      extension: opts.extension,
      expiresAt: new Date(this.now() + STATE_TTL_MS),
    });
    const url = this.deps.oauth.authorizeUrl(this.redirectUri, state);
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

  /** The browser comes back from VoipNow's consent page here. */
  async callback(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const stateParam = url.searchParams.get('state') ?? '';
    const state = stateParam ? await this.deps.store.consumeOAuthState(stateParam, new Date(this.now())) : undefined;
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
      const tokens = await this.deps.oauth.exchangeCode(code, this.redirectUri);
      await this.deps.accounts.link(user, tokens, { extension: state.extension });
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
  private async tell(state: { responseUrl?: string; slackUserId: string }, text: string): Promise<void> {
    try {
      if (state.responseUrl) {
        const r = await fetch(state.responseUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
        });
        if (r.ok) return;
      }
      await this.deps.slack().chat.postMessage({ channel: state.slackUserId, text });
    } catch (err) {
      this.deps.logger.warn('could not tell the user about linking', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}

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
