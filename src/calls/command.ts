/**
 * The command language: the text a user types after `/call` (or at the console
 * prompt) becomes one typed Command, or a CommandError with one clear line:
 * what is wrong, what is allowed, an example. Shared by the console and Slack.
 */
import { rules } from '../uapi/rules.js';
import { CommandError } from './command-error.js';
import { type EventsCommand, parseEvents } from './parse-events.js';
import { check, readWords, tokenize } from './words.js';
import { CALL_ACTIONS, findCallAction, usageOf } from './actions.js';
import type { ActionParams, CallActionName, CallActionSpec, ParamName } from './action-spec.js';

export { CommandError, oneLine } from './command-error.js';
export { normalizeText, tokenize } from './words.js';

export type Command =
  | { kind: 'help'; topic?: string }
  | { kind: 'list'; extension: string }
  | { kind: 'dial'; destination: string; from?: string; callerId?: string }
  /** One call; `share` (typed `post`): Slack posts its card to the channel instead of answering privately. */
  | { kind: 'show'; extension: string; phoneCallId: string; share?: true }
  | {
      kind: 'action';
      action: CallActionName;
      extension: string;
      phoneCallId?: string;
      viewId?: string;
      params: ActionParams;
    }
  | EventsCommand
  | { kind: 'link'; extension?: string }
  | { kind: 'unlink' | 'whoami' }
  /** Missed-call DMs on or off (Slack only). */
  | { kind: 'notify'; on: boolean }
  // Supervisor board: a channel watches extensions and queues.
  | { kind: 'watch'; extensions: string[] }
  | { kind: 'unwatch'; extensions: string[] | 'all' }
  | { kind: 'watching' };

const CALL_ID_SHAPE = /^(?=.*[A-Za-z])[A-Za-z0-9]{8,64}$/;

function parseAction(spec: CallActionSpec, args: string[]): Command {
  const ctx = { usage: usageOf(spec), example: spec.example };
  const allowed = new Set<string>([...spec.params, 'view', 'call']);
  const { positionals, options } = readWords(args, allowed, ctx);
  if (positionals.length > 2) {
    throw new CommandError(`Too many words: \`${positionals.slice(2).join(' ')}\` is not understood.`, ctx.usage, ctx.example);
  }
  let [extension, phoneCallId] = positionals;
  phoneCallId ??= options.get('call');
  // A lone call id: VoipNow finds the call among all of the user's extensions (@self).
  if (extension !== undefined && phoneCallId === undefined && CALL_ID_SHAPE.test(extension)) {
    phoneCallId = extension;
    extension = '@self';
  }
  if (extension === undefined) {
    throw new CommandError(`Which extension? \`${spec.name}\` needs the extension on the call.`, ctx.usage, ctx.example);
  }
  extension = check(() => rules.extension(extension!, { allowSelf: true }), ctx);
  if (phoneCallId !== undefined) phoneCallId = check(() => rules.phoneCallId(phoneCallId!), ctx);
  const view = options.get('view');
  const viewId = view === undefined ? undefined : check(() => rules.phoneCallViewId(view), ctx);

  const params: ActionParams = {};
  for (const p of spec.required) {
    if (!options.has(p)) throw new CommandError(`\`${spec.name}\` needs a target: add \`to <extension>\`.`, ctx.usage, ctx.example);
  }
  const read: Record<ParamName, (v: string) => void> = {
    to: (v) => (params.to = rules.sendCallTo(v, { allowPhoneNumber: spec.name === 'transfer' })),
    callerId: (v) => (params.callerId = rules.callerId(v)),
    wait: (v) => (params.wait = rules.waitForPickup(v)),
    private: (v) => (params.private = rules.private(v)),
    parkFor: (v) => (params.parkFor = rules.maxInParking(v)),
    format: (v) => (params.format = rules.recordingFormat(v)),
  };
  for (const p of spec.params) {
    const v = options.get(p);
    if (v !== undefined) check(() => read[p](v), ctx);
  }
  return {
    kind: 'action',
    action: spec.name,
    extension,
    ...(phoneCallId !== undefined && { phoneCallId }),
    ...(viewId !== undefined && { viewId }),
    params,
  };
}

function oneExtension(word: string, args: string[], usage: string, example: string, allowSelf: boolean): string {
  const ctx = { usage, example };
  if (args.length > 1) throw new CommandError(`Too many words: \`${args.slice(1).join(' ')}\` is not understood.`, usage, example);
  const ext = args[0];
  if (ext === undefined) throw new CommandError(`\`${word}\` needs an extension.`, usage, example);
  return check(() => rules.extension(ext, { allowSelf }), ctx);
}

/** `dial <number or extension> [from <your extension>] [as "Name <number>"]`: Create PhoneCalls. */
function parseDial(args: string[]): Command {
  const spec = findCallAction('dial')!;
  const ctx = { usage: usageOf(spec), example: spec.example };
  const { positionals, options } = readWords(args, new Set(['from', 'callerId']), ctx);
  // "+1 555 123 4567" typed with spaces is one number.
  const typed = positionals.join(' ');
  if (typed === '') throw new CommandError('Which number? `dial` needs the number or extension to call.', ctx.usage, ctx.example);
  const destination = check(() => rules.destination(typed), ctx);
  const from = options.has('from') ? check(() => rules.extension(options.get('from')!), ctx) : undefined;
  const callerId = options.has('callerId') ? check(() => rules.callerId(options.get('callerId')!), ctx) : undefined;
  return { kind: 'dial', destination, ...(from !== undefined && { from }), ...(callerId !== undefined && { callerId }) };
}

/** `record start|stop <extension> [callId] ...`: StartRecording or StopRecording. */
function parseRecord(args: string[]): Command {
  const [how, ...rest] = args;
  const start = findCallAction('record')!;
  const which = how?.toLowerCase();
  if (which === 'start' || which === 'on') return parseAction(start, rest);
  if (which === 'stop' || which === 'off') return parseAction(findCallAction('stoprecord')!, rest);
  throw new CommandError(
    how === undefined ? '`record` needs `start` or `stop`.' : `\`record ${how}\` is not known: use \`record start\` or \`record stop\`.`,
    'record start|stop <extension> [callId] [format wav|wav49]',
    start.example,
  );
}

/** Slack's own limit on slash-command text; anything longer is refused before it is read. */
export const MAX_COMMAND_LENGTH = 4000;

/** Parse what the user typed. Throws CommandError with one clear line on bad input. */
export function parseCommand(text: string): Command {
  if (text.length > MAX_COMMAND_LENGTH) {
    throw new CommandError(`That command is ${text.length} characters long; callops reads at most ${MAX_COMMAND_LENGTH}.`, undefined, 'hold 0003*210 b817d2618fe6f1804333');
  }
  const [first, ...args] = tokenize(text);
  const word = (first ?? 'help').toLowerCase().replace(/^-+/, '');
  switch (word) {
    case 'help':
    case '?':
      return args[0] ? { kind: 'help', topic: args[0].toLowerCase() } : { kind: 'help' };
    case 'list':
    case 'ls':
    case 'calls': {
      if (args.length === 0) return { kind: 'list', extension: '@self' };
      if (args.length === 2) {
        const ctx = { usage: 'list [extension] [callId]', example: 'list 0003*210 b817d2618fe6f1804333' };
        const extension = check(() => rules.extension(args[0]!, { allowSelf: true }), ctx);
        return { kind: 'show', extension, phoneCallId: check(() => rules.phoneCallId(args[1]!), ctx) };
      }
      return { kind: 'list', extension: oneExtension('list', args, 'list [extension] [callId]', 'list 0003*210', true) };
    }
    case 'post':
    case 'share': {
      const ctx = { usage: 'post <extension> <callId>', example: 'post 0003*210 b817d2618fe6f1804333' };
      if (args.length !== 2) throw new CommandError('`post` needs the extension and the call id of one live call.', ctx.usage, ctx.example);
      const extension = check(() => rules.extension(args[0]!, { allowSelf: true }), ctx);
      return { kind: 'show', extension, phoneCallId: check(() => rules.phoneCallId(args[1]!), ctx), share: true };
    }
    case 'events':
    case 'event':
      return parseEvents(args);
    case 'link':
    case 'login':
      if (args.length === 0) return { kind: 'link' };
      return { kind: 'link', extension: oneExtension('link', args, 'link [your extension]', 'link 0003*210', false) };
    case 'unlink':
    case 'logout':
      return { kind: 'unlink' };
    case 'whoami':
    case 'me':
      return { kind: 'whoami' };
    case 'watch':
    case 'unwatch':
    case 'watching':
      return parseWatch(word, args);
    case 'notify':
    case 'notifications':
      return parseNotify(args);
  }
  if (word === 'record' || word === 'recording') return parseRecord(args);
  const spec = findCallAction(word);
  if (spec?.name === 'dial') return parseDial(args);
  if (spec) return parseAction(spec, args);
  const words = [...new Set(['help', 'list', ...CALL_ACTIONS.map((a) => (a.verb ?? a.name).split(' ')[0]!), 'events', 'link', 'unlink', 'whoami', 'notify', 'watch', 'unwatch', 'watching'])];
  throw new CommandError(`\`${first}\` is not a command. Commands: ${words.join(', ')}.`, undefined, 'hold 0003*210 b817d2618fe6f1804333');
}

/** `watch <extension>...` (`@self` for your own), `unwatch <extension>...|all`, `watching`. */
function parseWatch(word: 'watch' | 'unwatch' | 'watching', args: string[]): Command {
  if (word === 'watching') {
    if (args.length) throw new CommandError(`Too many words: \`${args.join(' ')}\` is not understood.`, 'watching', 'watching');
    return { kind: 'watching' };
  }
  const ctx =
    word === 'watch' ? { usage: 'watch <extension or queue>... (or @self)', example: 'watch 0003*210 0003*300' } : { usage: 'unwatch <extension>...|all', example: 'unwatch 0003*210' };
  if (args.length === 0) throw new CommandError(`\`${word}\` needs at least one extension.`, ctx.usage, ctx.example);
  if (word === 'unwatch' && args.length === 1 && args[0]!.toLowerCase() === 'all') return { kind: 'unwatch', extensions: 'all' };
  if (args.length > 20) throw new CommandError(`At most 20 extensions at once (you gave ${args.length}).`, ctx.usage, ctx.example);
  const extensions = [...new Set(args.map((a) => check(() => rules.extension(a, { allowSelf: word === 'watch' }), ctx)))];
  return word === 'watch' ? { kind: 'watch', extensions } : { kind: 'unwatch', extensions };
}

/** `notify on|off`: a DM for each call that rang on your extension unanswered. */
function parseNotify(args: string[]): Command {
  const usage = 'notify on|off';
  const [how, ...rest] = args;
  const which = how?.toLowerCase();
  if (rest.length) throw new CommandError(`Too many words: \`${rest.join(' ')}\` is not understood.`, usage, 'notify off');
  if (which === 'on' || which === 'off') return { kind: 'notify', on: which === 'on' };
  throw new CommandError(
    how === undefined
      ? '`notify` needs `on` or `off`: missed-call DMs (a call that rang on your extension and was not answered) are on unless you turn them off.'
      : `\`notify ${how}\` is not known: use \`notify on\` or \`notify off\`.`,
    usage,
    'notify off',
  );
}
