/**
 * Request validation per the seed pages. Every function either returns a
 * typed, normalized request or throws the documented ApiError.
 *
 * Numbers may arrive as JSON numbers or numeric strings ("20" or 20): the
 * pages send `"waitForPickup":"20"` and `"private":0` side by side.
 */
import { ApiError, type ErrorCode } from './errors.js';
import { DEFAULT_WAIT_FOR_PICKUP_SEC, EVENT_ID_LENGTH, type Extension, type User, type World } from './world.js';

import { asObject, callerIdOf, numberLike, oneOf, partyOf, required, waitForPickupOf, isObjectId } from './validate-fields.js';

export { isObjectId, numberLike } from './validate-fields.js';
export { type ActionRequest, validateAction } from './validate-action.js';

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
