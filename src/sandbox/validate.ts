/**
 * Request validation per the seed pages. Every function either returns a
 * typed, normalized request or throws the documented ApiError.
 *
 * Numbers may arrive as JSON numbers or numeric strings ("20" or 20): the
 * pages send `"waitForPickup":"20"` and `"private":0` side by side.
 */
import { ApiError, type ErrorCode } from './errors.js';
import { DEFAULT_WAIT_FOR_PICKUP_SEC, EVENT_ID_LENGTH, type Extension, type PhoneCall, type PhoneCallView, type User, type World } from './world.js';

/** The JSON body as an object; `{}` for an empty body. */
export function asObject(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  throw new ApiError('request_invalid');
}

/** Object-Id: alpha-numeric (the seeds' call ids are 20 hex characters). */
export function isObjectId(s: string): boolean {
  return /^[A-Za-z0-9]{1,255}$/.test(s);
}

/** undefined when absent (or null), NaN when not numeric. */
export function numberLike(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : Number.NaN;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return Number.NaN;
}

/** A value of a closed numeric set (e.g. 0/1), or throws `code`. undefined when absent. */
export function oneOf(v: unknown, allowed: readonly number[], code: ErrorCode): number | undefined {
  const n = numberLike(v);
  if (n === undefined) return undefined;
  if (!allowed.includes(n)) throw new ApiError(code);
  return n;
}

function required<T>(v: T | undefined, code: ErrorCode): T {
  if (v === undefined) throw new ApiError(code);
  return v;
}

/**
 * UAPI-Caller-Id, `John Doe <+3334444>`: a name, then a number of digits,
 * `+` and `*` inside angle brackets (the MCP server also accepts `<0003*001>`).
 */
const CALLER_ID = /^[^<>]{0,200}<[0-9+*]{1,64}>\s*$/;

function callerIdOf(v: unknown, code: ErrorCode = 'pc_callerid_invalid'): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !CALLER_ID.test(v)) throw new ApiError(code);
  return v.trim();
}

/** waitForPickup: "numeric and higher than 0", default 25 seconds. */
function waitForPickupOf(body: Record<string, unknown>): number {
  // The PhoneCallAction table spells it `waitForPickUp`; every action page and
  // example spells `waitForPickup`. Both are accepted.
  const n = numberLike(body.waitForPickup ?? body.waitForPickUp);
  if (n === undefined) return DEFAULT_WAIT_FOR_PICKUP_SEC;
  if (!(n > 0)) throw new ApiError('pc_timeout_invalid');
  return n;
}

const PUBLIC_NUMBER = /^\+?\d{1,32}$/;

/** An extension (extended or short form) or a public number; null when neither. */
export function partyOf(world: World, v: unknown, orgId: string): string | null {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) v = String(v);
  if (typeof v !== 'string') return null;
  const ext = world.findExtension(v.trim(), orgId);
  if (ext) return ext.number;
  return PUBLIC_NUMBER.test(v.trim()) ? v.trim() : null;
}

// ------------------------------------------------------------ PhoneCallAction

export const ACTIONS = ['OnHold', 'OffHold', 'Park', 'UnPark', 'PickUp', 'Whisper', 'Monitor', 'BargeIn', 'Transfer', 'TransferToVoicemail', 'StartRecording', 'StopRecording'] as const;
export type ActionName = (typeof ACTIONS)[number];

interface RingFields {
  sendCallTo: string;
  callerId?: string;
  waitForPickup: number;
}

export type ActionRequest =
  | { action: 'OnHold' | 'OffHold' | 'StopRecording'; view: PhoneCallView }
  | { action: 'StartRecording'; view: PhoneCallView; format: string }
  | { action: 'Park'; view: PhoneCallView; maxInParking: number }
  | ({ action: 'UnPark' | 'PickUp' | 'Monitor' | 'BargeIn'; view: PhoneCallView } & RingFields)
  | ({ action: 'Whisper'; view: PhoneCallView; private: 0 | 1 } & RingFields)
  | ({ action: 'Transfer'; view: PhoneCallView; transferFrom: string } & RingFields)
  | { action: 'TransferToVoicemail'; view: PhoneCallView; sendCallTo: string; transferNumber: string };

/**
 * Validates a PhoneCallAction body against the call. `acting` is the extension
 * the request acts for (the URI extension, or the user's extension in the call
 * when the URI says @self).
 */
export function validateAction(world: World, call: PhoneCall, rawBody: unknown, acting: Extension): ActionRequest {
  const body = asObject(rawBody);
  const action = ACTIONS.find((a) => a === body.action);
  if (!action) throw new ApiError('pc_action_invalid');

  const rawView = body.phoneCallViewId;
  const viewId = typeof rawView === 'number' ? String(rawView).padStart(2, '0') : rawView;
  let view = typeof viewId === 'string' ? world.view(call, viewId) : undefined;
  // Transfer page: its example sends no phoneCallViewId, only the parties
  // (`transferFromNumber`, `transferNumber`); the view is the one they are in.
  if (!view && (rawView === undefined || rawView === null) && (action === 'Transfer' || action === 'TransferToVoicemail')) {
    view = viewOfParties(world, call, body, acting);
  }
  if (!view) throw new ApiError('pc_phonecallview_invalid');

  switch (action) {
    case 'OnHold':
    case 'OffHold':
    case 'StopRecording':
      return { action, view };
    case 'StartRecording': {
      const format = body.format ?? 'wav';
      if (format !== 'wav' && format !== 'wav49') throw new ApiError('pc_format_invalid');
      return { action, view, format };
    }
    case 'Park': {
      // Park page: maxInParking in seconds; the MCP server documents 10..3600, default 180.
      const max = numberLike(body.maxInParking) ?? 180;
      if (!(max >= 10 && max <= 3600)) throw new ApiError('pc_maxinparking_invalid');
      return { action, view, maxInParking: max };
    }
    case 'UnPark':
      // Not on the page: a view that is not in the parking lot cannot be
      // retrieved from it, so it is not a valid view for UnPark.
      if (view.parked === undefined) throw new ApiError('pc_phonecallview_invalid', 'The phone call view is not parked.');
      return { action, view, ...ringFields(world, body, acting) };
    case 'PickUp':
      if (view.status !== 3) throw new ApiError('pc_phonecallview_invalid', 'The phone call view is not ringing.');
      return { action, view, ...ringFields(world, body, acting) };
    case 'Monitor':
    case 'BargeIn':
      return { action, view, ...ringFields(world, body, acting) };
    case 'Whisper': {
      const fields = ringFields(world, body, acting);
      const priv = oneOf(body.private, [0, 1], 'pc_private_invalid') ?? 0;
      return { action, view, ...fields, private: priv as 0 | 1 };
    }
    case 'Transfer': {
      // Transfer page: sendCallTo is an extension or a public number.
      const target = partyOf(world, body.sendCallTo, acting.orgId);
      const ext = target === null ? undefined : world.extensions.get(target);
      if (target === null || (ext && ext.orgId !== acting.orgId)) throw new ApiError('pc_sendcallto_invalid');
      return {
        action,
        view,
        sendCallTo: target,
        callerId: callerIdOf(body.callerId),
        waitForPickup: waitForPickupOf(body),
        transferFrom: viewParty(world, view, body.transferFromNumber, acting, 'pc_transferfromnumber_invalid') ?? defaultLocalParty(view),
      };
    }
    case 'TransferToVoicemail': {
      const ext = typeof body.sendCallTo === 'string' ? world.findExtension(body.sendCallTo, acting.orgId) : undefined;
      if (ext?.type !== 'phoneTerminal' || ext.orgId !== acting.orgId) throw new ApiError('pc_sendcallto_invalid');
      return {
        action,
        view,
        sendCallTo: ext.number,
        transferNumber: viewParty(world, view, body.transferNumber, acting, 'pc_transfernumber_invalid') ?? defaultRemoteParty(view),
      };
    }
  }
}

/**
 * sendCallTo "must refer to a Phone Terminal Extension" (UnPark, Whisper) and
 * "must be in the same Organization as the Extension given in the URI-Fragment"
 * (Whisper, BargeIn); we apply both to every action that rings an extension.
 */
function ringFields(world: World, body: Record<string, unknown>, acting: Extension): RingFields {
  const raw = typeof body.sendCallTo === 'number' ? String(body.sendCallTo) : body.sendCallTo;
  const ext = typeof raw === 'string' ? world.findExtension(raw.trim(), acting.orgId) : undefined;
  if (ext?.type !== 'phoneTerminal' || ext.orgId !== acting.orgId) throw new ApiError('pc_sendcallto_invalid');
  return { sendCallTo: ext.number, callerId: callerIdOf(body.callerId), waitForPickup: waitForPickupOf(body) };
}

/** The view holding the transfer's parties, else the acting extension's own view, else the first. */
function viewOfParties(world: World, call: PhoneCall, body: Record<string, unknown>, acting: Extension): PhoneCallView | undefined {
  const parties = [body.transferFromNumber, body.transferNumber].map((v) => (v === undefined || v === null ? null : partyOf(world, v, acting.orgId))).filter((p): p is string => p !== null);
  const has = (v: PhoneCallView, n: string) => v.source.includes(n) || v.destination.includes(n);
  return (
    call.views.find((v) => parties.length > 0 && parties.every((p) => has(v, p))) ??
    call.views.find((v) => parties.some((p) => has(v, p))) ??
    call.views.find((v) => v.extension === acting.number) ??
    call.views[0]
  );
}

/** A number that must be the source or destination of the view; undefined when absent. */
function viewParty(world: World, view: PhoneCallView, v: unknown, acting: Extension, code: ErrorCode): string | undefined {
  if (v === undefined || v === null) return undefined;
  const party = partyOf(world, v, acting.orgId);
  if (party === null || ![...view.source, ...view.destination].includes(party)) throw new ApiError(code);
  return party;
}

/** The party whose perspective the view describes (its extension), when it takes part. */
function defaultLocalParty(view: PhoneCallView): string {
  return [...view.source, ...view.destination].includes(view.extension) ? view.extension : (view.source[0] ?? view.extension);
}

/** The other side of the view. */
function defaultRemoteParty(view: PhoneCallView): string {
  return [...view.source, ...view.destination].find((n) => n !== view.extension) ?? view.source[0] ?? view.extension;
}

// ------------------------------------------------------------ Create simple

export interface SimpleCallRequest {
  extension: Extension;
  source: string[];
  destination: string[];
  callerId?: string;
  callerDestination?: string;
  nonce?: string;
  waitForPickup: number;
  callDuration?: number;
}

/** Create Simple PhoneCalls (reference §4.1): body + `waitForPickup`/`callDuration` query parameters. */
export function validateSimpleCall(world: World, user: User, rawBody: unknown, query: Record<string, string>): SimpleCallRequest {
  const body = asObject(rawBody);
  const extension = typeof body.extension === 'string' ? world.findExtension(body.extension, user.orgId) : undefined;
  if (extension?.type !== 'phoneTerminal' || !world.mayUseExtension(user, extension)) {
    throw new ApiError('pc_extension_invalid');
  }
  const views = Array.isArray(body.phoneCallView) ? body.phoneCallView : [body.phoneCallView ?? {}];
  const view = asObject(views[0] ?? {});
  // 4PSA's own apps sometimes send source/destination as a bare string.
  const parties = (v: unknown, code: ErrorCode): string[] => {
    const list = (Array.isArray(v) ? v : [v]).map((p) => partyOf(world, p, user.orgId));
    if (list.length === 0 || list.some((p) => p === null)) throw new ApiError(code);
    return list as string[];
  };
  const source = view.source === undefined ? [extension.number] : parties(view.source, 'pc_source_invalid');
  const destination = parties(view.destination, 'pc_destination_invalid');
  const wait = numberLike(query.waitForPickup) ?? DEFAULT_WAIT_FOR_PICKUP_SEC;
  if (!(wait > 0)) throw new ApiError('pc_timeout_invalid');
  const duration = numberLike(query.callDuration);
  if (duration !== undefined && !(duration > 0)) throw new ApiError('pc_callduration_invalid');
  return {
    extension,
    source,
    destination,
    callerId: callerIdOf(view.callerId),
    callerDestination: callerIdOf(view.callerDestination, 'pc_callerdestination_invalid'),
    nonce: typeof body.nonce === 'string' ? body.nonce : undefined,
    waitForPickup: wait,
    callDuration: duration,
  };
}

// ------------------------------------------------------------ PhoneCallEvents

export const EVENT_TYPES = [0, 1, 2, 3, 4] as const;

/** Event type from the path or body: 0 Dial-In … 4 Answer on outgoing call. */
export function eventTypeOf(v: unknown): number {
  return required(oneOf(v, EVENT_TYPES, 'pce_type_invalid'), 'pce_type_invalid');
}

export interface EventFields {
  type?: number;
  id?: string;
  method?: number;
  note?: string;
  url?: string;
  status?: number;
}

/**
 * PhoneCallEvent body fields (Update page: any subset; Add: url required).
 * `status` follows the resource model, 1 = enabled (see errors.ts).
 */
export function validateEventFields(rawBody: unknown, mode: 'create' | 'update'): EventFields {
  const body = asObject(rawBody);
  const out: EventFields = {};
  if (body.type !== undefined && body.type !== null) out.type = eventTypeOf(body.type);
  if (mode === 'create' && body.id !== undefined && body.id !== null) {
    // A client-chosen id follows the Update page's rule: alpha-numeric, 32 characters.
    if (typeof body.id !== 'string' || !isObjectId(body.id) || body.id.length !== EVENT_ID_LENGTH) throw new ApiError('pce_id_invalid');
    out.id = body.id;
  }
  out.method = oneOf(body.method, [0, 1], 'pce_method_invalid');
  out.status = oneOf(body.status, [0, 1], 'pce_status_invalid');
  if (body.note !== undefined && body.note !== null) {
    if (typeof body.note !== 'string' || body.note.length > 1024) throw new ApiError('pce_note_invalid');
    out.note = body.note;
  }
  if (body.url !== undefined && body.url !== null) out.url = urlOf(body.url);
  else if (mode === 'create') throw new ApiError('pce_url_invalid');
  return out;
}

function urlOf(v: unknown): string {
  if (typeof v !== 'string' || v.length > 2048) throw new ApiError('pce_url_invalid');
  try {
    const u = new URL(v);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '') return v;
  } catch {
    // fall through
  }
  throw new ApiError('pce_url_invalid');
}

// ------------------------------------------------------------ sandbox controls

export interface InboundCallRequest {
  to: Extension;
  from: string;
  callerId?: string;
  waitForPickup: number;
}

/** POST /_sandbox/calls: `{to, from?, callerId?, waitForPickup?}` — a public caller rings an extension. */
export function validateInboundCall(world: World, rawBody: unknown): InboundCallRequest {
  const body = asObject(rawBody);
  const to = typeof body.to === 'string' ? world.findExtension(body.to.trim()) : undefined;
  if (!to) throw new ApiError('extension_invalid', '`to` must be an existing extended extension number, e.g. 0003*210.');
  const from = body.from === undefined ? '5550100' : partyOf(world, body.from, to.orgId);
  if (from === null) throw new ApiError('pc_source_invalid');
  return { to, from, callerId: callerIdOf(body.callerId), waitForPickup: waitForPickupOf(body) };
}
