/**
 * The one table of call actions. Everything that offers an action (the command
 * parser, help text, card buttons, modals, permission checks) reads this table;
 * nothing else knows which UAPI action a word maps to.
 */
import type { PhoneCallActionInput, PhoneCallView } from '../uapi/schemas.js';

export type CallActionName = 'dial' | 'hold' | 'resume' | 'park' | 'unpark' | 'whisper' | 'listen' | 'barge' | 'transfer' | 'hangup' | 'pickup' | 'record' | 'stoprecord' | 'voicemail';

/** Who may run an action: any linked agent, or only supervisors. */
export type Role = 'agent' | 'supervisor';

/** Options a user may give an action, after parsing and the seeds' rules. */
export interface ActionParams {
  /** sendCallTo: the extension (or, for transfer, number) that is rung. */
  to?: string;
  /** callerId shown to the rung party, `Name <number>`. */
  callerId?: string;
  /** waitForPickup, seconds. */
  wait?: number;
  /** Whisper only: 1 = the whisperer does not hear the call. */
  private?: 0 | 1;
  /** Park only: maxInParking, seconds. */
  parkFor?: number;
  /** StartRecording only: the recording's format. */
  format?: 'wav' | 'wav49';
}
export type ParamName = keyof ActionParams;

export interface CallActionSpec {
  name: CallActionName;
  /** What users type before the extension, when it is not the name (`record start`). */
  verb?: string;
  /** The whole usage line, when the action does not take `<extension> [callId]` (dial). */
  usage?: string;
  /** Other words accepted for the name. */
  aliases: readonly string[];
  /** Button text. */
  label: string;
  /** What happened, for "<user> <did> the call"; where the call goes inside the phrase, `didTo` says so (see `didPhrase`). */
  did: string;
  /** "put the call on hold": the phrase with its object in place, when it does not simply follow `did`. */
  didTo?: (what: string) => string;
  /** What it does, for help. */
  summary: string;
  /** Options besides extension, call id and view. `to` is required where listed in `required`. */
  params: readonly ParamName[];
  required: readonly ParamName[];
  role: Role;
  /** Ends or disrupts a conversation: ask before doing it. */
  disruptive: boolean;
  /**
   * Rings a phone first. What it changes shows only once that phone answers
   * (Whisper page: "once the connection is made, the 02 phoneCallView is
   * created"), so a card keeps reading the call until it changes.
   */
  rings?: boolean;
  /** The view states on which a card offers this action's button. */
  offeredOn: (view: PhoneCallView) => boolean;
  /** The UAPI request: a PhoneCallAction body, `hangup` for DELETE, `dial` for Create PhoneCalls. */
  uapi: ((viewId: string, p: ActionParams) => PhoneCallActionInput) | 'hangup' | 'dial';
  example: string;
}

const ON_CALL = 5;
const isParked = (v: PhoneCallView) => v.parked !== undefined;
const isHeld = (v: PhoneCallView) => v.onHold !== undefined || v.holder === 1;
/** Talking: on call, neither parked nor on hold. */
const isLive = (v: PhoneCallView) => v.status === ON_CALL && !isParked(v) && !isHeld(v);
const RINGING = 3;
const isRecording = (v: PhoneCallView) => v.recording !== undefined;
const ring = (p: ActionParams) => ({
  sendCallTo: p.to ?? '',
  ...(p.callerId !== undefined && { callerId: p.callerId }),
  ...(p.wait !== undefined && { waitForPickup: p.wait }),
});
const RING_PARAMS = ['to', 'callerId', 'wait'] as const;

export const CALL_ACTIONS: readonly CallActionSpec[] = [
  {
    name: 'hold',
    aliases: ['onhold', 'pause'],
    label: 'Hold',
    did: 'put on hold',
    didTo: (what) => `put ${what} on hold`,
    summary: 'put the call on hold',
    params: [],
    required: [],
    role: 'agent',
    disruptive: false,
    offeredOn: (v) => isLive(v),
    uapi: (viewId) => ({ action: 'OnHold', phoneCallViewId: viewId }),
    example: 'hold 0003*210 b817d2618fe6f1804333',
  },
  {
    name: 'resume',
    aliases: ['offhold', 'unhold', 'unpause'],
    label: 'Resume',
    did: 'took off hold',
    didTo: (what) => `took ${what} off hold`,
    summary: 'take the call off hold',
    params: [],
    required: [],
    role: 'agent',
    disruptive: false,
    offeredOn: (v) => isHeld(v),
    uapi: (viewId) => ({ action: 'OffHold', phoneCallViewId: viewId }),
    example: 'resume 0003*210 b817d2618fe6f1804333',
  },
  {
    name: 'park',
    aliases: [],
    label: 'Park',
    did: 'parked',
    summary: 'park a call in the parking lot (for 10 to 3600 seconds, default 180)',
    params: ['parkFor'],
    required: [],
    role: 'agent',
    disruptive: false,
    offeredOn: (v) => isLive(v),
    uapi: (viewId, p) => ({
      action: 'Park',
      phoneCallViewId: viewId,
      ...(p.parkFor !== undefined && { maxInParking: p.parkFor }),
    }),
    example: 'park 0003*210 b817d2618fe6f1804333 for 300',
  },
  {
    name: 'unpark',
    aliases: ['retrieve'],
    label: 'Unpark',
    did: 'unparked',
    summary: 'ring an extension and connect it to a parked call',
    params: RING_PARAMS,
    required: ['to'],
    role: 'agent',
    disruptive: false,
    rings: true,
    offeredOn: (v) => isParked(v),
    uapi: (viewId, p) => ({ action: 'UnPark', ...ring(p), phoneCallViewId: viewId }),
    example: 'unpark 0003*210 b817d2618fe6f1804333 to 0003*024 as "John Doe <42420042>" wait 20',
  },
  {
    name: 'whisper',
    aliases: ['coach'],
    label: 'Whisper',
    did: 'started whispering on',
    summary: 'ring an extension that can talk to the agent without the customer hearing',
    params: [...RING_PARAMS, 'private'],
    required: ['to'],
    role: 'supervisor',
    disruptive: false,
    rings: true,
    offeredOn: (v) => isLive(v),
    uapi: (viewId, p) => ({
      action: 'Whisper',
      ...ring(p),
      ...(p.private !== undefined && { private: p.private }),
      phoneCallViewId: viewId,
    }),
    example: 'whisper 0003*210 b817d2618fe6f1804333 to 0003*024 private',
  },
  {
    name: 'listen',
    aliases: ['monitor', 'spy'],
    label: 'Listen',
    did: 'started listening to',
    summary: 'ring an extension that silently listens to the call',
    params: RING_PARAMS,
    required: ['to'],
    role: 'supervisor',
    disruptive: false,
    rings: true,
    offeredOn: (v) => isLive(v),
    uapi: (viewId, p) => ({ action: 'Monitor', ...ring(p), phoneCallViewId: viewId }),
    example: 'listen 0003*210 b817d2618fe6f1804333 to 0003*024',
  },
  {
    name: 'barge',
    aliases: ['bargein', 'barge-in', 'join'],
    label: 'Barge in',
    did: 'barged in on',
    summary: 'ring an extension that joins the conversation, heard by both parties',
    params: RING_PARAMS,
    required: ['to'],
    role: 'supervisor',
    disruptive: true,
    rings: true,
    offeredOn: (v) => isLive(v),
    uapi: (viewId, p) => ({ action: 'BargeIn', ...ring(p), phoneCallViewId: viewId }),
    example: 'barge 0003*210 b817d2618fe6f1804333 to 0003*024',
  },
  {
    name: 'transfer',
    aliases: ['xfer', 'forward'],
    label: 'Transfer',
    did: 'transferred',
    summary: 'send the call to another extension or phone number',
    params: ['to'],
    required: ['to'],
    role: 'agent',
    disruptive: true,
    rings: true,
    offeredOn: (v) => v.status === ON_CALL,
    uapi: (viewId, p) => ({ action: 'Transfer', sendCallTo: p.to ?? '', phoneCallViewId: viewId }),
    example: 'transfer 0003*210 b817d2618fe6f1804333 to 0003*025',
  },
  {
    name: 'pickup',
    aliases: ['pick-up', 'grab'],
    label: 'Pick up',
    did: 'picked up',
    summary: 'take a call ringing on an extension to another phone terminal',
    params: RING_PARAMS,
    required: ['to'],
    role: 'agent',
    disruptive: false,
    rings: true,
    // PickUp page: only a call still ringing on the other phone can be taken.
    offeredOn: (v) => v.status === RINGING,
    uapi: (viewId, p) => ({ action: 'PickUp', ...ring(p), phoneCallViewId: viewId }),
    example: 'pickup 0003*300 a3c9e27f01b4d5e6f789 to 0003*210',
  },
  {
    name: 'record',
    verb: 'record start',
    aliases: ['startrecording', 'record-start'],
    label: 'Record',
    did: 'started recording',
    summary: 'start recording the call (format wav, the default, or wav49)',
    params: ['format'],
    required: [],
    role: 'agent',
    disruptive: false,
    offeredOn: (v) => v.status === ON_CALL && !isRecording(v),
    uapi: (viewId, p) => ({ action: 'StartRecording', phoneCallViewId: viewId, ...(p.format !== undefined && { format: p.format }) }),
    example: 'record start 0003*210 b817d2618fe6f1804333 format wav49',
  },
  {
    name: 'stoprecord',
    verb: 'record stop',
    aliases: ['stoprecording', 'record-stop', 'stop-recording'],
    label: 'Stop recording',
    did: 'stopped recording',
    summary: 'stop recording the call',
    params: [],
    required: [],
    role: 'agent',
    disruptive: false,
    offeredOn: (v) => isRecording(v),
    uapi: (viewId) => ({ action: 'StopRecording', phoneCallViewId: viewId }),
    example: 'record stop 0003*210 b817d2618fe6f1804333',
  },
  {
    name: 'voicemail',
    aliases: ['tovoicemail', 'vm', 'transfertovoicemail'],
    label: 'Voicemail',
    did: 'sent to voicemail',
    summary: "send the call to an extension's voicemail",
    params: ['to'],
    required: ['to'],
    role: 'agent',
    disruptive: true,
    // A ringing call nobody takes, or a talking one the agent hands over.
    offeredOn: (v) => v.status === RINGING,
    uapi: (viewId, p) => ({ action: 'TransferToVoicemail', sendCallTo: p.to ?? '', phoneCallViewId: viewId }),
    example: 'voicemail 0003*210 b817d2618fe6f1804333 to 0003*024',
  },
  {
    name: 'hangup',
    aliases: ['hang-up', 'end', 'drop', 'kill'],
    label: 'Hang up',
    did: 'hung up',
    summary: 'end the call for everyone on it',
    params: [],
    required: [],
    role: 'agent',
    disruptive: true,
    offeredOn: () => true,
    uapi: 'hangup',
    example: 'hangup 0003*210 b817d2618fe6f1804333',
  },
  {
    name: 'dial',
    usage: 'dial <number or extension> [from <your extension>] [as "Name <number>"]',
    aliases: ['call', 'click2call', 'place'],
    label: 'Dial',
    did: 'placed',
    summary: 'place a call: your phone rings first, then the number',
    params: ['callerId'],
    required: [],
    role: 'agent',
    disruptive: false,
    rings: true,
    // A new call, not an action on one: never a button on a card.
    offeredOn: () => false,
    uapi: 'dial',
    example: 'dial +15551234567 from 0003*210',
  },
];

const BY_WORD = new Map<string, CallActionSpec>();
for (const a of CALL_ACTIONS) for (const w of [a.name, ...a.aliases]) BY_WORD.set(w, a);

export function findCallAction(word: string): CallActionSpec | undefined {
  return BY_WORD.get(word.toLowerCase());
}

/** What an action did to `what`: "put the call on hold", "parked call b817…". */
export function didPhrase(a: CallActionSpec, what: string): string {
  return a.didTo ? a.didTo(what) : `${a.did} ${what}`;
}

export function callAction(name: CallActionName): CallActionSpec {
  return BY_WORD.get(name)!;
}

/** The words users type for each option, for usage lines. */
export const PARAM_SYNTAX: Record<ParamName, string> = {
  to: 'to <extension>',
  callerId: 'as "Name <number>"',
  wait: 'wait <seconds>',
  private: 'private',
  parkFor: 'for <seconds>',
  format: 'format wav|wav49',
};

export function usageOf(a: CallActionSpec): string {
  if (a.usage) return a.usage;
  const opts = a.params.map((p) => (a.required.includes(p) ? PARAM_SYNTAX[p] : `[${PARAM_SYNTAX[p]}]`));
  return [a.verb ?? a.name, '<extension>', '[callId]', ...opts, '[view <id>]'].join(' ');
}
