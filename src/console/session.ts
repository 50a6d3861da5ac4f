/**
 * A console session: one line of the command language in, a result out: the
 * text for a person, the data for --json, and the exit code it earns. The same
 * parser and executor as the Slack app, with one VoipNow user's client.
 */
import { UapiClient } from '../uapi/client.js';
import type { PhoneCall } from '../uapi/schemas.js';
import { parseCommand, type Command } from '../calls/command.js';
import { execute, isUapiCommand, type Outcome } from '../calls/execute.js';
import { helpFor } from '../calls/help.js';
import { outcomeText, type TextOptions } from '../calls/text.js';
import { failureText } from '../calls/respond.js';
import type { Logger } from '../log.js';
import { terminalSafe } from './terminal-safe.js';
import { EXIT, UsageError, errorCodeOf, exitCodeOf, type ExitCode } from './exit.js';

export interface ConsoleResult {
  ok: boolean;
  exit: ExitCode;
  /** For a person. */
  text: string;
  /** For --json: one object per command. */
  json: { ok: true; command: string; help?: string; result?: Outcome } | { ok: false; command: string; error: { code: string; message: string; exit: ExitCode } };
}

export interface SessionOptions extends TextOptions {
  logger?: Logger;
  /** Wraps the wait for VoipNow (the terminal's spinner). */
  waiting?: <T>(work: Promise<T>) => Promise<T>;
  /** Told about every call seen, for tab completion. */
  seen?: (calls: PhoneCall[]) => void;
  /** The signed-in user's own extension: `dial` rings it first when no `from` is given. */
  ownExtension?: string;
}

/** A client, or a way to connect that may also name the signed-in user's own extension. */
export type ClientSource = UapiClient | (() => Promise<UapiClient | { client: UapiClient; ownExtension?: string }>);

const HELP_FLAGS = new Set(['--help', '-h', '-?']);

/** `hold --help`, `events -h`: the command's help instead of running it. */
function helpRequest(line: string): string | undefined {
  const words = line.trim().split(/\s+/);
  if (!words.some((w) => HELP_FLAGS.has(w.toLowerCase()))) return undefined;
  const first = words.find((w) => !HELP_FLAGS.has(w.toLowerCase()));
  return first && first.toLowerCase() !== 'help' ? first : '';
}

export function parseLine(line: string): Command {
  const help = helpRequest(line);
  if (help !== undefined) return help ? { kind: 'help', topic: help.toLowerCase() } : { kind: 'help' };
  const cmd = parseCommand(line);
  if (cmd.kind !== 'help' && !isUapiCommand(cmd)) {
    throw new UsageError(`\`${cmd.kind}\` works in Slack only; the console acts as the VoipNow user it signed in as.`);
  }
  return cmd;
}

/** A failure as a result: its sentence, its exit code, its --json object. */
export function failed(command: string, err: unknown, stage: 'parse' | 'run', logger?: Logger): ConsoleResult {
  const exit = exitCodeOf(err, stage);
  const text = terminalSafe(err instanceof UsageError ? err.message : failureText(err, logger));
  return { ok: false, exit, text, json: { ok: false, command, error: { code: errorCodeOf(err, exit), message: text, exit } } };
}

export async function runLine(client: ClientSource, line: string, opts: SessionOptions = {}): Promise<ConsoleResult> {
  const command = line.trim();
  let cmd: Command;
  try {
    cmd = parseLine(command);
  } catch (err) {
    return failed(command, err, 'parse', opts.logger);
  }
  if (cmd.kind === 'help') {
    const text = helpFor(cmd.topic);
    return { ok: true, exit: EXIT.ok, text, json: { ok: true, command, help: text } };
  }
  if (!isUapiCommand(cmd)) return failed(command, new UsageError(`\`${cmd.kind}\` works in Slack only.`), 'parse');
  try {
    const got = typeof client === 'function' ? await client() : client;
    const uapi = got instanceof UapiClient ? got : got.client;
    const ownExtension = opts.ownExtension ?? (got instanceof UapiClient ? undefined : got.ownExtension);
    const work = execute(uapi, cmd, { ownExtension });
    const outcome = await (opts.waiting ? opts.waiting(work) : work);
    if (outcome.kind === 'calls') opts.seen?.(outcome.calls);
    if (outcome.kind === 'action' && outcome.call) opts.seen?.([outcome.call]);
    return { ok: true, exit: EXIT.ok, text: terminalSafe(outcomeText(outcome, opts)), json: { ok: true, command, result: outcome } };
  } catch (err) {
    return failed(command, err, 'run', opts.logger);
  }
}
