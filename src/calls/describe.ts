/**
 * Words for a call's state, shared by the console text and the Slack card.
 */
import { PHONE_CALL_EVENT_TYPES, PHONE_CALL_STATUS, type PhoneCallEvent, type PhoneCallView } from '../uapi/schemas.js';

export function statusWords(status: number | undefined): string {
  if (status === undefined) return 'unknown';
  return PHONE_CALL_STATUS[status as keyof typeof PHONE_CALL_STATUS] ?? `status ${status}`;
}

/** "on call", "on hold", "parked", "ringing": what a person would say the view is doing. */
export function viewState(v: PhoneCallView): string {
  if (v.parked !== undefined) return 'parked';
  if (v.onHold !== undefined || v.holder === 1) return 'on hold';
  return statusWords(v.status);
}

export function route(v: PhoneCallView): string {
  const side = (xs: string[]) => (xs.length ? xs.join(', ') : '?');
  return `${side(v.source)} -> ${side(v.destination)}`;
}

/** "1 live call", "3 live calls": a count with its noun in the right number. */
export function countOf(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** How to say an extension reference in a sentence: `@self` means all of the user's. */
export function extensionWords(extension: string): string {
  return extension === '@self' ? 'your extensions' : extension;
}

export function eventTypeWords(type: number | undefined): string {
  return type === undefined ? 'unknown' : (PHONE_CALL_EVENT_TYPES[type as keyof typeof PHONE_CALL_EVENT_TYPES] ?? `type ${type}`);
}

/**
 * An event URL as shown to people: the secret of callops' own receiver
 * (`/voipnow/events/<secret>`) is cut to its last 4 characters, since anyone who
 * reads it could make the board read that extension.
 */
export function maskEventUrl(url: string): string {
  return url.replace(/(\/voipnow\/events\/)([^/?#\s]+)/g, (_m, path: string, secret: string) => `${path}••••${secret.slice(-4)}`);
}

export function eventLine(e: PhoneCallEvent): string {
  const method = e.method === 1 ? 'POST' : e.method === 0 ? 'GET' : '?';
  const status = e.status === 1 ? 'enabled' : e.status === 0 ? 'disabled' : '?';
  return `${e.id}  type ${e.type ?? '?'} (${eventTypeWords(e.type)})  ${method} ${maskEventUrl(e.url ?? '')}  ${status}${e.note ? `  "${e.note}"` : ''}`;
}
