/**
 * The modal of the actions that ring someone (unpark, whisper, listen, barge in,
 * transfer): its view, its metadata and reading a submission. Nothing in a
 * submission is trusted: the metadata is checked again with the seeds' rules and
 * may only name an action that opens this modal, and every field is read
 * defensively (a value that is not text is a field error, never an exception).
 */
import { z } from 'zod';
import type { KnownBlock, View } from '@slack/types';
import { CALL_ACTIONS, findCallAction } from '../../calls/actions.js';
import type { ActionParams, CallActionSpec } from '../../calls/action-spec.js';
import { code } from '../blocks/mrkdwn.js';
import { rules } from '../../uapi/rules.js';
import { UapiError } from '../../uapi/errors.js';
import { LIMITS, clip } from '../blocks/limits.js';

export const CALL_MODAL_ID = 'call.modal';

/** Actions that open the modal: those that need a target. Only these may be submitted through it. */
export const MODAL_ACTIONS: ReadonlySet<string> = new Set(CALL_ACTIONS.filter((a) => a.required.includes('to')).map((a) => a.name));

export function opensModal(spec: CallActionSpec): boolean {
  return MODAL_ACTIONS.has(spec.name);
}

/** What the modal remembers: the action, the call, and which open card it came from. */
export interface ModalMeta {
  action: string;
  call: string;
  extension: string;
  view?: string;
  /** Key of the card the button was pressed on (kept in memory by the listener). */
  card: string;
}

const metaSchema = z.object({
  action: z.string().max(32),
  call: z.string().max(256),
  extension: z.string().max(256),
  view: z.string().max(256).optional(),
  card: z.string().max(64),
});

/** The metadata of a submission, checked again; undefined when anything is off (tampered or out of date). */
export function readModalMeta(raw: unknown): { spec: CallActionSpec; meta: ModalMeta } | undefined {
  if (typeof raw !== 'string' || raw.length > LIMITS.privateMetadata) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const m = metaSchema.safeParse(parsed);
  if (!m.success) return undefined;
  const spec = findCallAction(m.data.action);
  if (!spec || !opensModal(spec) || spec.name !== m.data.action) return undefined;
  try {
    const meta: ModalMeta = {
      action: spec.name,
      call: rules.phoneCallId(m.data.call),
      extension: rules.extension(m.data.extension, { allowSelf: true }),
      card: m.data.card,
      ...(m.data.view !== undefined && { view: rules.phoneCallViewId(m.data.view) }),
    };
    return { spec, meta };
  } catch {
    return undefined;
  }
}

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

export function actionModal(spec: CallActionSpec, meta: ModalMeta, ownExtension?: string): View {
  const transfer = spec.name === 'transfer';
  const blocks: View['blocks'] = [
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${spec.label} on call ${code(meta.call)}${meta.view ? ` view ${code(meta.view)}` : ''} on ${code(meta.extension)}: ${spec.summary}.` }],
    },
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
    private_metadata: JSON.stringify({ ...meta, action: spec.name } satisfies ModalMeta),
    title: { type: 'plain_text', text: clip(spec.label, LIMITS.modalTitle) },
    submit: { type: 'plain_text', text: clip(spec.label, LIMITS.modalButton) },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

const NOT_TEXT = 'Type the value as text.';

/** The field `block` of a submission: its text, `undefined` when empty, or `NOT_TEXT` marked as wrong. */
function field(values: unknown, block: string): { text?: string; wrong?: string } {
  const entry = (values as Record<string, unknown> | undefined)?.[block];
  if (entry === undefined || entry === null) return {};
  const input = typeof entry === 'object' ? (entry as Record<string, unknown>).value : undefined;
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object') return { wrong: NOT_TEXT };
  const value = (input as Record<string, unknown>).value;
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string') return { wrong: NOT_TEXT };
  const text = value.trim();
  return text ? { text } : {};
}

/** The modal's fields through the seeds' rules; a bad one is reported on its field. Never throws. */
export function readModal(spec: CallActionSpec, values: unknown): { params: ActionParams } | { errors: Record<string, string> } {
  const params: ActionParams = {};
  const errors: Record<string, string> = {};
  const check = (block: string, fn: () => void) => {
    try {
      fn();
    } catch (err) {
      errors[block] = err instanceof UapiError ? err.sentence.replace(/`/g, '') : 'Not valid.';
    }
  };
  const to = field(values, 'to');
  if (to.wrong) errors.to = to.wrong;
  else if (!to.text) errors.to = 'Enter the extension to ring, for example 0003*024.';
  else check('to', () => (params.to = rules.sendCallTo(to.text!, { allowPhoneNumber: spec.name === 'transfer' })));
  const callerId = field(values, 'callerId');
  if (spec.params.includes('callerId')) {
    if (callerId.wrong) errors.callerId = callerId.wrong;
    else if (callerId.text) check('callerId', () => (params.callerId = rules.callerId(callerId.text!)));
  }
  const wait = field(values, 'wait');
  if (spec.params.includes('wait')) {
    if (wait.wrong) errors.wait = wait.wrong;
    else if (wait.text) check('wait', () => (params.wait = rules.waitForPickup(wait.text!)));
  }
  if (spec.params.includes('private')) {
    const input = (values as Record<string, Record<string, unknown> | undefined> | undefined)?.private?.value;
    const selected = typeof input === 'object' && input !== null ? (input as { selected_options?: unknown }).selected_options : undefined;
    if (selected !== undefined && selected !== null && !Array.isArray(selected)) errors.private = 'Tick the box or leave it empty.';
    else params.private = Array.isArray(selected) && selected.length > 0 ? 1 : 0;
  }
  return Object.keys(errors).length ? { errors } : { params };
}
