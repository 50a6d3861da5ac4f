/**
 * Plain-text rendering of outcomes, for the terminal console.
 */
import type { PhoneCall } from '../uapi/schemas.js';
import { callAction, didPhrase } from './actions.js';
import { countOf, eventLine, extensionWords, route, statusWords, viewState } from './describe.js';
import type { Outcome } from './execute.js';

export function callText(call: PhoneCall): string {
  const head = `Call ${call.id}${call.extension ? ` on ${call.extension}` : ''}${call.answered ? `, answered ${call.answered}` : ''}`;
  const views = call.phoneCallView.map((v) => {
    const parts = [
      `  view ${v.id}  ${v.extension ?? '?'}  ${viewState(v)}${viewState(v) !== statusWords(v.status) ? ` (${statusWords(v.status)})` : ''}`,
      `    ${route(v)}${v.callerId ? `  caller id ${v.callerId}` : ''}`,
    ];
    if (v.onHold !== undefined) parts.push(`    on hold since ${v.onHold}${v.holder === 1 ? ', held by this side' : ''}`);
    else if (v.holder === 1) parts.push('    held by this side');
    if (v.parked !== undefined) {
      parts.push(`    parked since ${v.parked}${v.parkedPos !== undefined ? ` at position ${v.parkedPos}` : ''}${v.parkedBy ? ` by ${v.parkedBy}` : ''}`);
    }
    return parts.join('\n');
  });
  return [head, ...(views.length ? views : ['  (no views)'])].join('\n');
}

export function outcomeText(o: Outcome): string {
  switch (o.kind) {
    case 'calls':
      return o.calls.length === 0
        ? `No live calls on ${extensionWords(o.extension)}.`
        : [`${countOf(o.calls.length, 'live call')} on ${extensionWords(o.extension)}:`, ...o.calls.map(callText)].join('\n');
    case 'action': {
      const did = didPhrase(callAction(o.action), `call ${o.phoneCallId}`);
      if (!o.call) return o.action === 'hangup' ? `OK: ${did}.` : `OK: ${did}; the call has ended.`;
      return `OK: ${did}.\n${callText(o.call)}`;
    }
    case 'events':
      return [o.summary + (o.events.length ? ':' : '.'), ...o.events.map((e) => '  ' + eventLine(e))].join('\n');
  }
}
