/**
 * Presses in the App Home call panel. A card button (`home.call.*`) runs its
 * action through the action pipeline as the user who pressed, with their own
 * token, once (Slack's retries and repeated presses of the unchanged panel are
 * claimed like a card's); then the panel is drawn again with the call's new
 * state, and with what happened, failures included, in its note line. The
 * switch (`home.notify`) turns missed-call DMs on or off, as `/call notify` does.
 */
import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs, webApi } from '@slack/bolt';
import { findCallAction } from '../../calls/actions.js';
import type { UapiCommand } from '../../calls/execute.js';
import type { SlackUser } from '../users/accounts.js';
import { opensModal } from '../actions/action-modal.js';
import { parseActionId } from '../blocks/ids.js';
import { readCardTarget } from '../cards/card-target.js';
import type { SlackDeps } from '../deps.js';
import { requestIdentity } from '../actions/request-claims.js';
import { HOME_NOTIFY_ACTION_ID, HOME_PREFIX } from './home-panel.js';

type Publish = (deps: SlackDeps, client: webApi.WebClient, user: SlackUser, note?: string) => Promise<void>;
type PressArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

export function registerHomePresses(app: App, deps: SlackDeps, publish: Publish): void {
  app.action<BlockAction<ButtonAction>>(new RegExp(`^${HOME_PREFIX.replace('.', '\\.')}call\\.`), onHomeCardPress(deps, publish));
  app.action<BlockAction<ButtonAction>>(HOME_NOTIFY_ACTION_ID, onHomeNotify(deps, publish));
}

/** Whether a message the pipeline showed is the call's card (the action ran) rather than a sentence about it. */
const isCard = (blocks: unknown, callId: string) =>
  Array.isArray(blocks) && blocks.some((b: { block_id?: unknown }) => typeof b.block_id === 'string' && b.block_id.startsWith(`${callId}.`));

export function onHomeCardPress(deps: SlackDeps, publish: Publish) {
  return async ({ ack, body, action, client, context }: PressArgs): Promise<void> => {
    await ack();
    const user = { teamId: body.team?.id ?? body.user.team_id ?? '', userId: body.user.id };
    deps.phone?.homeOpened(user);
    const id = parseActionId(action.action_id.slice(HOME_PREFIX.length));
    const target = readCardTarget(action.value);
    const spec = id && id.action !== 'refresh' && id.action !== 'post' ? findCallAction(id.action) : undefined;
    if (!id || !target || (id.action !== 'refresh' && spec?.name !== id.action)) {
      await publish(deps, client, user, ':warning: That button is out of date; the panel is redrawn with your calls as they are now.');
      return;
    }
    if (spec && opensModal(spec)) {
      const verb = (spec.verb ?? spec.name).split(' ')[0];
      await publish(deps, client, user, `:information_source: *${spec.label}* needs a target: type \`/call ${verb} ${target.extension} ${target.call} to <extension>\` in any channel.`);
      return;
    }
    if (context.retryNum) deps.logger.info('Slack retried a Home press', { retry: context.retryNum });
    const viewId = body.view?.id;
    const press = { teamId: user.teamId, messageTs: viewId ? `home:${viewId}` : undefined, actionId: action.action_id, userId: user.userId };
    const cmd: UapiCommand = spec
      ? { kind: 'action', action: spec.name, extension: target.extension, phoneCallId: target.call, ...(target.view && { viewId: target.view }), params: {} }
      : { kind: 'show', extension: target.extension, phoneCallId: target.call };
    // What the pipeline would tell the user privately goes into the panel's note line instead.
    const said: string[] = [];
    let acted = false;
    await deps.pipeline.handle({
      user,
      cmd,
      client,
      surface: {
        kind: 'card',
        respond: async (msg) => {
          if (isCard(msg.blocks, target.call)) acted = true;
          else if (typeof msg.text === 'string') said.push(msg.text);
        },
      },
      identity: requestIdentity.press({ ...press, actionTs: action.action_ts }),
      // One action per press of this drawing of Home: the view's hash changes with every publish, so
      // the next drawing takes the next press however alike it looks.
      ...(spec &&
        viewId && {
          press: {
            channelId: `home:${user.teamId}:${user.userId}`,
            messageTs: `${viewId}:${body.view?.hash ?? ''}`,
            actionId: action.action_id,
            version: target.version ?? 0,
            runsAction: true,
          },
        }),
    });
    const label = spec?.label ?? 'Refresh';
    const note = said.length ? `:warning: ${said.join(' ')}` : acted ? `:white_check_mark: ${label}: done on call \`${target.call}\`.` : undefined;
    await publish(deps, client, user, note);
  };
}

export function onHomeNotify(deps: SlackDeps, publish: Publish) {
  return async ({ ack, body, action, client }: PressArgs): Promise<void> => {
    await ack();
    const user = { teamId: body.team?.id ?? body.user.team_id ?? '', userId: body.user.id };
    const on = action.value === 'on';
    const done = await deps.store.setMissedCallDms(user.teamId, user.userId, on);
    await publish(deps, client, user, done ? undefined : ':warning: Link your VoipNow account first.');
  };
}
