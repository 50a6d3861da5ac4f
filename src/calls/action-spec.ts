/**
 * What a call action is: its name, the options a user may give it, who may run it,
 * and how it becomes a UAPI request. The rows are in action-table.ts; actions.ts
 * finds them by word.
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
