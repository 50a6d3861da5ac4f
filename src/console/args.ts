/**
 * The console's own flags, parsed with `node:util` parseArgs. Everything that
 * is not one of them is the command, word for word, so the command language's
 * own `--key value` options (`hold ... --view 01`) pass through untouched.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './exit.js';

export interface ConsoleArgs {
  help: boolean;
  version: boolean;
  json: boolean;
  /** undefined: decide from the terminal and NO_COLOR */
  color: boolean | undefined;
  /** The command's words, in order; empty for the interactive prompt (or a batch on stdin). */
  command: string[];
}

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  json: { type: 'boolean' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
} as const;

export const USAGE = [
  'Usage: callops [--json] [--no-color] [command ...]',
  '       callops <command> --help | callops --help | callops --version',
  '',
  'With a command: runs it once and exits. Without one: an interactive prompt on a terminal,',
  'or one command per line from standard input (exits non-zero if any line failed).',
  '',
  'Options:',
  "  -h, --help      this text; after a command, that command's help (callops hold --help)",
  '  -V, --version   the version',
  '      --json      machine-readable output: one JSON object per command',
  '      --no-color  no colours (also: NO_COLOR=1); --color forces them',
  '',
  'Exit codes: 0 success, 1 failure, 2 usage error, 4 not authorised, 130 interrupted.',
  'Environment: VOIPNOW_URL with VOIPNOW_TOKEN (or VOIPNOW_CLIENT_ID and VOIPNOW_CLIENT_SECRET);',
  '  without VOIPNOW_URL a built-in sandbox PBX is started. DATA_DIR keeps the prompt history.',
].join('\n');

export function parseConsoleArgs(argv: string[]): ConsoleArgs {
  const { values, tokens } = parseArgs({ args: argv, options: FLAGS, strict: false, allowPositionals: true, tokens: true });
  const ours = new Set<number>();
  for (const t of tokens) {
    if (t.kind === 'option-terminator') ours.add(t.index);
    if (t.kind !== 'option' || !(t.name in FLAGS)) continue;
    if (t.value !== undefined) throw new UsageError(`${t.rawName} takes no value. ${USAGE.split('\n')[0]}`);
    ours.add(t.index);
  }
  const command = argv.filter((_, i) => !ours.has(i));
  const colorFlag = values['no-color'] ? false : values.color ? true : undefined;
  return { help: values.help === true, version: values.version === true, json: values.json === true, color: colorFlag, command };
}
