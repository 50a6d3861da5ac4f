/**
 * App Home: for a linked user, their call panel (phone/home-panel.ts: link
 * status, the missed-call DM switch, their live calls as call cards with
 * working buttons, their recent calls with Call back); for anyone else, how to
 * link. Drawn on `app_home_opened`, and again while the user has it open when
 * the calls on their extension change (the phone lines) or a press in it acted.
 */
import type { App, webApi } from '@slack/bolt';
import type { KnownBlock, View } from '@slack/types';
import { escapeMrkdwn } from '../blocks/mrkdwn.js';
import { slackSentence } from '../actions/replies.js';
import type { PhoneCall } from '../../uapi/schemas.js';
import { execute } from '../../calls/execute.js';
import type { LinkedAccount } from '../../store/types.js';
import type { SlackDeps } from '../deps.js';
import type { SlackUser } from '../users/accounts.js';
import { LINK_BUTTON_ACTION } from '../users/linking.js';
import { RECENT_MS, callPanel } from './home-panel.js';
import { registerHomePresses } from './home-press.js';

const GUIDE = [
  '*How to use callops*',
  '• `/call list` shows your live calls; `/call list 0003*210` those of an extension.',
  '• `/call hold 0003*210 <callId>` and `/call resume ...`; buttons on each card do the same.',
  '• `/call dial <number>` rings your phone, then the number; *Call this number* on a message does the same.',
  '• `/call notify off|on`: missed-call DMs.',
  '• `/call whisper|listen|barge <ext> <callId> to <your ext>` for supervisors.',
  "• `/call events list 0003*210` manages the extension's call-event webhooks.",
  '• `/call help` lists everything.',
].join('\n');

export function homeView(opts: {
  account?: LinkedAccount;
  voipnowHost: string;
  calls?: PhoneCall[];
  /** mrkdwn, already escaped */
  callsError?: string;
  linkUrl?: string;
  recent?: Parameters<typeof callPanel>[0]['recent'];
  /** mrkdwn, already escaped: what the last press did */
  note?: string;
}): View {
  const blocks: KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'callops: live VoipNow calls' } }];
  if (!opts.account) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `:link: You have not linked your VoipNow account (${escapeMrkdwn(opts.voipnowHost)}). Actions run as you, so link it first.` },
    });
    if (opts.linkUrl) {
      blocks.push({
        type: 'actions',
        elements: [{ type: 'button', action_id: LINK_BUTTON_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Link VoipNow account' }, url: opts.linkUrl }],
      });
    }
  } else {
    blocks.push(
      ...callPanel({
        account: opts.account,
        voipnowHost: opts.voipnowHost,
        recent: opts.recent ?? [],
        ...(opts.calls && { calls: opts.calls }),
        ...(opts.callsError && { callsError: opts.callsError }),
        ...(opts.note && { note: opts.note }),
      }),
    );
  }
  blocks.push({ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text: GUIDE } });
  return { type: 'home', blocks };
}

/** Draw the user's App Home now (their live calls read with their own token); `note` says what a press did. */
export async function publishHome(deps: SlackDeps, client: webApi.WebClient, user: SlackUser, note?: string): Promise<void> {
  const account = await deps.accounts.get(user);
  let view: View;
  if (!account) {
    const link = await deps.linking.start(user, {});
    const button = link.blocks.find((b) => b.type === 'actions');
    const url = button && button.type === 'actions' && button.elements[0]?.type === 'button' ? button.elements[0].url : undefined;
    view = homeView({ voipnowHost: deps.voipnowHost, linkUrl: url });
  } else {
    const recent = deps.phone?.lines.recent(user, RECENT_MS) ?? [];
    const base = { account, voipnowHost: deps.voipnowHost, recent, ...(note && { note }) };
    try {
      const { client: uapi } = await deps.accounts.clientFor(user);
      const outcome = await execute(uapi, { kind: 'list', extension: '@self' });
      view = homeView({ ...base, calls: outcome.kind === 'calls' ? outcome.calls : [] });
    } catch (err) {
      view = homeView({ ...base, callsError: slackSentence(err, deps) });
    }
  }
  // In distribution mode, the workspace's VoipNow server: admins connect or change it from here.
  const server = (await deps.connect?.homeBlocks(client, user.teamId, user.userId).catch(() => [])) ?? [];
  if (server.length) view = { ...view, blocks: [...view.blocks, { type: 'divider' }, ...server] };
  await client.views.publish({ user_id: user.userId, view });
}

export function registerHome(app: App, deps: SlackDeps): void {
  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab && event.tab !== 'home') return;
    const user = { teamId: (body as { team_id?: string }).team_id ?? '', userId: event.user };
    deps.phone?.homeOpened(user, typeof event.channel === 'string' ? event.channel : undefined);
    await publishHome(deps, client, user);
  });
  if (deps.phone) deps.phone.redrawHome = (user) => publishHome(deps, app.client, user);
  registerHomePresses(app, deps, publishHome);
}
