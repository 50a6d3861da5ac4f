/**
 * A press of Call back (a missed-call DM, or a recent call in App Home): runs
 * `dial <number> from <extension>` through the action pipeline as the user who
 * pressed, with their own token: their phone rings first, then the number. The
 * new call's card is posted where the press was (the DM), or in the user's DM
 * when pressed in App Home. The button's value is input like any other: checked
 * with the seeds' rules before anything is sent.
 */
import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { rules } from '../../uapi/rules.js';
import { safeJson } from '../cards/card-target.js';
import type { SlackDeps } from '../deps.js';
import type { Respond } from '../cards/publish.js';
import { requestIdentity } from '../actions/request-claims.js';
import { CALL_BACK_ACTION_ID, type CallBackTarget } from './missed-call-message.js';

export function registerCallBack(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(CALL_BACK_ACTION_ID, onCallBack(deps));
}

function readTarget(value: unknown): CallBackTarget | undefined {
  const raw = safeJson(value) as Partial<CallBackTarget> | undefined;
  if (typeof raw?.n !== 'string' || typeof raw.e !== 'string') return undefined;
  try {
    return { n: rules.destination(raw.n), e: rules.extension(raw.e) };
  } catch {
    return undefined;
  }
}

export function onCallBack(deps: SlackDeps) {
  return async ({ ack, body, action, client, respond }: SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const user = { teamId: body.team?.id ?? body.user.team_id ?? '', userId: body.user.id };
    const channelId = body.channel?.id ?? body.container?.channel_id;
    // In App Home there is no channel and no response_url: the card and any answer go to the app's DM
    // with the user (its D... id from app_home_opened, so the card can be updated; else by user id).
    const dmChannel = deps.phone?.dmChannel(user) ?? user.userId;
    const dm: Respond = async (msg) => {
      await client.chat.postMessage({ channel: dmChannel, text: String(msg.text ?? ''), ...(msg.blocks ? { blocks: msg.blocks as KnownBlock[] } : {}) });
    };
    const answer: Respond = channelId ? respond : dm;
    const target = readTarget(action.value);
    if (!target) {
      await answer({ response_type: 'ephemeral', replace_original: false, text: 'This Call back button is out of date; nothing was dialled. Use `/call dial <number>` instead.' });
      return;
    }
    await deps.pipeline.handle({
      user,
      cmd: { kind: 'dial', destination: target.n, from: target.e },
      client,
      surface: { kind: 'post', channelId: channelId ?? dmChannel, respond: answer },
      identity: requestIdentity.press({
        teamId: user.teamId,
        channelId,
        messageTs: body.message?.ts ?? body.container?.message_ts ?? body.view?.id,
        actionId: action.action_id,
        actionTs: action.action_ts,
        userId: user.userId,
      }),
    });
  };
}
