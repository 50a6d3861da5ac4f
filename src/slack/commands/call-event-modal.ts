/**
 * Editing one of VoipNow's PhoneCallEvents of an extension (the web address
 * VoipNow calls when a call rings, is answered or hangs up) in a modal: from
 * the Edit button of `/call events list`, or `/call events update <ext> <type>
 * <id>` without changes. Reading and saving go through the domain
 * (src/calls/call-events.ts); the submission is the seed's Update PhoneCallEvents.
 */
import { z } from 'zod';
import type { App, BlockAction, ButtonAction, RespondFn, ViewSubmitAction, webApi } from '@slack/bolt';
import type { View } from '@slack/types';
import { EVENT_EDIT_ACTION_ID } from '../blocks/ids.js';
import { readEventButton } from '../blocks/call-events.js';
import { readCallEvent, updateCallEvent } from '../../calls/call-events.js';
import { code } from '../blocks/mrkdwn.js';
import { eventLine, eventTypeWords } from '../../calls/describe.js';
import { rules } from '../../uapi/rules.js';
import { UapiError } from '../../uapi/errors.js';
import type { PhoneCallEvent } from '../../uapi/schemas.js';
import { LinkRequired, type SlackUser } from '../users/accounts.js';
import type { SlackDeps } from '../deps.js';
import { failureReply } from '../actions/replies.js';
import { safeJson } from '../cards/card-target.js';
import { LIMITS, clip } from '../blocks/limits.js';

export const EVENT_MODAL_ID = 'event.modal';
export const EVENT_NOTICE_ID = 'event.notice';
/** The modal's private_metadata: which event, and the channel to answer in. */
const metaSchema = z.union([
  z.object({ extension: z.string(), type: z.number(), id: z.string(), channel: z.string().optional() }),
  // One-letter keys of modals opened before they were renamed.
  z
    .object({ e: z.string(), t: z.number(), id: z.string(), ch: z.string().optional() })
    .transform(({ e, t, id, ch }) => ({ extension: e, type: t, id, ...(ch !== undefined && { channel: ch }) })),
]);
type Meta = { extension: string; type: number; id: string; channel?: string };

/**
 * Opens the modal at once, inside the trigger's 3 seconds, with a loading note;
 * it is filled in with `views.update` when VoipNow answers, or says plainly
 * that the event could not be loaded. (Waiting for VoipNow first let the
 * trigger expire on a slow PBX, and the modal never opened.)
 */
export async function openEventModal(
  deps: SlackDeps,
  client: webApi.WebClient,
  user: SlackUser,
  triggerId: string,
  ref: { extension: string; eventType: number; eventId: string },
  respond: RespondFn,
  channelId?: string,
): Promise<void> {
  const meta: Meta = { extension: ref.extension, type: ref.eventType, id: ref.eventId, ...(channelId && { channel: channelId }) };
  let viewId: string | undefined;
  try {
    const opened = await client.views.open({ trigger_id: triggerId, view: eventNoticeModal(meta, ':hourglass_flowing_sand: Loading the event from VoipNow…') });
    viewId = opened.view?.id;
  } catch (err) {
    deps.logger.warn('could not open the event modal', { error: err instanceof Error ? err.message : String(err) });
  }
  try {
    const { client: uapi } = await deps.accounts.clientFor(user);
    const event = await readCallEvent(uapi, ref);
    if (!viewId) throw new Error('the modal could not be opened');
    await client.views.update({ view_id: viewId, view: eventModal(meta, event) });
  } catch (err) {
    const reply = await failureReply(deps, user, err, channelId);
    if (viewId) {
      const sentence = err instanceof LinkRequired ? 'Your VoipNow account is not linked (or the link expired): see the message from callops in Slack.' : reply.text;
      await client.views
        .update({ view_id: viewId, view: eventNoticeModal(meta, `The event could not be loaded. ${sentence}`) })
        .catch((e: unknown) => deps.logger.warn('could not update the event modal', { error: e instanceof Error ? e.message : String(e) }));
    }
    if (!viewId || err instanceof LinkRequired) await respond(reply);
  }
}

/** The modal while loading, or when loading failed: the event named, one line of mrkdwn (already escaped), no Save. */
export function eventNoticeModal(meta: Meta, mrkdwn: string): View {
  return {
    type: 'modal',
    callback_id: EVENT_NOTICE_ID,
    title: { type: 'plain_text', text: 'Edit call event' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Event ${code(meta.id)} (${eventTypeWords(meta.type)}) on ${code(meta.extension)}` }] },
      { type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwn, LIMITS.sectionText) } },
    ],
  };
}

export function eventModal(meta: Meta, current: PhoneCallEvent): View {
  const option = (text: string, value: string) => ({ text: { type: 'plain_text' as const, text }, value });
  const methods = [option('GET', '0'), option('POST', '1')];
  const statuses = [option('Enabled', '1'), option('Disabled', '0')];
  const method = methods.find((o) => o.value === String(current.method));
  const status = statuses.find((o) => o.value === String(current.status));
  return {
    type: 'modal',
    callback_id: EVENT_MODAL_ID,
    private_metadata: JSON.stringify(meta),
    title: { type: 'plain_text', text: 'Edit call event' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Event ${code(meta.id)} (${eventTypeWords(meta.type)}) on ${code(meta.extension)}` }] },
      {
        type: 'input',
        block_id: 'url',
        label: { type: 'plain_text', text: 'URL VoipNow calls' },
        element: { type: 'plain_text_input', action_id: 'value', ...(current.url && { initial_value: current.url }) },
      },
      {
        type: 'input',
        block_id: 'method',
        label: { type: 'plain_text', text: 'Method' },
        element: { type: 'static_select', action_id: 'value', options: methods, ...(method && { initial_option: method }) },
      },
      {
        type: 'input',
        block_id: 'status',
        label: { type: 'plain_text', text: 'Status' },
        element: { type: 'static_select', action_id: 'value', options: statuses, ...(status && { initial_option: status }) },
      },
      {
        type: 'input',
        block_id: 'note',
        optional: true,
        label: { type: 'plain_text', text: 'Note' },
        hint: { type: 'plain_text', text: 'At most 1024 characters' },
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 1024, ...(current.note && { initial_value: current.note }) },
      },
    ],
  };
}

export function registerEventEditing(app: App, deps: SlackDeps): void {
  app.action<BlockAction<ButtonAction>>(new RegExp(`^${EVENT_EDIT_ACTION_ID.replace('.', '\\.')}\\.`), async ({ ack, body, action, client, respond }) => {
    await ack();
    const user: SlackUser = { teamId: body.team?.id ?? body.user.team_id ?? '', userId: body.user.id };
    const v = readEventButton(action.value);
    if (!v) return;
    await openEventModal(deps, client, user, body.trigger_id, { extension: v.extension, eventType: v.type, eventId: v.id }, respond, body.channel?.id);
  });

  app.view<ViewSubmitAction>(EVENT_MODAL_ID, async ({ ack, view, body, client }) => {
    const meta = metaSchema.safeParse(safeJson(view.private_metadata));
    if (!meta.success) {
      await ack({ response_action: 'errors', errors: { url: 'This form is out of date; open it again.' } });
      return;
    }
    // A submission is always acknowledged: fields are read defensively (a tampered or odd
    // payload with a missing state or a non-string value gets field errors, never a throw).
    const values = view.state?.values ?? {};
    const field = (block: string, key: 'value' | 'selected_option'): string => {
      const inner = Object.hasOwn(values, block) ? (values[block] as Record<string, unknown> | undefined)?.value : undefined;
      const v = inner && typeof inner === 'object' ? (inner as Record<string, unknown>)[key] : undefined;
      if (key === 'value') return typeof v === 'string' ? v : '';
      const option = v && typeof v === 'object' ? (v as { value?: unknown }).value : undefined;
      return typeof option === 'string' ? option : '';
    };
    const errors: Record<string, string> = {};
    const changes: { url?: string; method?: 0 | 1; status?: 0 | 1; note?: string } = {};
    const check = (block: string, fn: () => void) => {
      try {
        fn();
      } catch (err) {
        errors[block] = err instanceof UapiError ? err.sentence.replace(/`/g, '') : 'Not valid.';
      }
    };
    check('url', () => (changes.url = rules.eventUrl(field('url', 'value'))));
    check('method', () => (changes.method = rules.eventMethod(field('method', 'selected_option'))));
    check('status', () => (changes.status = rules.eventStatus(field('status', 'selected_option'))));
    const note = field('note', 'value');
    if (note) check('note', () => (changes.note = rules.eventNote(note)));
    if (Object.keys(errors).length) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    const user: SlackUser = { teamId: body.team?.id ?? body.user.team_id ?? '', userId: body.user.id };
    const m = meta.data;
    let text: string;
    try {
      const { client: uapi } = await deps.accounts.clientFor(user);
      const updated = await updateCallEvent(uapi, { extension: m.extension, eventType: m.type, eventId: m.id }, changes);
      // The event's URL and note come from the PBX (and the user): escaped, like every echo.
      text = `:white_check_mark: Updated call event on ${code(m.extension)}: ${updated ? code(eventLine(updated)) : code(m.id)}`;
    } catch (err) {
      text = (await failureReply(deps, user, err, m.channel)).text;
    }
    if (m.channel) {
      try {
        await client.chat.postEphemeral({ channel: m.channel, user: user.userId, text });
        return;
      } catch {
        /* fall back to a DM */
      }
    }
    await client.chat.postMessage({ channel: user.userId, text });
  });
}
