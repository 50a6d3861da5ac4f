/**
 * Typed commands that end or delete something (`/call hangup`, a transfer, a
 * voicemail, a barge-in: the action table's disruptive actions; `/call events
 * delete`) ask first, as a card's buttons do with Slack's confirm dialog: a
 * private message says what will happen, with Confirm and Cancel. Confirm runs
 * the command through the action pipeline, claimed once for that confirmation
 * (presses, Slack's retries and replicas run it once); Cancel sends nothing.
 */
import { randomBytes } from 'node:crypto';
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { callAction } from '../../calls/actions.js';
import { parseCommand } from '../../calls/command.js';
import { isUapiCommand, type UapiCommand } from '../../calls/execute.js';
import { LIMITS, clip } from '../blocks/limits.js';
import { code, escapeMrkdwn } from '../blocks/mrkdwn.js';
import type { SlackDeps } from '../deps.js';
import type { ActionRequest } from '../actions/action-request.js';
import { failureReply } from '../actions/replies.js';

export const CONFIRM_ACTION_ID = 'command.confirm';
export const CANCEL_ACTION_ID = 'command.cancel';

/** What the Confirm button carries: the command as typed, and this confirmation's own id. */
interface ConfirmValue {
  command: string;
  confirmation: string;
}

/** Whether a typed command asks before it runs. */
export function needsConfirmation(cmd: UapiCommand): boolean {
  return (cmd.kind === 'action' && callAction(cmd.action).disruptive) || cmd.kind === 'events-delete';
}

function whatItDoes(cmd: UapiCommand): { title: string; text: string } {
  if (cmd.kind === 'action') {
    const spec = callAction(cmd.action);
    const call = cmd.phoneCallId ? `call ${code(cmd.phoneCallId)}` : `the live call on ${code(cmd.extension)}`;
    return { title: spec.label, text: `*${escapeMrkdwn(spec.label)}* ${call}? This will ${escapeMrkdwn(spec.summary)}.` };
  }
  if (cmd.kind === 'events-delete') {
    const which = cmd.eventId !== undefined ? `call event ${code(cmd.eventId)}` : cmd.eventType !== undefined ? `every call event of type ${cmd.eventType}` : 'every call event';
    return { title: 'Delete', text: `*Delete* ${which} of ${code(cmd.extension)}? VoipNow stops calling its web address; this cannot be undone.` };
  }
  return { title: 'Run', text: 'Run this command?' };
}

/** The private question, or undefined when the command is too long to carry in a button (it is then refused, never run unasked). */
export function confirmationMessage(typed: string, cmd: UapiCommand): { text: string; blocks: KnownBlock[] } | undefined {
  const value: ConfirmValue = { command: typed, confirmation: randomBytes(12).toString('hex') };
  const json = JSON.stringify(value);
  if (json.length > LIMITS.buttonValue) return undefined;
  const { title, text } = whatItDoes(cmd);
  return {
    text: clip(`${title}? Confirm or cancel.`, LIMITS.messageText),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: clip(`You typed ${code(`/call ${typed}`)}. Nothing is sent to VoipNow until you confirm.`, LIMITS.contextText) }] },
      {
        type: 'actions',
        block_id: 'command.confirmation',
        elements: [
          { type: 'button', action_id: CONFIRM_ACTION_ID, style: 'danger', text: { type: 'plain_text', text: clip(title, LIMITS.buttonText) }, value: json },
          { type: 'button', action_id: CANCEL_ACTION_ID, text: { type: 'plain_text', text: 'Cancel' }, value: 'cancel' },
        ],
      },
    ],
  };
}

function readValue(raw: unknown): ConfirmValue | undefined {
  if (typeof raw !== 'string' || raw.length > LIMITS.buttonValue) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<ConfirmValue>;
    return typeof v.command === 'string' && typeof v.confirmation === 'string' && /^[0-9a-f]{8,64}$/.test(v.confirmation) ? { command: v.command, confirmation: v.confirmation } : undefined;
  } catch {
    return undefined;
  }
}

export type ConfirmPressArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** Confirm or Cancel on the private question. */
export function onConfirmPress(deps: SlackDeps) {
  return async ({ ack, body, action, client, respond }: ConfirmPressArgs): Promise<void> => {
    await ack();
    await deps.pipeline.tracked(answer(deps, { body, action, client, respond }));
  };
}

async function answer(deps: SlackDeps, { body, action, client, respond }: Pick<ConfirmPressArgs, 'body' | 'action' | 'client' | 'respond'>): Promise<void> {
  const user = { teamId: body.team?.id ?? body.user.team_id ?? '', userId: body.user.id };
  if (action.action_id === CANCEL_ACTION_ID) {
    await respond({ replace_original: true, text: 'Cancelled: nothing was sent to VoipNow.' });
    return;
  }
  const value = readValue(action.value);
  let cmd: ReturnType<typeof parseCommand> | undefined;
  try {
    cmd = value && parseCommand(value.command);
  } catch {
    cmd = undefined;
  }
  const channelId = body.channel?.id ?? body.container?.channel_id;
  if (!value || !cmd || !isUapiCommand(cmd) || !needsConfirmation(cmd) || !channelId) {
    await respond({ response_type: 'ephemeral', replace_original: false, text: 'This confirmation is out of date. Type the command again.' });
    return;
  }
  const request: ActionRequest = {
    user,
    cmd,
    client,
    surface: { kind: 'post', channelId, respond },
    // One confirmation runs once, whoever presses how often, on whichever replica.
    identity: `confirm:${user.teamId}:${value.confirmation}`,
    runsAtOnce: true,
  };
  try {
    const admission = await deps.pipeline.admit(request);
    if (admission.kind === 'duplicate') return;
    await respond({ replace_original: true, text: `Confirmed: ${escapeMrkdwn(`/call ${value.command}`)}. Working on it…` });
    if (admission.kind === 'refused') {
      await respond({ ...admission.reply, replace_original: false });
      return;
    }
    await deps.pipeline.run(admission);
  } catch (err) {
    await respond(await failureReply(deps, user, err, channelId));
  }
}
