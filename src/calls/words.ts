/**
 * Reading what a user typed: text as Slack and phones send it, words (quotes
 * group them), and options (`to 0003*024`, `to=0003*024`, `--to 0003*024`).
 */
import { UapiError } from '../uapi/errors.js';
import { CommandError } from './command-error.js';

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
/** Plain words between single spaces: nothing for normalizeText to change, no quotes to group. */
const PLAIN_WORDS = /^[\w*#?.,:;@+/=!-]+(?: [\w*#?.,:;@+/=!-]+)*$/;

export function tokenize(text: string): string[] {
  // What most commands are (`help`, `hold 0003*210 <id>`): split as they are.
  if (text === '') return [];
  if (text.length <= 200 && PLAIN_WORDS.test(text)) return text.split(' ');
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
export function readWords(words: string[], allowed: ReadonlySet<string>, ctx: { usage: string; example: string }): Words {
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
export function check<T>(fn: () => T, ctx: { usage: string; example: string }): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UapiError) throw new CommandError(err.sentence, ctx.usage, ctx.example);
    throw err;
  }
}
