/**
 * A press of a button on a call card. Acknowledged at once; then the press goes
 * through the action pipeline, which updates the same message in place. Hold,
 * Resume, Park, Hang up, Refresh run at once; the actions that need a target
 * (unpark, whisper, listen, barge in, transfer) open the action modal after the
 * same admission (link and role checked once).
 */
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { findCallAction } from '../../calls/actions.js';
import { parseActionId } from '../blocks/ids.js';
import type { UapiCommand } from '../../calls/execute.js';
import { actionModal, opensModal } from './action-modal.js';
import { readCardTarget } from '../cards/card-target.js';
import type { SlackDeps } from '../deps.js';
import type { OpenModals } from './open-modals.js';
import type { ActionRequest } from './action-request.js';
import { failureReply } from './replies.js';
import { requestIdentity } from './request-claims.js';
import { pressNoteOf } from '../http/requests-in-flight.js';

export type CardPressArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

const OUT_OF_DATE = 'This button is out of date. Run `/call list` for a fresh card.';

export function onCardPress(deps: SlackDeps, modals: OpenModals) {
  return async ({ ack, body, action, client, respond, context }: CardPressArgs): Promise<void> => {
    await ack();
    const user = { teamId: body.team?.id ?? body.user.team_id ?? '', userId: body.user.id };
    const channelId = body.channel?.id ?? body.container?.channel_id;
    const ts = body.message?.ts ?? body.container?.message_ts;
    const blocks = body.message?.blocks as KnownBlock[] | undefined;
    const id = parseActionId(action.action_id);
    const target = readCardTarget(action.value);
    const spec = id && id.action !== 'refresh' && id.action !== 'post' ? findCallAction(id.action) : undefined;
    if (!id || !target || (id.action !== 'refresh' && id.action !== 'post' && spec?.name !== id.action)) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: OUT_OF_DATE });
      return;
    }
    if (context.retryNum) deps.logger.info('Slack retried a press', { retry: context.retryNum, reason: context.retryReason });
    const press = { teamId: user.teamId, channelId, messageTs: ts, actionId: action.action_id, userId: user.userId };
    const cmd: UapiCommand = spec
      ? { kind: 'action', action: spec.name, extension: target.extension, phoneCallId: target.call, ...(target.view && { viewId: target.view }), params: {} }
      : { kind: 'show', extension: target.extension, phoneCallId: target.call };
    const opens = spec !== undefined && opensModal(spec);
    const note = pressNoteOf(context);
    const request: ActionRequest = {
      user,
      cmd,
      client,
      ...(spec && channelId && ts && { press: { channelId, messageTs: ts, actionId: action.action_id, version: target.version ?? 0, runsAction: !opens } }),
      // "Post to channel" on a private list: the call's card is posted like an action's, and kept current.
      surface: id.action === 'post' && channelId ? { kind: 'post', channelId, respond } : { kind: 'card', channelId, ts, blocks, respond },
      identity: requestIdentity.press({ ...press, actionTs: action.action_ts }),
      ...(note && { note }),
    };
    if (!opens) {
      await deps.pipeline.handle(request);
      return;
    }
    await deps.pipeline.tracked(
      (async () => {
        try {
          const admission = await deps.pipeline.admit(request);
          if (admission.kind === 'refused') await deps.pipeline.tell(request, admission.reply.text, admission.reply.blocks as KnownBlock[] | undefined);
          if (admission.kind !== 'run') return;
          // The card's version the button was drawn at: the submission runs only if the card is still at it.
          const openedBy = { actionId: action.action_id, version: target.version ?? 0 };
          const card = await modals.remember({ channelId, ts, blocks, responseUrl: (body as { response_url?: string }).response_url, openedBy }, deps.now());
          const meta = { action: spec.name, call: target.call, extension: target.extension, ...(target.view && { view: target.view }), card };
          await client.views.open({ trigger_id: body.trigger_id, view: actionModal(spec, meta, admission.account.extension) });
        } catch (err) {
          await deps.pipeline.tell(request, (await failureReply(deps, user, err, channelId)).text);
        }
      })(),
    );
  };
}
