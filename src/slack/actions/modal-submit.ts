/**
 * A submission of the action modal. Always acknowledged (field errors where
 * the input is wrong), whatever the payload holds; the metadata is checked
 * again and may only name an action that opens the modal; then the action goes
 * through the pipeline and updates the card the button was pressed on, unless that card was
 * drawn with a newer state while the form was open (then nothing is sent to VoipNow and the
 * user is told what the call is doing now).
 */
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { ActionParams } from '../../calls/action-spec.js';
import type { UapiCommand } from '../../calls/execute.js';
import { readModal, readModalMeta, type ModalMeta } from './action-modal.js';
import type { SlackDeps } from '../deps.js';
import type { OpenModals } from './open-modals.js';
import { requestIdentity } from './request-claims.js';

export type ModalSubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

const OUT_OF_DATE = 'This form is out of date; close it and press the button on the card again.';

export function onActionModalSubmit(deps: SlackDeps, modals: OpenModals) {
  return async ({ ack, view, body, client }: ModalSubmitArgs): Promise<void> => {
    let read: { meta: ModalMeta; cmd: UapiCommand } | undefined;
    try {
      const checked = readModalMeta(view?.private_metadata);
      if (!checked) {
        await ack({ response_action: 'errors', errors: { to: OUT_OF_DATE } });
        return;
      }
      const fields = readModal(checked.spec, view?.state?.values);
      if ('errors' in fields) {
        await ack({ response_action: 'errors', errors: fields.errors });
        return;
      }
      const { meta } = checked;
      const params: ActionParams = fields.params;
      read = { meta, cmd: { kind: 'action', action: checked.spec.name, extension: meta.extension, phoneCallId: meta.call, ...(meta.view && { viewId: meta.view }), params } };
    } catch (err) {
      deps.logger.error('could not read an action modal submission', { error: err instanceof Error ? err.message : String(err) });
      await ack({ response_action: 'errors', errors: { to: OUT_OF_DATE } });
      return;
    }
    await ack();
    const teamId = body.team?.id ?? body.user?.team_id ?? '';
    const { openedBy, ...place } = await modals.take(read.meta.card, deps.now()).catch((err: unknown): Awaited<ReturnType<OpenModals['take']>> => {
      deps.logger.warn('could not read an open modal from the store', { error: err instanceof Error ? err.message : String(err) });
      return {};
    });
    // Checked against the card's version again: if the card moved on while the form was open, nothing is sent.
    const press = openedBy && place.channelId && place.ts ? { channelId: place.channelId, messageTs: place.ts, ...openedBy, runsAction: false, fromForm: true } : undefined;
    await deps.pipeline.handle({
      user: { teamId, userId: body.user.id },
      cmd: read.cmd,
      client,
      surface: { kind: 'card', ...place },
      identity: requestIdentity.submission({ teamId, viewId: view?.id }),
      ...(press && { press }),
    });
  };
}
