/**
 * Buttons on call cards and the call action modal. A press acknowledges at
 * once, marks the card as working, runs the action as the pressing user and
 * updates the same message in place with the new state and who did what.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { App, BlockAction, ButtonAction, RespondFn, ViewSubmitAction, webApi } from '@slack/bolt';
import type { KnownBlock, View } from '@slack/types';
import { findCallAction, type ActionParams, type CallActionSpec } from '../calls/actions.js';
import { callCard, endedCard, parseActionId, replaceCallBlocks, withNote, code } from '../calls/card.js';
import { CallGone, type UapiCommand } from '../calls/execute.js';
import { rules } from '../uapi/rules.js';
import { UapiError } from '../uapi/errors.js';
import { actionKey } from './operations.js';
import { failureReply } from './replies.js';
import type { SlackUser } from './accounts.js';
import type { SlackDeps } from './deps.js';
import { runOnBoardCard } from './board/actions.js';
import type { Respond } from './publish.js';

type WebClient = webApi.WebClient;

const targetSchema = z.object({ c: z.string(), e: z.string(), v: z.string().optional() });
export const CALL_MODAL_ID = 'call.modal';

/** Where a card lives, and its blocks as the pressing user saw them. */
interface CardPlace {
  channelId?: string;
  ts?: string;
  blocks?: KnownBlock[];
  respond?: Respond;
}

/**
 * Blocks of messages whose modal is open, so a submission can update the right
 * call inside a list. Kept in memory: a modal outliving a restart still works,
 * its card is then posted privately instead of updated.
 */
class OpenModals {
  private readonly open = new Map<string, { place: CardPlace; at: number }>();
  private static readonly TTL_MS = 30 * 60_000;

  remember(place: CardPlace, now: number): string {
    for (const [k, v] of this.open) if (now - v.at > OpenModals.TTL_MS) this.open.delete(k);
    const id = randomBytes(8).toString('hex');
    this.open.set(id, { place, at: now });
    return id;
  }

  take(id: string): CardPlace {
    const place = this.open.get(id)?.place ?? {};
    this.open.delete(id);
    return place;
  }
}

export function registerInteractions(app: App, deps: SlackDeps): void {
  const modals = new OpenModals();
  app.action<BlockAction<ButtonAction>>(/^call\./, async ({ ack, body, action, client, respond }) => {
    await ack();
    const user: SlackUser = { teamId: body.team?.id ?? body.user.team_id ?? '', userId: body.user.id };
    const place: CardPlace = {
      channelId: body.channel?.id ?? body.container?.channel_id,
      ts: body.message?.ts ?? body.container?.message_ts,
      blocks: body.message?.blocks as KnownBlock[] | undefined,
      respond,
    };
    const id = parseActionId(action.action_id);
    const target = safeTarget(action.value);
    if (!id || !target) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'This button is out of date. Run `/call list` for a fresh card.' });
      return;
    }
    try {
      if (!(await deps.accounts.get(user))) {
        await respond({ ...(await deps.linking.start(user, { channelId: place.channelId, why: 'First link your VoipNow account: callops acts on calls as you. Nothing was sent to VoipNow.' })), replace_original: false });
        return;
      }
      if (id.action === 'refresh') {
        await runOnCard(deps, client, user, { kind: 'show', extension: target.e, phoneCallId: target.c }, place);
        return;
      }
      const spec = findCallAction(id.action);
      if (!spec) throw new UapiError({ kind: 'invalid_input', code: 'pc_action_invalid' });
      const cmd: UapiCommand = { kind: 'action', action: spec.name, extension: target.e, phoneCallId: target.c, ...(target.v && { viewId: target.v }), params: {} };
      await deps.operations.assertAllowed(user, cmd);
      if (spec.required.includes('to')) {
        const account = await deps.accounts.get(user);
        const key = modals.remember(place, deps.now());
        await client.views.open({ trigger_id: body.trigger_id, view: actionModal(spec, { ...target, k: key }, account?.extension) });
        return;
      }
      await runOnCard(deps, client, user, cmd, place);
    } catch (err) {
      await respond(await failureReply(deps, user, err, place.channelId));
    }
  });

  app.view<ViewSubmitAction>(CALL_MODAL_ID, async ({ ack, view, body, client }) => {
    const meta = modalMetaSchema.safeParse(safeJson(view.private_metadata));
    const spec = meta.success ? findCallAction(meta.data.a) : undefined;
    if (!meta.success || !spec) {
      await ack({ response_action: 'errors', errors: { to: 'This form is out of date; close it and press the button again.' } });
      return;
    }
    const read = readModal(spec, view.state.values);
    if ('errors' in read) {
      await ack({ response_action: 'errors', errors: read.errors });
      return;
    }
    await ack();
    const user: SlackUser = { teamId: body.team?.id ?? body.user.team_id ?? '', userId: body.user.id };
    const m = meta.data;
    const place = modals.take(m.k);
    const cmd: UapiCommand = { kind: 'action', action: spec.name, extension: m.e, phoneCallId: m.c, ...(m.v && { viewId: m.v }), params: read.params };
    try {
      await runOnCard(deps, client, user, cmd, place);
    } catch (err) {
      const reply = await failureReply(deps, user, err, place.channelId);
      await tellPrivately(client, user.userId, place.channelId, reply.text, 'blocks' in reply ? reply.blocks : undefined);
    }
  });
}

/** JSON from a button value or private_metadata; anything malformed is undefined. */
export function safeJson(s: string | undefined): unknown {
  try {
    return JSON.parse(s ?? '');
  } catch {
    return undefined;
  }
}

function safeTarget(value: string | undefined) {
  const t = targetSchema.safeParse(safeJson(value));
  return t.success ? t.data : undefined;
}

/** Run an action (or a refresh) and update the card it was pressed on. */
export async function runOnCard(deps: SlackDeps, client: WebClient, user: SlackUser, cmd: UapiCommand, place: CardPlace): Promise<void> {
  // Supervisor board (issue 11): a board card is audited and re-rendered by the board's scheduler.
  const boardRef = deps.board?.cardAt(user.teamId, place);
  if (boardRef) return runOnBoardCard(deps, user, cmd, boardRef, place.respond);
  const callId = cmd.kind === 'action' || cmd.kind === 'show' ? cmd.phoneCallId : undefined;
  const canUpdate = place.channelId !== undefined && place.ts !== undefined;
  const where = { channelId: place.channelId ?? '', ts: place.ts ?? '', respond: place.respond };
  const outcome = await deps.operations.once(actionKey(user, cmd), async () => {
    if (canUpdate && place.blocks && callId && cmd.kind === 'action') {
      const label = findCallAction(cmd.action)?.label ?? cmd.action;
      await deps.publisher
        .update(client, where, { text: `${label}: working…`, blocks: withNote(place.blocks, callId, `:hourglass_flowing_sand: <@${user.userId}>: ${label}, working…`) })
        .catch((err: unknown) => deps.logger.warn('could not mark card as working', { error: String(err) }));
    }
    try {
      return await deps.operations.execute(user, cmd);
    } catch (err) {
      if (canUpdate && place.blocks) {
        // A call that ended meanwhile gets the ended card; otherwise the card is put back as it was.
        const blocks =
          err instanceof CallGone && callId
            ? replaceCallBlocks(place.blocks, callId, endedCard(callId, cmd.extension).blocks)
            : place.blocks;
        await deps.publisher.update(client, where, { text: 'Call', blocks }).catch(() => undefined);
      }
      throw err;
    }
  });
  if (!outcome) {
    await tellPrivately(client, user.userId, place.channelId, 'That action is already running on this call; wait for it to finish.', undefined, place.respond);
    return;
  }
  const note = outcome.kind === 'action' ? deps.operations.note(user.userId, outcome) : undefined;
  let msg = deps.operations.message(user.userId, outcome, note);
  if (outcome.kind === 'calls' && outcome.calls[0]) {
    const t = Math.floor(deps.now() / 1000);
    msg = callCard(outcome.calls[0], { extension: outcome.extension, note: `Refreshed by <@${user.userId}> · <!date^${t}^{time_secs}|${new Date(t * 1000).toISOString()}>` });
  }
  const blocks = place.blocks && callId ? replaceCallBlocks(place.blocks, callId, msg.blocks) : msg.blocks;
  if (canUpdate) await deps.publisher.update(client, where, { text: msg.text, blocks });
  else await tellPrivately(client, user.userId, undefined, msg.text, msg.blocks);
  if (callId && outcome.kind === 'action') {
    await deps.publisher.syncOthers(client, callId, canUpdate ? { channelId: where.channelId, ts: where.ts } : undefined, () => msg);
    if (outcome.call) deps.followUp.follow(client, user, outcome.call, outcome.extension, note);
  }
}

/** A private answer: response_url when there is one, else ephemeral in the channel, else a DM. */
async function tellPrivately(client: WebClient, userId: string, channelId: string | undefined, text: string, blocks?: KnownBlock[], respond?: RespondFn | Respond) {
  if (respond) {
    await respond({ response_type: 'ephemeral', replace_original: false, text, ...(blocks && { blocks }) });
    return;
  }
  if (channelId) {
    try {
      await client.chat.postEphemeral({ channel: channelId, user: userId, text, ...(blocks && { blocks }) });
      return;
    } catch {
      /* not in channel: fall through to a DM */
    }
  }
  await client.chat.postMessage({ channel: userId, text, ...(blocks && { blocks }) });
}

// ---------------------------------------------------------------------------
// The modal for actions that ring someone (unpark, whisper, listen, barge in, transfer).

const modalMetaSchema = z.object({ a: z.string(), c: z.string(), e: z.string(), v: z.string().optional(), k: z.string() });

/** A one-line text input whose value is read back as `values[blockId].value`. */
function textInput(blockId: string, label: string, hint: string, placeholder: string, opts: { optional?: boolean; initial?: string } = {}): KnownBlock {
  return {
    type: 'input',
    block_id: blockId,
    ...(opts.optional && { optional: true }),
    label: { type: 'plain_text', text: label },
    hint: { type: 'plain_text', text: hint },
    element: { type: 'plain_text_input', action_id: 'value', ...(opts.initial && { initial_value: opts.initial }), placeholder: { type: 'plain_text', text: placeholder } },
  };
}

export function actionModal(spec: CallActionSpec, meta: z.infer<typeof modalMetaSchema> | { c: string; e: string; v?: string; k: string }, ownExtension?: string): View {
  const transfer = spec.name === 'transfer';
  const blocks: View['blocks'] = [
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${spec.label} on call ${code(meta.c)}${meta.v ? ` view ${code(meta.v)}` : ''} on ${code(meta.e)}: ${spec.summary}.` }] },
    textInput(
      'to',
      transfer ? 'Send the call to (extension or number)' : 'Extension to ring',
      transfer ? 'For example 0003*025 or +15551234567' : 'A phone terminal extension, for example 0003*024',
      '0003*024',
      { initial: ownExtension },
    ),
  ];
  if (spec.params.includes('callerId')) {
    blocks.push(textInput('callerId', 'Caller ID shown to them', 'A name and a number in angle brackets, like John Doe <42420042>', 'Supervisor <42420042>', { optional: true }));
  }
  if (spec.params.includes('wait')) {
    blocks.push(textInput('wait', 'Ring for (seconds)', 'Whole seconds above 0; VoipNow rings 25 seconds by default', '25', { optional: true }));
  }
  if (spec.params.includes('private')) {
    blocks.push({
      type: 'input',
      block_id: 'private',
      optional: true,
      label: { type: 'plain_text', text: 'Privacy' },
      element: {
        type: 'checkboxes',
        action_id: 'value',
        options: [{ text: { type: 'plain_text', text: 'Private: the whisperer does not hear the conversation' }, value: '1' }],
      },
    });
  }
  return {
    type: 'modal',
    callback_id: CALL_MODAL_ID,
    private_metadata: JSON.stringify({ a: spec.name, ...meta }),
    title: { type: 'plain_text', text: spec.label.slice(0, 24) },
    submit: { type: 'plain_text', text: spec.label.slice(0, 24) },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

type Values = ViewSubmitAction['view']['state']['values'];

/** The modal's fields through the seeds' rules; a bad one is reported on its field. */
export function readModal(spec: CallActionSpec, values: Values): { params: ActionParams } | { errors: Record<string, string> } {
  const text = (block: string) => values[block]?.value?.value?.trim() || undefined;
  const params: ActionParams = {};
  const errors: Record<string, string> = {};
  const field = (block: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      errors[block] = err instanceof UapiError ? err.sentence.replace(/`/g, '') : 'Not valid.';
    }
  };
  const to = text('to');
  if (!to) errors.to = 'Enter the extension to ring, for example 0003*024.';
  else field('to', () => (params.to = rules.sendCallTo(to, { allowPhoneNumber: spec.name === 'transfer' })));
  const callerId = text('callerId');
  if (callerId && spec.params.includes('callerId')) field('callerId', () => (params.callerId = rules.callerId(callerId)));
  const wait = text('wait');
  if (wait && spec.params.includes('wait')) field('wait', () => (params.wait = rules.waitForPickup(wait)));
  if (spec.params.includes('private')) {
    const selected = values.private?.value?.selected_options ?? [];
    params.private = selected.length > 0 ? 1 : 0;
  }
  return Object.keys(errors).length ? { errors } : { params };
}
