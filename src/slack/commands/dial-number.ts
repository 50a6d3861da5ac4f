/**
 * "Call this number": a message shortcut (callback id `dial_number`). callops finds the phone
 * numbers in the message and opens a small modal (the number, chosen when there are several;
 * which of your phones rings first; Dial). Nothing reaches VoipNow before Dial: the submission
 * runs `dial <number> from <extension>` through the action pipeline, which posts the new call's
 * card into the message's channel like `/call dial` does.
 */
import type { AllMiddlewareArgs, App, MessageShortcut, SlackShortcutMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { KnownBlock, ModalView } from '@slack/types';
import { type FoundNumber, findPhoneNumbers } from '../../calls/phone-numbers.js';
import { rules } from '../../uapi/rules.js';
import type { SlackUser } from '../users/accounts.js';
import type { SlackDeps } from '../deps.js';
import { requestIdentity } from '../actions/request-claims.js';
import { tellPrivately } from '../actions/surface.js';

export const DIAL_NUMBER_SHORTCUT = 'dial_number';
const NUMBER_BLOCK = 'dial_number.number';
const FROM_BLOCK = 'dial_number.from';
const NUMBER_INPUT = 'number';
const FROM_INPUT = 'from';

export interface DialMeta {
  /** The channel the message is in: the call's card is posted there. */
  c: string;
  /** The numbers offered, already checked as Create PhoneCalls destinations. */
  n: string[];
}

export function registerDialNumber(app: App, deps: SlackDeps): void {
  app.shortcut<MessageShortcut>({ callback_id: DIAL_NUMBER_SHORTCUT, type: 'message_action' }, onDialNumberShortcut(deps));
  app.view<ViewSubmitAction>(DIAL_NUMBER_SHORTCUT, onDialNumberSubmit(deps));
}

export function onDialNumberShortcut(deps: SlackDeps) {
  return async ({ ack, shortcut, client }: SlackShortcutMiddlewareArgs<MessageShortcut> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const user = { teamId: shortcut.team?.id ?? shortcut.user.team_id ?? '', userId: shortcut.user.id };
    const found = findPhoneNumbers(typeof shortcut.message?.text === 'string' ? shortcut.message.text : '');
    const account = await deps.accounts.get(user).catch(() => undefined);
    const view = !account
      ? notice('Link your VoipNow account first: run `/call link` in any channel, then use *Call this number* again.')
      : found.length === 0
        ? notice('No phone number found in that message. Numbers look like `+1 (555) 012-3456`, `555-012-3456` or an extension like `0003*210`.')
        : dialModal({ c: shortcut.channel.id, n: found.map((f) => f.number) }, found, account.extension);
    try {
      await client.views.open({ trigger_id: shortcut.trigger_id, view });
    } catch (err) {
      deps.logger.warn('could not open the Call this number modal', { error: err instanceof Error ? err.message : String(err) });
    }
  };
}

export function onDialNumberSubmit(deps: SlackDeps) {
  return async ({ ack, view, body, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    const meta = readMeta(view?.private_metadata);
    if (!meta) {
      await ack({ response_action: 'errors', errors: { [NUMBER_BLOCK]: 'This form is out of date; close it and use Call this number on the message again.' } });
      return;
    }
    const values = view.state?.values ?? {};
    const picked = values[NUMBER_BLOCK]?.[NUMBER_INPUT]?.selected_option?.value;
    const destination = meta.n[Number(picked ?? '0')];
    if (destination === undefined) {
      await ack({ response_action: 'errors', errors: { [NUMBER_BLOCK]: 'Choose one of the numbers found in the message.' } });
      return;
    }
    const typedFrom = String(values[FROM_BLOCK]?.[FROM_INPUT]?.value ?? '').trim();
    let from: string;
    try {
      from = rules.extension(typedFrom);
    } catch {
      const what = typedFrom === '' ? 'Which of your phones should ring first?' : `\`${typedFrom.slice(0, 40)}\` is not an extension number.`;
      await ack({ response_action: 'errors', errors: { [FROM_BLOCK]: `${what} Type one of your extensions, for example 0003*210.` } });
      return;
    }
    await ack();
    const user: SlackUser = { teamId: body.team?.id ?? body.user?.team_id ?? '', userId: body.user.id };
    const privately = { kind: 'card' as const, channelId: meta.c };
    await deps.pipeline.handle({
      user,
      cmd: { kind: 'dial', destination, from },
      client,
      surface: {
        kind: 'post',
        channelId: meta.c,
        respond: (msg) => tellPrivately(privately, client, user, String(msg.text ?? ''), msg.blocks as KnownBlock[] | undefined),
      },
      identity: requestIdentity.submission({ teamId: user.teamId, viewId: view?.id }),
    });
  };
}

/** The modal for the numbers found in a message (exported for the README's picture). */
export function dialModal(meta: DialMeta, found: FoundNumber[], extension: string | undefined): ModalView {
  const options = found.map((f, i) => ({ text: { type: 'plain_text' as const, text: label(f) }, value: String(i) }));
  return {
    type: 'modal',
    callback_id: DIAL_NUMBER_SHORTCUT,
    private_metadata: JSON.stringify(meta),
    title: { type: 'plain_text', text: 'Call this number' },
    submit: { type: 'plain_text', text: 'Dial' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: NUMBER_BLOCK,
        label: { type: 'plain_text', text: found.length > 1 ? 'Which number' : 'Number' },
        element: { type: 'static_select', action_id: NUMBER_INPUT, options, initial_option: options[0] },
      },
      {
        type: 'input',
        block_id: FROM_BLOCK,
        label: { type: 'plain_text', text: 'From your extension' },
        hint: { type: 'plain_text', text: 'Your phone rings first; when you answer, callops calls the number.' },
        element: {
          type: 'plain_text_input',
          action_id: FROM_INPUT,
          max_length: 40,
          placeholder: { type: 'plain_text', text: '0003*210' },
          ...(extension && { initial_value: extension }),
        },
      },
    ],
  };
}

function notice(text: string): ModalView {
  return {
    type: 'modal',
    callback_id: `${DIAL_NUMBER_SHORTCUT}.notice`,
    title: { type: 'plain_text', text: 'Call this number' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}

/** An option's text (plain_text, at most 75 characters): the number as written, and as dialled when they differ. */
function label(f: FoundNumber): string {
  const text = f.written === f.number ? f.number : `${f.written} (${f.number})`;
  return text.length <= 75 ? text : f.number;
}

function readMeta(raw: string | undefined): DialMeta | undefined {
  try {
    const parsed = JSON.parse(raw ?? '') as Partial<DialMeta>;
    if (typeof parsed.c !== 'string' || !/^[CDG][A-Z0-9]{1,30}$/.test(parsed.c) || !Array.isArray(parsed.n) || parsed.n.length > 10) return undefined;
    const numbers = parsed.n.map((n) => (typeof n === 'string' ? rules.destination(n) : ''));
    return numbers.every(Boolean) ? { c: parsed.c, n: numbers } : undefined;
  } catch {
    return undefined;
  }
}
