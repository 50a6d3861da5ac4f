/**
 * A console session: one line of the command language in, text out. The same
 * parser and executor as the Slack app, with one VoipNow user's client.
 */
import type { UapiClient } from '../uapi/client.js';
import { parseCommand } from '../calls/command.js';
import { execute, isUapiCommand } from '../calls/execute.js';
import { helpFor } from '../calls/help.js';
import { outcomeText } from '../calls/text.js';
import { failureText } from '../calls/respond.js';
import type { Logger } from '../log.js';

export interface ConsoleResult {
  ok: boolean;
  text: string;
}

export interface ConsoleOptions {
  /** The signed-in user's own extension: `dial` rings it first when no `from` is given. */
  ownExtension?: string;
}

export async function runLine(client: UapiClient, line: string, logger?: Logger, opts: ConsoleOptions = {}): Promise<ConsoleResult> {
  try {
    const cmd = parseCommand(line);
    if (cmd.kind === 'help') return { ok: true, text: helpFor(cmd.topic) };
    if (!isUapiCommand(cmd)) {
      return { ok: false, text: `\`${cmd.kind}\` works in Slack only; the console acts as the VoipNow user it signed in as.` };
    }
    return { ok: true, text: outcomeText(await execute(client, cmd, { ownExtension: opts.ownExtension })) };
  } catch (err) {
    return { ok: false, text: failureText(err, logger, 'plain') };
  }
}
