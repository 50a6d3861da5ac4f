/**
 * `callops` (also `npm run console`): callops from a terminal, like Hubot's shell.
 *
 *   callops                          interactive prompt (colours, spinner, tab completion, history)
 *   callops list 0003*210            one command, then exit
 *   callops --json list              machine-readable output
 *   echo "list" | callops            one command per line from standard input
 *   callops hold --help              a command's help; callops --help, callops --version
 *
 * Exit codes: 0 success, 1 failure, 2 usage error, 4 not authorised, 130 interrupted.
 * With no configuration it starts the sandbox PBX in-process (see connect.ts).
 */
import 'dotenv/config';
import { join } from 'node:path';
import readline from 'node:readline';
import { helpFor } from '../calls/help.js';
import { createLogger, parseLogLevel, type Logger } from '../log.js';
import { APP_NAME, APP_VERSION } from '../version.js';
import { USAGE, parseConsoleArgs, type ConsoleArgs } from './args.js';
import { Completions } from './completion.js';
import { connect, type Connection } from './connect.js';
import { EXIT, type ExitCode } from './exit.js';
import { HISTORY_FILE_NAME, HISTORY_SIZE, loadHistory, saveHistoryLine } from './history.js';
import { failed, runLine, type ConsoleResult, type SessionOptions } from './session.js';
import { style, useColor, withSpinner } from './style.js';
import { when } from './time.js';

const out = process.stdout;
const err = process.stderr;

/**
 * The command line from the process arguments: one argument is the whole line (`callops "hold 0003*210 b817..."`);
 * of several, a word with spaces was quoted in the shell (`as "John Doe <42>"`), so it is quoted again.
 */
function commandLine(words: string[]): string {
  if (words.length === 1) return words[0]!;
  return words.map((w) => (/\s/.test(w) && !w.includes('"') ? `"${w}"` : w)).join(' ');
}

interface Run {
  args: ConsoleArgs;
  logger: Logger;
  connection(): Promise<Connection>;
  opts: SessionOptions;
  emit(r: ConsoleResult, where?: string): void;
}

async function interactive(run: Run): Promise<ExitCode> {
  const conn = await run.connection();
  const bold = style(useColor(run.args.color, out)).bold;
  const dim = style(useColor(run.args.color, out)).dim;
  out.write(`${bold(`${APP_NAME} ${APP_VERSION}`)} console, talking to ${conn.where}.\n${dim('Type help for commands, Tab to complete, quit to leave. Try: list 0003*210')}\n`);
  const completions = new Completions({ refresh: () => conn.client.listPhoneCalls({ extension: '@self' }) });
  const opts: SessionOptions = { ...run.opts, seen: (calls) => completions.learn(calls) };
  const historyFile = join(process.env.DATA_DIR || './data', HISTORY_FILE_NAME);
  const rl = readline.createInterface({
    input: process.stdin,
    output: out,
    prompt: 'callops> ',
    terminal: true,
    history: loadHistory(historyFile),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: (line: string, done: (e: Error | null, r: [string[], string]) => void) => {
      completions.complete(line).then(
        (r) => done(null, r),
        () => done(null, [[], line]),
      );
    },
  });
  return new Promise<ExitCode>((resolve) => {
    // Lines run one after another, even when pasted several at once.
    let queue = Promise.resolve();
    // Ctrl-C ends the console at once, even while VoipNow is slow to answer; Ctrl-D after the running command.
    rl.on('SIGINT', () => {
      resolve(EXIT.interrupted);
      rl.close();
    });
    rl.on('close', () => {
      void queue.then(() => resolve(EXIT.ok));
    });
    rl.on('line', (raw) => {
      queue = queue.then(async () => {
        const line = raw.trim();
        if (line === 'quit' || line === 'exit') return rl.close();
        if (line) {
          saveHistoryLine(historyFile, line);
          run.emit(await runLine(async () => conn, line, opts));
        }
        rl.prompt();
      });
    });
    rl.prompt();
  });
}

/** One command per line from a pipe; blank lines and # comments are skipped. Non-zero if any line failed. */
async function batch(run: Run): Promise<ExitCode> {
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  let exit: ExitCode = EXIT.ok;
  let n = 0;
  for await (const raw of rl) {
    n++;
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line === 'quit' || line === 'exit') break;
    const r = await runLine(run.connection, line, run.opts);
    run.emit(r, `line ${n}`);
    if (!r.ok && exit === EXIT.ok) exit = r.exit;
  }
  return exit;
}

async function main(argv: string[]): Promise<ExitCode> {
  let args: ConsoleArgs;
  try {
    args = parseConsoleArgs(argv);
  } catch (e) {
    err.write(`${(e as Error).message}\n`);
    return EXIT.usage;
  }
  if (args.version) {
    out.write(args.json ? `${JSON.stringify({ name: APP_NAME, version: APP_VERSION })}\n` : `${APP_NAME} ${APP_VERSION}\n`);
    return EXIT.ok;
  }
  if (args.help && args.command.length === 0) {
    const text = `${USAGE}\n\nCommands:\n${helpFor(undefined)
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n')}`;
    out.write(args.json ? `${JSON.stringify({ ok: true, command: '--help', help: text })}\n` : `${text}\n`);
    return EXIT.ok;
  }
  if (args.help) args.command.push('--help');

  const logger = createLogger(parseLogLevel(process.env.LOG_LEVEL) ?? 'warn');
  let connecting: Promise<Connection> | undefined;
  const connection = () => (connecting ??= connect(process.env, logger));
  const red = style(useColor(args.color, err)).error;
  const run: Run = {
    args,
    logger,
    connection,
    opts: { logger, time: (iso) => when(iso), waiting: (work) => (args.json ? work : withSpinner(err, 'waiting for VoipNow…', work)) },
    emit(r, where) {
      if (args.json) out.write(`${JSON.stringify(r.json)}\n`);
      else if (r.ok) out.write(`${r.text}\n`);
      else err.write(`${red(where ? `${where}: ${r.text}` : r.text)}\n`);
    },
  };
  const close = async () => {
    if (connecting) await (await connecting.catch(() => undefined))?.close();
  };
  // Ctrl-C while a command runs (or in a one-shot or batch run): 130, after letting go of the sandbox.
  process.once('SIGINT', () => {
    void close().finally(() => process.exit(EXIT.interrupted));
  });
  try {
    if (args.command.length > 0) {
      const r = await runLine(connection, commandLine(args.command), run.opts);
      run.emit(r);
      return r.exit;
    }
    return process.stdin.isTTY ? await interactive(run) : await batch(run);
  } catch (e) {
    // Connecting for the prompt failed (the one-shot and batch paths report through runLine).
    const r = failed('', e, 'run', logger);
    run.emit(r);
    return r.exit;
  } finally {
    await close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    err.write(`callops console failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(EXIT.failure);
  },
);
