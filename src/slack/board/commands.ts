/**
 * `/call watch <extension>...`, `/call unwatch <extension>...|all` and
 * `/call watching`. Watching and unwatching talk to VoipNow (a first read and
 * the PhoneCallEvents, as the user who sets the watch), so they are
 * acknowledged at once and answered privately when done. Only supervisors set
 * or remove watches; VoipNow's own refusal is a clear private message and
 * nothing is stored.
 */
import type { RespondFn, webApi } from '@slack/bolt';
import { botChannelAccess, INVITE_HOW_TO } from './channel-access.js';
import type { Command } from '../../calls/command.js';
import { code } from '../blocks/mrkdwn.js';
import { slackSentence } from '../actions/replies.js';
import { UapiError } from '../../uapi/errors.js';
import type { SlackUser } from '../users/accounts.js';
import type { SlackDeps } from '../deps.js';
import { failureReply } from '../actions/replies.js';
import type { SlackBoard } from './index.js';

export type WatchCommand = Extract<Command, { kind: 'watch' | 'unwatch' | 'watching' }>;

export function isWatchCommand(cmd: Command): cmd is WatchCommand {
  return cmd.kind === 'watch' || cmd.kind === 'unwatch' || cmd.kind === 'watching';
}

const ephemeral = (text: string) => ({ response_type: 'ephemeral' as const, text });

function dateOf(ms: number): string {
  const t = Math.floor(ms / 1000);
  return `<!date^${t}^{date_short_pretty} {time_secs}|${new Date(ms).toISOString()}>`;
}

/** The immediate answer (ack); `later` runs after it for commands that talk to VoipNow. */
export async function watchCommand(
  deps: SlackDeps,
  board: SlackBoard,
  user: SlackUser,
  cmd: WatchCommand,
  channelId: string,
  client?: webApi.WebClient,
): Promise<{ ack: Record<string, unknown>; later?: (respond: RespondFn) => Promise<void> }> {
  if (cmd.kind === 'watching') return { ack: ephemeral(await watchingText(board, user.teamId, channelId)) };
  if (!(await board.mayWatch(user))) {
    return { ack: ephemeral(`Only supervisors may ${cmd.kind} extensions on a board. ${board.howToJoin}`.trim()) };
  }
  const account = await deps.accounts.get(user);
  if (!account) {
    return {
      ack: await deps.linking.start(user, { channelId, why: 'First link your VoipNow account: a watch reads the PBX as you, with your own VoipNow permissions. Nothing was stored.' }),
    };
  }
  if (cmd.kind === 'unwatch') {
    const all = cmd.extensions === 'all' ? (await board.board.watchesOf(user.teamId, channelId)).map((w) => w.extension) : cmd.extensions;
    return {
      ack: ephemeral(':hourglass_flowing_sand: Removing watches…'),
      later: async (respond) => {
        const removed: string[] = [];
        const missing: string[] = [];
        for (const ext of all) ((await board.board.unwatch(user.teamId, channelId, ext, user.userId)) ? removed : missing).push(ext);
        const parts = [
          removed.length ? `Stopped watching ${removed.map(code).join(', ')} here; its PhoneCallEvents were removed from VoipNow.` : '',
          missing.length ? `This channel was not watching ${missing.map(code).join(', ')}.` : '',
          all.length === 0 ? 'This channel watches nothing.' : '',
        ];
        await respond(ephemeral(parts.filter(Boolean).join(' ')));
      },
    };
  }
  const extensions = cmd.extensions.flatMap((e) => (e === '@self' ? (account.extension ? [account.extension] : []) : [e]));
  if (extensions.length === 0) {
    return { ack: ephemeral('`@self` means your own extension, and none is set: run `/call link <your extension>` first, or name the extension, e.g. `/call watch 0003*210`.') };
  }
  return {
    ack: ephemeral(`:hourglass_flowing_sand: Setting up the board for ${extensions.map(code).join(', ')}…`),
    later: async (respond) => {
      // A board in a channel the bot is not in could only fail: nothing is set.
      if (client && (await botChannelAccess(client, channelId)) === 'absent') {
        await respond(ephemeral(INVITE_HOW_TO));
        return;
      }
      const lines: string[] = [];
      for (const ext of extensions) {
        try {
          const r = await board.board.watch(user, channelId, ext);
          lines.push(
            `:eyes: ${r.again ? 'Watching again' : 'Watching'} ${code(ext)} in this channel as you (${r.events ? 'VoipNow events + polling' : 'polling only: VoipNow cannot reach PUBLIC_URL'}). Its live calls get cards here.`,
          );
        } catch (err) {
          if (err instanceof UapiError) {
            lines.push(`:no_entry: VoipNow did not let you watch ${code(ext)}: ${err.sentence} Nothing was stored.`);
          } else if (err instanceof Error && err.name === 'LinkRequired') {
            await respond(await failureReply(deps, user, err, channelId));
            return;
          } else {
            lines.push(`:warning: Could not watch ${code(ext)}: ${slackSentence(err, deps)} Nothing was stored.`);
          }
        }
      }
      await respond(ephemeral(lines.join('\n')));
    },
  };
}

async function watchingText(board: SlackBoard, teamId: string, channelId: string): Promise<string> {
  const watches = await board.board.watchesOf(teamId, channelId);
  if (watches.length === 0) return 'This channel watches no extensions. A supervisor runs `/call watch <extension>` to start a live board here.';
  const lines = watches.map((w) => {
    const feed = w.pausedAt
      ? `:double_vertical_bar: paused since ${dateOf(w.pausedAt.getTime())}: <@${w.createdBy}>'s VoipNow link stopped working (it resumes when they run \`/call link\`, or another supervisor runs \`/call watch ${w.extension}\`)`
      : w.eventIds?.length && board.eventsOn
        ? 'VoipNow events + polling'
        : 'polling only (VoipNow cannot reach this app: no reachable PUBLIC_URL)';
    const read = w.lastRead !== undefined ? `last read the PBX ${dateOf(w.lastRead)}` : 'not read yet';
    return `• ${code(w.extension)} set by <@${w.createdBy}> since ${dateOf(w.createdAt.getTime())} · ${feed} · ${read}`;
  });
  const pause = await board.channelPause(teamId, channelId);
  if (pause)
    lines.unshift(
      `:double_vertical_bar: The board here is paused since ${dateOf(pause.pausedAt.getTime())}: Slack refused callops' posts (\`${pause.reason}\`). Invite it with \`/invite @callops\` and the board resumes by itself.`,
    );
  const ring = board.queues?.length
    ? `Ring alerts (a call ringing too long) apply to the queues ${board.queues.map(code).join(', ')} (\`BOARD_QUEUES\`).`
    : 'Ring alerts (a call ringing too long) apply to every watched extension: `BOARD_QUEUES` does not name the queues.';
  return `This channel watches:\n${lines.join('\n')}\n${ring}`;
}
