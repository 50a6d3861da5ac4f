/**
 * Plain-text rendering of outcomes, for the terminal console.
 */
import type { PhoneCall } from '../uapi/schemas.js';
import { callAction, didPhrase } from './actions.js';
import { countOf, eventLine, extensionWords, route, statusWords, viewState } from './describe.js';
import type { Outcome } from './execute.js';

export interface TextOptions {
  /** How to show a VoipNow time (ISO 8601); default: as VoipNow sent it. The console shows local time and "3 min ago". */
  time?: (iso: string) => string;
}

export function callText(call: PhoneCall, opts: TextOptions = {}): string {
  const time = opts.time ?? ((iso: string) => iso);
  const head = `Call ${call.id}${call.extension ? ` on ${call.extension}` : ''}${call.answered ? `, answered ${time(call.answered)}` : ''}`;
  const views = call.phoneCallView.map((v) => {
    const parts = [
      `  view ${v.id}  ${v.extension ?? '?'}  ${viewState(v)}${viewState(v) !== statusWords(v.status) ? ` (${statusWords(v.status)})` : ''}`,
      `    ${route(v)}${v.callerId ? `  caller id ${v.callerId}` : ''}`,
    ];
    if (v.onHold !== undefined) parts.push(`    on hold since ${time(v.onHold)}${v.holder === 1 ? ', held by this side' : ''}`);
    else if (v.holder === 1) parts.push('    held by this side');
    if (v.parked !== undefined) {
      parts.push(`    parked since ${time(v.parked)}${v.parkedPos !== undefined ? ` at position ${v.parkedPos}` : ''}${v.parkedBy ? ` by ${v.parkedBy}` : ''}`);
    }
    if (v.recording !== undefined) parts.push(`    recording since ${v.recording}`);
    return parts.join('\n');
  });
  return [head, ...(views.length ? views : ['  (no views)'])].join('\n');
}

export function outcomeText(o: Outcome, opts: TextOptions = {}): string {
  switch (o.kind) {
    case 'calls':
      return o.calls.length === 0
        ? `No live calls on ${extensionWords(o.extension)}.`
        : [`${countOf(o.calls.length, 'live call')} on ${extensionWords(o.extension)}:`, ...o.calls.map((c) => callText(c, opts))].join('\n');
    case 'action': {
      const did = didPhrase(callAction(o.action), `call ${o.phoneCallId}`);
      if (o.unread) {
        const why = o.unread.kind === 'timeout' ? 'the read timed out' : `the read failed: ${o.unread.status ? `HTTP ${o.unread.status}` : o.unread.code}`;
        return `Accepted: VoipNow accepted the request (${did}), but the call's new state could not be read yet (${why}). Run \`list ${o.extension}\` to see it; do not run it again.`;
      }
      if (!o.call) return o.action === 'hangup' ? `OK: ${did}.` : `OK: ${did}; the call has ended.`;
      return `OK: ${did}.\n${callText(o.call, opts)}`;
    }
    case 'events':
      return [`${o.summary}${o.events.length ? ':' : '.'}`, ...o.events.map((e) => `  ${eventLine(e)}`)].join('\n');
  }
}
