/**
 * App Home: the user's link status, the live calls of their extensions and a short guide.
 */
import type { App } from '@slack/bolt';
import type { KnownBlock, View } from '@slack/types';
import { code, escapeMrkdwn } from './blocks/mrkdwn.js';
import { STATE_EMOJI, headline, legWords, sinceWords } from './blocks/call-headline.js';
import { snapshotOf } from '../board/snapshot.js';
import { legHintsOf } from './leg-hints.js';
import { slackSentence } from './replies.js';
import type { PhoneCall } from '../uapi/schemas.js';
import { execute } from '../calls/execute.js';
import type { LinkedAccount } from '../store/types.js';
import type { SlackDeps } from './deps.js';
import { LINK_BUTTON_ACTION } from './linking.js';
import { LIMITS, clip } from './blocks/limits.js';

const GUIDE = [
  '*How to use callops*',
  '• `/call list` shows your live calls; `/call list 0003*210` those of an extension.',
  '• `/call hold 0003*210 <callId>` and `/call resume ...`; buttons on each card do the same.',
  '• `/call whisper|listen|barge <ext> <callId> to <your ext>` for supervisors.',
  "• `/call events list 0003*210` manages the extension's call-event webhooks.",
  '• `/call help` lists everything.',
].join('\n');

const MAX_CALLS = 10;

export function homeView(opts: { account?: LinkedAccount; voipnowHost: string; calls?: PhoneCall[] /** mrkdwn, already escaped */; callsError?: string; linkUrl?: string }): View {
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
    const ext = opts.account.extension ? ` · extension ${code(opts.account.extension)}` : '';
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:white_check_mark: Linked to VoipNow (${escapeMrkdwn(opts.voipnowHost)})${ext}` } });
    blocks.push({ type: 'divider' });
    if (opts.callsError) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${opts.callsError}` } });
    else if (!opts.calls?.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'No live calls on your extensions right now.' } });
    else {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Your live calls* (${opts.calls.length})` } });
      for (const call of opts.calls.slice(0, MAX_CALLS)) {
        // The same words as the call's card: who is calling whom, since when, then each leg.
        const snap = snapshotOf(call, call.extension ?? '@self', legHintsOf(call.id));
        const legs = snap.legs.slice(0, 5).map(legWords).join('\n');
        blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`${STATE_EMOJI[snap.state]} ${headline(snap)}${sinceWords(snap)}\n${legs}`, LIMITS.sectionText) } });
        blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(`Call ${code(call.id)} on ${code(snap.extension)}`, LIMITS.contextText) }] });
      }
      if (opts.calls.length > MAX_CALLS) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${opts.calls.length - MAX_CALLS} more; use \`/call list\`.` }] });
    }
  }
  blocks.push({ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text: GUIDE } });
  return { type: 'home', blocks };
}

export function registerHome(app: App, deps: SlackDeps): void {
  app.event('app_home_opened', async ({ event, body, client }) => {
    if (event.tab && event.tab !== 'home') return;
    const user = { teamId: (body as { team_id?: string }).team_id ?? '', userId: event.user };
    const account = await deps.accounts.get(user);
    let view: View;
    if (!account) {
      const link = await deps.linking.start(user, {});
      const button = link.blocks.find((b) => b.type === 'actions');
      const url = button && button.type === 'actions' && button.elements[0]?.type === 'button' ? button.elements[0].url : undefined;
      view = homeView({ voipnowHost: deps.voipnowHost, linkUrl: url });
    } else {
      try {
        const { client: uapi } = await deps.accounts.clientFor(user);
        const outcome = await execute(uapi, { kind: 'list', extension: '@self' });
        view = homeView({ account, voipnowHost: deps.voipnowHost, calls: outcome.kind === 'calls' ? outcome.calls : [] });
      } catch (err) {
        view = homeView({ account, voipnowHost: deps.voipnowHost, callsError: slackSentence(err, deps) });
      }
    }
    await client.views.publish({ user_id: event.user, view });
  });
}
