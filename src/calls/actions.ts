/**
 * The one table of call actions. Everything that offers an action (the command
 * parser, help text, card buttons, modals, permission checks) reads this table;
 * nothing else knows which UAPI action a word maps to.
 */
import type { PhoneCallActionInput, PhoneCallView } from '../uapi/schemas.js';

export type CallActionName = 'hold' | 'resume' | 'park' | 'unpark' | 'whisper' | 'listen' | 'barge' | 'transfer' | 'hangup';

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
}
export type ParamName = keyof ActionParams;

export interface CallActionSpec {
  name: CallActionName;
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
  /** The view states on which a card offers this action's button. */
  offeredOn: (view: PhoneCallView) => boolean;
  /** The UAPI request: a PhoneCallAction body, or `hangup` for DELETE. */
  uapi: ((viewId: string, p: ActionParams) => PhoneCallActionInput) | 'hangup';
  example: string;
}

const ON_CALL = 5;
const isParked = (v: PhoneCallView) => v.parked !== undefined;
const isHeld = (v: PhoneCallView) => v.onHold !== undefined || v.holder === 1;
/** Talking: on call, neither parked nor on hold. */
const isLive = (v: PhoneCallView) => v.status === ON_CALL && !isParked(v) && !isHeld(v);
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
    offeredOn: (v) => v.status === ON_CALL,
    uapi: (viewId, p) => ({ action: 'Transfer', sendCallTo: p.to ?? '', phoneCallViewId: viewId }),
    example: 'transfer 0003*210 b817d2618fe6f1804333 to 0003*025',
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
};

export function usageOf(a: CallActionSpec): string {
  const opts = a.params.map((p) => (a.required.includes(p) ? PARAM_SYNTAX[p] : `[${PARAM_SYNTAX[p]}]`));
  return [a.name, '<extension>', '[callId]', ...opts, '[view <id>]'].join(' ');
}
