/**
 * The `/call` slash command. It acknowledges within Slack's 3 seconds before
 * VoipNow is asked anything (bad input, help and prompts are the acknowledgement
 * itself, privately), then runs the command as the acting user and posts the
 * call card into the channel.
 */
import type { App, RespondFn, SlashCommand, webApi } from '@slack/bolt';
import { parseCommand, type Command } from '../calls/command.js';
import { isUapiCommand, type UapiCommand } from '../calls/execute.js';
import { helpFor } from '../calls/help.js';
import { failureText } from '../calls/respond.js';
import { escapeMrkdwn } from '../calls/card.js';
import type { SlackUser } from './accounts.js';
import { failureReply } from './replies.js';
import { actionKey, progressText } from './operations.js';
import type { SlackDeps } from './deps.js';
import { openEventModal } from './events.js';
import { isWatchCommand, watchCommand } from './board/commands.js';
import { actionLine, hintLeg } from './board/actions.js';

const ephemeral = (text: string) => ({ response_type: 'ephemeral' as const, text });

export function registerCommands(app: App, deps: SlackDeps): void {
  app.command('/call', async ({ command, ack, respond, client }) => {
    const user = { teamId: command.team_id, userId: command.user_id };
    let cmd: Command;
    try {
      cmd = parseCommand(command.text ?? '');
    } catch (err) {
      await ack(ephemeral(failureText(err, deps.logger)));
      return;
    }
    // Supervisor board (issue 11): watch, unwatch, watching.
    if (isWatchCommand(cmd) && deps.board) {
      try {
        const r = await watchCommand(deps, deps.board, user, cmd, command.channel_id);
        await ack(r.ack);
        if (r.later) await r.later(respond);
      } catch (err) {
        await respond(await failureReply(deps, user, err, command.channel_id)).catch(() => undefined);
      }
      return;
    }
    try {
      if (!isUapiCommand(cmd)) {
        await ack(await localCommand(deps, user, cmd, command));
        return;
      }
      if (!(await deps.accounts.get(user))) {
        await ack(await deps.linking.start(user, { channelId: command.channel_id, responseUrl: command.response_url, why: 'First link your VoipNow account: callops acts on calls as you, with your own VoipNow permissions. Nothing was sent to VoipNow.' }));
        return;
      }
      await deps.operations.assertAllowed(user, cmd);
      if (cmd.kind === 'events-update' && Object.keys(cmd.changes).length === 0) {
        await ack();
        await openEventModal(deps, client, user, command.trigger_id, cmd, respond, command.channel_id);
        return;
      }
      await ack(ephemeral(progressText(cmd)));
    } catch (err) {
      await ack(ephemeral(failureText(err, deps.logger)));
      return;
    }
    await runAndPost(deps, user, cmd, { channelId: command.channel_id, respond, client });
  });
}

async function runAndPost(
  deps: SlackDeps,
  user: SlackUser,
  cmd: UapiCommand,
  where: { channelId: string; respond: RespondFn; client: webApi.WebClient },
): Promise<void> {
  try {
    const outcome = await deps.operations.once(actionKey(user, cmd), () => deps.operations.execute(user, cmd));
    if (!outcome) {
      await where.respond(ephemeral('That action is already running on this call; wait for it to finish.'));
      return;
    }
    const note = outcome.kind === 'action' ? deps.operations.note(user.userId, outcome) : undefined;
    const msg = deps.operations.message(user.userId, outcome, note);
    // Supervisor board (issue 11): the action gets a line in the thread of every board card of the call.
    if (outcome.kind === 'action' && cmd.kind === 'action' && deps.board) {
      hintLeg(deps.board.board, cmd, outcome.phoneCallId);
      deps.board.afterAction(outcome.phoneCallId, actionLine(user.userId, cmd, { ok: true }));
    }
    if (outcome.kind === 'events') {
      await where.respond({ response_type: 'ephemeral', text: msg.text, blocks: msg.blocks });
      return;
    }
    const call =
      outcome.kind === 'action'
        ? { phoneCallId: outcome.phoneCallId, extension: outcome.extension, postedBy: user.userId }
        : outcome.calls.length === 1
          ? { phoneCallId: outcome.calls[0]!.id, extension: outcome.calls[0]!.extension ?? outcome.extension, postedBy: user.userId }
          : undefined;
    const posted = await deps.publisher.post(where.client, { teamId: user.teamId, channelId: where.channelId, respond: where.respond }, msg, call);
    if (outcome.kind === 'action') {
      await deps.publisher.syncOthers(where.client, outcome.phoneCallId, posted.ts ? { channelId: where.channelId, ts: posted.ts } : undefined, () => msg);
      if (outcome.call) deps.followUp.follow(where.client, user, outcome.call, outcome.extension, note);
    }
  } catch (err) {
    await where.respond(await failureReply(deps, user, err, where.channelId));
  }
}

/** Commands answered without VoipNow (help, link, unlink, whoami). */
async function localCommand(deps: SlackDeps, user: SlackUser, cmd: Exclude<Command, UapiCommand>, command: SlashCommand) {
  switch (cmd.kind) {
    case 'help':
      return ephemeral('```' + helpFor(cmd.topic, '/call ') + '```\nRun `/call link` first to act as your own VoipNow user.');
    case 'link': {
      const account = await deps.accounts.get(user);
      if (account && cmd.extension) {
        await deps.accounts.setExtension(user, cmd.extension);
        return ephemeral(`Your extension is now \`${escapeMrkdwn(cmd.extension)}\`. (Your VoipNow account is already linked; \`/call unlink\` first to link another.)`);
      }
      return deps.linking.start(user, { channelId: command.channel_id, responseUrl: command.response_url, extension: cmd.extension });
    }
    case 'unlink':
      return ephemeral(
        (await deps.accounts.unlink(user))
          ? 'Your VoipNow account is unlinked; its tokens were deleted. `/call link` links it again.'
          : 'There was no VoipNow account linked to you.',
      );
    case 'whoami': {
      const a = await deps.accounts.get(user);
      if (!a) return ephemeral('No VoipNow account is linked to you. Run `/call link`.');
      const ext = a.extension ? `extension \`${escapeMrkdwn(a.extension)}\`` : 'no default extension (`/call link <extension>` sets one)';
      return ephemeral(`You are linked to VoipNow (${escapeMrkdwn(deps.voipnowHost)}) since <!date^${Math.floor(a.linkedAt.getTime() / 1000)}^{date_short}|${a.linkedAt.toISOString()}>, with ${ext}.`);
    }
  }
}
