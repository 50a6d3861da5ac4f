/**
 * The pieces every sandbox request validator reads: the body as an object,
 * ids, numbers given as numbers or numeric strings, caller ids, wait times and
 * call parties, each throwing the documented ApiError.
 */
import { ApiError, type ErrorCode } from './errors.js';
import { DEFAULT_WAIT_FOR_PICKUP_SEC, type World } from './world.js';

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

export function required<T>(v: T | undefined, code: ErrorCode): T {
  if (v === undefined) throw new ApiError(code);
  return v;
}

/**
 * UAPI-Caller-Id, `John Doe <+3334444>`: a name, then a number of digits,
 * `+` and `*` inside angle brackets (the MCP server also accepts `<0003*001>`).
 * A real PBX also passes a quoted SIP display name through, with any characters
 * in it (`"<!channel> *x*" <5551234>`; `\"` and `\\` escaped), so tests can send hostile names.
 */
const CALLER_ID = /^(?:[^<>"]{0,200}|\s*"(?:[^"\\\r\n]|\\.){0,200}"\s*)<[0-9+*]{1,64}>\s*$/;

export function callerIdOf(v: unknown, code: ErrorCode = 'pc_callerid_invalid'): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !CALLER_ID.test(v)) throw new ApiError(code);
  return v.trim();
}

/** waitForPickup: "numeric and higher than 0", default 25 seconds. */
export function waitForPickupOf(body: Record<string, unknown>): number {
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
