/**
 * The command language: the text a user types after `/call` (or at the console
 * prompt) becomes one typed Command, or a CommandError with one clear line:
 * what is wrong, what is allowed, an example. Shared by the console and Slack.
 */
import { CallopsError } from '../errors.js';
import { UapiError } from '../uapi/errors.js';
import { rules } from '../uapi/rules.js';
import { CALL_ACTIONS, findCallAction, usageOf, type ActionParams, type CallActionName, type CallActionSpec, type ParamName } from './actions.js';

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
  | { kind: 'events-list'; extension: string; eventType?: number }
  | { kind: 'events-add'; extension: string; eventType: number; url: string; method?: 0 | 1; note?: string; status?: 0 | 1 }
  | {
      kind: 'events-update';
      extension: string;
      eventType: number;
      eventId: string;
      changes: { method?: 0 | 1; note?: string; url?: string; status?: 0 | 1 };
    }
  | { kind: 'events-delete'; extension: string; eventType?: number; eventId?: string }
  | { kind: 'link'; extension?: string }
  | { kind: 'unlink' | 'whoami' }
  // Supervisor board (issue 11): a channel watches extensions and queues.
  | { kind: 'watch'; extensions: string[] }
  | { kind: 'unwatch'; extensions: string[] | 'all' }
  | { kind: 'watching' };

export class CommandError extends CallopsError {
  readonly code: string = 'invalid_command';
  constructor(
    /** What is wrong and what is allowed. */
    readonly problem: string,
    readonly usage?: string,
    readonly example?: string,
  ) {
    // One line, whatever the echoed words held (a quoted word may span lines or carry control characters).
    super(oneLine([problem, usage && `Usage: \`${usage}\``, example && `Example: \`${example}\``].filter(Boolean).join(' ')));
    this.name = 'CommandError';
  }

  /** The message, with commands in the usage and example written for a surface (`/call ` in Slack). */
  sentenceFor(prefix: string): string {
    const usage = this.usage && `Usage: \`${prefix}${this.usage}\``;
    const example = this.example && `Example: \`${prefix}${this.example}\``;
    return [this.problem, usage, example].filter(Boolean).join(' ');
  }

  get sentence(): string {
    return this.message;
  }
}

/** Control characters and line breaks become spaces, so a message stays one plain line. */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

/**
 * Slack rewrites `--` as an em dash and straight quotes as curly ones; phones add
 * non-breaking spaces. Undo that before reading the words.
 */
export function normalizeText(text: string): string {
  return (
    text
      // Slack may turn numbers and URLs into links: <tel:+15551234567|+1 555...>, <https://x|x>.
      // No class may run past a `<`: each attempt then stops at the next link, so the
      // scan stays linear (with `[^>]*`, 200 KB of `<http://` took seconds).
      .replace(/<tel:([+\d]+)(?:\|[^<>]*)?>/g, '$1')
      .replace(/<(https?:\/\/[^|<>\s]+)(?:\|[^<>]*)?>/g, '$1')
      .replace(/[\u201C\u201D\u201E\u201F\u00AB\u00BB]/g, '"')
      .replace(/[\u2018\u2019\u201A\u201B]/g, "'")
      .replace(/(^|\s)[\u2014\u2013]+(?=\S)/g, '$1--')
      .replace(/[\u00A0\u2007\u202F]/g, ' ')
      .trim()
  );
}

/**
 * Split into words. Double quotes group words, also inside a word (`note="a b"`);
 * single quotes group only when they open a word, so "O'Brien" stays one word.
 */
export function tokenize(text: string): string[] {
  const words: string[] = [];
  const src = normalizeText(text);
  let i = 0;
  while (i < src.length) {
    while (i < src.length && /\s/.test(src[i]!)) i++;
    if (i >= src.length) break;
    let word = '';
    let quoted = false;
    if (src[i] === "'") {
      const end = src.indexOf("'", i + 1);
      if (end > i && (end + 1 === src.length || /\s/.test(src[end + 1]!))) {
        words.push(src.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    while (i < src.length && (quoted || !/\s/.test(src[i]!))) {
      if (src[i] === '"') quoted = !quoted;
      else word += src[i];
      i++;
    }
    words.push(word);
  }
  return words;
}

/** Option keywords as users type them, mapped to one name (a Map: `constructor` is not an option). */
const OPTION_WORDS = new Map<string, string>(
  Object.entries({
    to: 'to',
    target: 'to',
    sendcallto: 'to',
    as: 'callerId',
    callerid: 'callerId',
    'caller-id': 'callerId',
    wait: 'wait',
    waitforpickup: 'wait',
    timeout: 'wait',
    private: 'private',
    for: 'parkFor',
    maxinparking: 'parkFor',
    format: 'format',
    view: 'view',
    phonecallviewid: 'view',
    method: 'method',
    note: 'note',
    url: 'url',
    status: 'status',
    call: 'call',
    callid: 'call',
    phonecallid: 'call',
    from: 'from',
  }),
);
/** Options that take no value (a following 0/1 is read as its value). */
const FLAGS = new Set(['private']);

interface Words {
  positionals: string[];
  options: Map<string, string>;
}

/** Separate positional words from `to X`, `--to X`, `to=X` options. */
function readWords(words: string[], allowed: ReadonlySet<string>, ctx: { usage: string; example: string }): Words {
  const positionals: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const eq = /^-{0,2}([A-Za-z-]+)=(.*)$/s.exec(word);
    const dashed = /^--?([A-Za-z-]+)$/.exec(word);
    const key = eq?.[1] ?? dashed?.[1] ?? word;
    const name = OPTION_WORDS.get(key.toLowerCase());
    const looksLikeOption = eq !== null || dashed !== null || name !== undefined;
    if (!looksLikeOption) {
      positionals.push(word);
      continue;
    }
    if (!name || !allowed.has(name)) {
      const known = [...allowed].join(', ') || 'none';
      throw new CommandError(`\`${word}\` is not an option here (options: ${known}).`, ctx.usage, ctx.example);
    }
    if (options.has(name)) throw new CommandError(`\`${key}\` is given twice.`, ctx.usage, ctx.example);
    let value: string | undefined = eq?.[2];
    if (value === undefined) {
      const next = words[i + 1];
      if (FLAGS.has(name)) {
        // A following 0 or 1 is the flag's value, and is consumed with it.
        if (next !== undefined && /^[01]$/.test(next)) {
          value = next;
          i++;
        } else value = '1';
      } else {
        if (next === undefined) throw new CommandError(`\`${key}\` needs a value.`, ctx.usage, ctx.example);
        value = next;
        i++;
      }
    }
    options.set(name, value);
  }
  return { positionals, options };
}

/** Run a seeds' rule, turning its UapiError into a CommandError with the usage line. */
function check<T>(fn: () => T, ctx: { usage: string; example: string }): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UapiError) throw new CommandError(err.sentence, ctx.usage, ctx.example);
    throw err;
  }
}

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

const EVENTS_USAGE: Record<'list' | 'add' | 'update' | 'delete', { usage: string; example: string }> = {
  list: { usage: 'events list <extension> [type]', example: 'events list 0003*210' },
  add: {
    usage: 'events add <extension> <type> url <url> [method get|post] [note "..."] [status enabled|disabled]',
    example: 'events add 0003*210 hangup url https://crm.example.com/hook method post',
  },
  update: {
    usage: 'events update <extension> <type> <eventId> [method get|post] [note "..."] [url <url>] [status enabled|disabled]',
    example: 'events update 0003*210 0 NqeyDRqo4FtabmFj8gNWq3hsiGNYyq method post note "I want to use POST for my event"',
  },
  delete: { usage: 'events delete <extension> [type [eventId]]', example: 'events delete 0003*210 0 NqeyDRqo4FtabmFj8gNWq3hsiGNYyq' },
};
const EVENTS_OPS = new Map(Object.entries(EVENTS_USAGE) as [keyof typeof EVENTS_USAGE, { usage: string; example: string }][]);
const EVENTS_MAX_WORDS = new Map<keyof typeof EVENTS_USAGE, number>([
  ['list', 2],
  ['add', 2],
  ['update', 3],
  ['delete', 3],
]);

function parseEvents(args: string[]): Command {
  const [op, ...rest] = args;
  const key = (op ?? '').toLowerCase() as keyof typeof EVENTS_USAGE;
  // A Map, not an object lookup: `events constructor` or `events __proto__` is an unknown word.
  const ctx = EVENTS_OPS.get(key);
  if (!ctx) {
    throw new CommandError(
      op ? `\`events ${op}\` is not known: use list, add, update or delete.` : '`events` needs list, add, update or delete.',
      'events list|add|update|delete <extension> ...',
      EVENTS_USAGE.list.example,
    );
  }
  const takesFields = key === 'add' || key === 'update';
  const { positionals, options } = readWords(rest, new Set(takesFields ? ['method', 'note', 'url', 'status'] : []), ctx);
  const max = EVENTS_MAX_WORDS.get(key)!;
  if (positionals.length > max) {
    throw new CommandError(`Too many words: \`${positionals.slice(max).join(' ')}\` is not understood.`, ctx.usage, ctx.example);
  }
  const [ext, type, id] = positionals;
  if (ext === undefined) throw new CommandError('Which extension?', ctx.usage, ctx.example);
  const extension = check(() => rules.extension(ext), ctx);
  const eventType = type === undefined ? undefined : check(() => rules.eventType(type), ctx);
  const eventId = id === undefined ? undefined : check(() => rules.eventId(id), ctx);
  const fields = check(
    () => ({
      ...(options.has('method') && { method: rules.eventMethod(options.get('method')!) }),
      ...(options.has('note') && { note: rules.eventNote(options.get('note')!) }),
      ...(options.has('url') && { url: rules.eventUrl(options.get('url')!) }),
      ...(options.has('status') && { status: rules.eventStatus(options.get('status')!) }),
    }),
    ctx,
  );
  switch (key) {
    case 'list':
      return { kind: 'events-list', extension, ...(eventType !== undefined && { eventType }) };
    case 'delete':
      return { kind: 'events-delete', extension, ...(eventType !== undefined && { eventType }), ...(eventId !== undefined && { eventId }) };
    case 'add': {
      if (eventType === undefined) throw new CommandError('Which event type?', ctx.usage, ctx.example);
      if (!fields.url) throw new CommandError('A new event needs `url <address>` to call.', ctx.usage, ctx.example);
      return { kind: 'events-add', extension, eventType, ...fields, url: fields.url };
    }
    case 'update': {
      if (eventType === undefined || eventId === undefined) {
        throw new CommandError('Which event? Give its type and id (see `events list`).', ctx.usage, ctx.example);
      }
      // No changes: the console says so (the client refuses an empty update); Slack opens the edit modal.
      return { kind: 'events-update', extension, eventType, eventId, changes: fields };
    }
  }
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
  }
  if (word === 'record' || word === 'recording') return parseRecord(args);
  const spec = findCallAction(word);
  if (spec?.name === 'dial') return parseDial(args);
  if (spec) return parseAction(spec, args);
  const words = [...new Set(['help', 'list', ...CALL_ACTIONS.map((a) => (a.verb ?? a.name).split(' ')[0]!), 'events', 'link', 'unlink', 'whoami', 'watch', 'unwatch', 'watching'])];
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
