/**
 * The phone numbers in a message, for "Call this number": international (`+1 (555) 012-3456`,
 * `+44 20 7946 0958`) and national forms (`(555) 012-3456`, `555-012-3456`, `020 7946 0958`),
 * `tel:` links, Slack's link markup around them (`<tel:+15550123456|+1 555 012 3456>`), and PBX
 * extensions (`0003*210`). Each is returned once, in the order it appears, as Create PhoneCalls
 * takes it (digits, a leading `+`, `*` for an extension), with the text it was written as.
 * Dates, times, money and ids are not numbers to call: fewer than 7 digits (an extension aside),
 * more than 15 (E.164's maximum), or digits glued to letters are left alone.
 */
import { rules } from '../uapi/rules.js';

export interface FoundNumber {
  /** What Create PhoneCalls is given: `+15550123456`, `5550123456`, `0003*210`. */
  number: string;
  /** As the message wrote it (trimmed, at most 60 characters). */
  written: string;
}

/** At most this many numbers are offered from one message. */
export const MAX_NUMBERS = 10;

const TEL_LINK = /<tel:([^|>]{1,60})(?:\|([^>]{1,60}))?>/gi;
const EXTENSION = /(?<![\w*+])\d{1,6}\*\d{1,6}(?![\w*])/g;
// A run of digits with the separators people write: spaces, dots, dashes, parentheses; an optional +.
const WRITTEN = /(?<![\w+*])\+?\(?\d[\d\s().-]{5,24}\d(?![\w*])/g;

export function findPhoneNumbers(text: string): FoundNumber[] {
  const found: FoundNumber[] = [];
  const seen = new Set<string>();
  const add = (raw: string, written: string): void => {
    const number = dialable(raw);
    if (!number || seen.has(number) || found.length >= MAX_NUMBERS) return;
    seen.add(number);
    found.push({ number, written: written.trim().slice(0, 60) });
  };
  // Slack wraps a tel: link as <tel:…|label>; take those first, then read the rest of the text.
  let rest = text.replace(TEL_LINK, (_m, target: string, label?: string) => {
    add(target, label ?? target);
    return ' ';
  });
  // Other link markup (<https://…|…>, <@U…>, <#C…>) holds ids and addresses, not numbers to call.
  rest = rest.replace(/<[^>]{0,400}>/g, ' ');
  // Dates (2026-12-02, 02.12.2026, 12/02/2026) are not numbers to call.
  rest = rest.replace(/\b(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4})\b/g, (m) => ' '.repeat(m.length));
  const spots: Array<{ at: number; raw: string }> = [];
  for (const m of rest.matchAll(EXTENSION)) spots.push({ at: m.index ?? 0, raw: m[0] });
  const withoutExtensions = rest.replace(EXTENSION, (m) => ' '.repeat(m.length));
  for (const m of withoutExtensions.matchAll(WRITTEN)) spots.push({ at: m.index ?? 0, raw: m[0] });
  for (const spot of spots.sort((a, b) => a.at - b.at)) add(spot.raw, spot.raw);
  return found;
}

/** The number as Create PhoneCalls takes it, or undefined when it is not one to call. */
function dialable(raw: string): string | undefined {
  const compact = raw.trim().replace(/[\s().-]/g, '');
  if (compact.includes('*')) return valid(compact);
  const digits = compact.replace(/^\+/, '');
  if (!/^\d+$/.test(digits) || digits.length < 7 || digits.length > 15) return undefined;
  return valid(compact);
}

function valid(candidate: string): string | undefined {
  try {
    return rules.destination(candidate);
  } catch {
    return undefined;
  }
}
