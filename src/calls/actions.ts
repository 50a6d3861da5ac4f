/**
 * The one table of call actions. Everything that offers an action (the command
 * parser, help text, card buttons, modals, permission checks) reads this table;
 * nothing else knows which UAPI action a word maps to.
 */
import { CALL_ACTIONS } from './action-table.js';
import type { CallActionName, CallActionSpec, ParamName } from './action-spec.js';

export { CALL_ACTIONS };

const BY_WORD = new Map<string, CallActionSpec>();
for (const a of CALL_ACTIONS) for (const w of [a.name, ...a.aliases]) BY_WORD.set(w, a);

export function findCallAction(word: string): CallActionSpec | undefined {
  return BY_WORD.get(word.toLowerCase());
}

/** What an action did to `what`: "put the call on hold", "parked call b817…". */
export function didPhrase(a: CallActionSpec, what: string): string {
  return a.didTo ? a.didTo(what) : `${a.did} ${what}`;
}

export function callAction(name: CallActionName): CallActionSpec {
  return BY_WORD.get(name)!;
}

/** The words users type for each option, for usage lines. */
export const PARAM_SYNTAX: Record<ParamName, string> = {
  to: 'to <extension>',
  callerId: 'as "Name <number>"',
  wait: 'wait <seconds>',
  private: 'private',
  parkFor: 'for <seconds>',
  format: 'format wav|wav49',
};

export function usageOf(a: CallActionSpec): string {
  if (a.usage) return a.usage;
  const opts = a.params.map((p) => (a.required.includes(p) ? PARAM_SYNTAX[p] : `[${PARAM_SYNTAX[p]}]`));
  return [a.verb ?? a.name, '<extension>', '[callId]', ...opts, '[view <id>]'].join(' ');
}
