/**
 * What the sandbox PBX holds: organizations, users, extensions, live phone
 * calls and their views, phone call events (webhook registrations), and the
 * rings that move calls along. Field names and value sets follow the
 * PhoneCalls / PhoneCallEvents resource pages of 4PSA's VoipNow UAPI documentation
 * (the PhoneCall fields, the views, the events).
 */

export type ExtensionType = 'phoneTerminal' | 'queue' | 'ivr' | 'conference' | 'voicemailCenter';

export interface Organization {
  id: string;
  name: string /** 4-digit code of extended numbers, e.g. '0003' */;
  code: string;
}

export interface User {
  id: string;
  name: string;
  orgId: string;
  /** 'organization' = the Organization account itself; may address every user and extension of its organization */
  role: 'organization' | 'user';
}

export interface Extension {
  /** extended number `yyyy*zzz` */
  number: string;
  type: ExtensionType;
  label: string;
  ownerId: string;
  orgId: string;
  /** default caller id, `Name <number>` */
  callerId: string;
  /** public number routed to the extension (CalledDID of call events) */
  did?: string;
  /** false = the phone never picks up (to exercise waitForPickup expiry) */
  answers: boolean;
  /** queue only: the agents' phone terminals its calls ring (see queue.ts) */
  agents?: string[];
}

export interface PhoneCallView {
  id: string;
  extension: string;
  source: string[];
  destination: string[];
  /** 2 local, 4 outgoing public, 8 incoming public */
  flow: number;
  /** 0 unknown, 1 off hook, 2 trying, 3 ringing, 4 other side ringing, 5 on call */
  status: number;
  ringing?: string;
  callerId?: string;
  recording?: string;
  answered?: string;
  parked?: string;
  parkedPos?: number;
  parkedBy?: string;
  onHold?: string;
  holder?: number;
  disposition?: number;
  /** internal, not part of the resource: how a whisper/monitor/barge-in view listens */
  mode?: 'whisper' | 'monitor' | 'bargeIn' | 'voicemail';
  /** internal: Whisper `private` flag */
  private?: 0 | 1;
  /** internal: recording format */
  recordingFormat?: string;
}

export interface PhoneCall {
  id: string;
  nonce?: string;
  /** extension charged for the call */
  extension: string;
  /** Organization owning the call */
  ownerId: string;
  ownerName: string;
  published: string;
  answered?: string;
  views: PhoneCallView[];
}

export interface PhoneCallEvent {
  extension: string;
  /** 0 dial-in, 1 dial-out, 2 hangup, 3 answer (incoming), 4 answer (outgoing) */
  type: number;
  id: string;
  /** 0 GET, 1 POST */
  method: number;
  note?: string;
  url: string;
  /** 0 disabled, 1 enabled */
  status: number;
  modified: string;
}

/** A call-event occurrence for one extension; delivered by call-events.ts. */
export interface CallSignal {
  type: 0 | 1 | 2 | 3 | 4;
  extension: string;
  callId: string;
  callerIdName: string;
  callerIdNum: string;
  callerExtension?: string;
  calledExtension?: string;
  calledDid?: string;
  calledNumber: string;
  callStatus: 'CALLING' | 'ANSWER' | 'UNKNOWN';
  callFlow: 'IN' | 'OUT';
}

/** One party calling another, as far as call events are concerned. */
export interface Leg {
  caller: string;
  called: string;
  callerId?: string;
}

export interface RingSpec {
  call: PhoneCall;
  /**
   * key of the ringing attempt within the call: `ring:<view>` for the call's
   * own progress, `action:<view>` for an action's ring. A new ring with the
   * same key rolls the old one back.
   */
  key: string;
  /** number that rings: an extension or a public number */
  target: string;
  waitForPickupSec: number;
  /** leg to report through call events (none for internal legs) */
  leg?: Leg;
  onAnswer: () => void;
  onCancel: () => void;
  /** how long this target takes to pick up instead of pickupDelayMs; Infinity = only a desk answer picks up */
  answerAfterMs?: number;
}

export interface SeedData {
  orgs: Organization[];
  users: User[];
  extensions: Extension[];
  calls: PhoneCall[];
  events: PhoneCallEvent[];
}
