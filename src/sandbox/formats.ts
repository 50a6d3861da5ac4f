/**
 * How the sandbox PBX writes its values: dates as the pages show them, call and
 * PhoneCallEvent ids, and caller ids split into name and number.
 */
import { randomBytes } from 'node:crypto';

export function isoDate(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export function newCallId(): string {
  return randomBytes(10).toString('hex');
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/**
 * Update PhoneCallEvents page, pce_id_invalid: an id is "alpha-numeric 32
 * characters long". (The page's own example id has 30; ids already in the seed
 * world keep their length, generated ones follow the rule.)
 */
export const EVENT_ID_LENGTH = 32;
export function newEventId(): string {
  return Array.from(randomBytes(EVENT_ID_LENGTH), (b) => ALNUM[b % ALNUM.length]).join('');
}

/** Splits `John Doe <3333>` into name and number. */
export function splitCallerId(callerId: string | undefined): { name: string; num: string } {
  const m = /^\s*(.*?)\s*<([^<>]*)>\s*$/.exec(callerId ?? '');
  return m ? { name: m[1] ?? '', num: m[2] ?? '' } : { name: '', num: callerId ?? '' };
}
