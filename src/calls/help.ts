/**
 * Help text, built from the action table so it cannot drift from what the parser accepts.
 */
import { CALL_ACTIONS, findCallAction, usageOf } from './actions.js';

export function helpLines(prefix = ''): string[] {
  const p = (s: string) => `${prefix}${s}`;
  return [
    'Calls:',
    `  ${p('list [extension]')}  live calls (default: all of your extensions)`,
    ...CALL_ACTIONS.map((a) => `  ${p(usageOf(a))}  ${a.summary}${a.role === 'supervisor' ? ' (supervisors)' : ''}`),
    'Call events (webhooks):',
    `  ${p('events list <extension> [type]')}`,
    `  ${p('events add <extension> <type> url <url> [method get|post] [note "..."] [status enabled|disabled]')}`,
    `  ${p('events update <extension> <type> <eventId> [method ...] [note ...] [url ...] [status ...]')}`,
    `  ${p('events delete <extension> [type [eventId]]')}`,
    '  types: 0 dial-in, 1 dial-out, 2 hangup, 3 answer (incoming), 4 answer (outgoing)',
    'Live call board of a channel (Slack; watch and unwatch are for supervisors):',
    `  ${p('watch <extension or queue>... | @self')}  every live call gets a card here, kept current`,
    `  ${p('unwatch <extension>...|all')}   ${p('watching')}`,
    'Tips: a call id alone finds the call on any of your extensions; options also work as key=value or --key value;',
    '  without a call id the extension\'s only live call is used; without `view` the only view, or the extension\'s own.',
    `Example: ${p('hold 0003*210 b817d2618fe6f1804333')}`,
  ];
}

export function helpFor(topic: string | undefined, prefix = ''): string {
  const spec = topic ? findCallAction(topic) : undefined;
  if (spec) {
    return [`${prefix}${usageOf(spec)}`, `  ${spec.summary}.`, `  Example: ${prefix}${spec.example}`].join('\n');
  }
  return helpLines(prefix).join('\n');
}
