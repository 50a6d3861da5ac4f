/**
 * The `/call` slash command. It acknowledges within Slack's 3 seconds before
 * VoipNow is asked anything (bad input, help, prompts and refusals are the
 * acknowledgement itself, privately); a command that acts on calls then goes
 * through the action pipeline, which posts the call card into the channel.
 */
import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs, SlashCommand } from '@slack/bolt';
import { parseCommand, type Command } from '../../calls/command.js';
import { isUapiCommand, type UapiCommand } from '../../calls/execute.js';
import { escapeMrkdwn } from '../blocks/mrkdwn.js';
import type { SlackUser } from '../users/accounts.js';
import { failureReply, slackSentence } from '../actions/replies.js';
import { progressText } from '../actions/operations.js';
import type { SlackDeps } from '../deps.js';
import { openEventModal } from './call-event-modal.js';
import { helpReply, linkPromptReply } from '../blocks/help.js';
import { requestIdentity } from '../actions/request-claims.js';
import { confirmationMessage, needsConfirmation } from './confirm-command.js';

export type CallCommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
import { isWatchCommand, watchCommand } from '../board/commands.js';
import { isConnectCommand } from '../workspaces/voipnow-connect.js';

const ephemeral = (text: string) => ({ response_type: 'ephemeral' as const, text });

export function registerCommands(app: App, deps: SlackDeps): void {
  app.command('/call', onCallCommand(deps));
}

export function onCallCommand(deps: SlackDeps) {
  return async ({ command, ack, respond, client, context }: CallCommandArgs): Promise<void> => {
    const user = { teamId: command.team_id, userId: command.user_id };
    // An admin connects the workspace's VoipNow server (voipnow-connect.ts).
    if (deps.connect && isConnectCommand(command.text)) {
      await ack();
      const answer = await deps.connect.open(client, user.teamId, user.userId, command.trigger_id);
      if (answer) await respond(answer);
      return;
    }
    let cmd: Command;
    try {
      cmd = parseCommand(command.text ?? '');
    } catch (err) {
      await ack(ephemeral(slackSentence(err, deps)));
      return;
    }
    // Supervisor board: watch, unwatch, watching.
    if (isWatchCommand(cmd) && deps.board) {
      let answer: Awaited<ReturnType<typeof watchCommand>>;
      try {
        answer = await watchCommand(deps, deps.board, user, cmd, command.channel_id, client);
      } catch (err) {
        await ack(await failureReply(deps, user, err, command.channel_id));
        return;
      }
      await ack(answer.ack);
      if (answer.later) await answer.later(respond).catch(async (err: unknown) => respond(await failureReply(deps, user, err, command.channel_id)));
      return;
    }
    if (cmd.kind === 'help') {
      // The help is the acknowledgement and waits for nothing; someone not linked yet is told to link just after it.
      await ack(helpReply(cmd.topic, true));
      const linked = await deps.accounts.isLinked(user).catch(() => true);
      // The error may quote the response_url (a credential of sorts): only its kind is logged.
      if (!linked)
        await respond(linkPromptReply()).catch((err: unknown) => deps.logger.warn('could not send the link prompt after a help', { error: err instanceof Error ? err.name : typeof err }));
      return;
    }
    if (!isUapiCommand(cmd)) {
      try {
        await ack(await localCommand(deps, user, cmd, command));
      } catch (err) {
        await ack(ephemeral(slackSentence(err, deps)));
      }
      return;
    }
    if (context.retryNum) deps.logger.info('Slack retried a command', { retry: context.retryNum, reason: context.retryReason });
    const request = {
      user,
      cmd,
      client,
      // A list is answered privately (with a button per call to post it); an action's card goes to the channel.
      surface:
        cmd.kind === 'list' || (cmd.kind === 'show' && !cmd.share)
          ? { kind: 'private' as const, channelId: command.channel_id, respond }
          : { kind: 'post' as const, channelId: command.channel_id, respond },
      identity: requestIdentity.command({ teamId: user.teamId, triggerId: command.trigger_id }),
      runsAtOnce: !needsConfirmation(cmd) && !isEventEditing(cmd),
    };
    let admission: Awaited<ReturnType<typeof deps.pipeline.admit>>;
    try {
      admission = await deps.pipeline.admit(request);
    } catch (err) {
      await ack(await failureReply(deps, user, err, command.channel_id));
      return;
    }
    if (admission.kind === 'duplicate') return ack();
    if (admission.kind === 'refused') return ack(admission.reply);
    if (isEventEditing(cmd)) {
      await ack();
      await openEventModal(deps, client, user, command.trigger_id, cmd, respond, command.channel_id);
      return;
    }
    // Ending or deleting something asks first; Confirm runs it (confirm-command.ts).
    if (needsConfirmation(cmd)) {
      const question = confirmationMessage(command.text ?? '', cmd);
      return ack(question ? { response_type: 'ephemeral', ...question } : ephemeral('That command is too long to ask about; nothing was sent to VoipNow. Type it without the extra words.'));
    }
    await ack(ephemeral(progressText(cmd)));
    await deps.pipeline.run(admission);
  };
}

/** The host of the user's workspace's VoipNow server (its own in distribution mode). */
async function voipnowHostOf(deps: SlackDeps, user: SlackUser): Promise<string> {
  const tenant = await deps.accounts.tenants.of(user.teamId);
  return tenant ? new URL(tenant.http.origin).host : deps.voipnowHost;
}

/** `events update <ext> <type> <id>` without changes opens the event edit modal. */
function isEventEditing(cmd: UapiCommand): cmd is Extract<UapiCommand, { kind: 'events-update' }> {
  return cmd.kind === 'events-update' && Object.keys(cmd.changes).length === 0;
}

/** Commands answered without VoipNow (link, unlink, whoami; help is answered before any of these). */
async function localCommand(deps: SlackDeps, user: SlackUser, cmd: Exclude<Command, UapiCommand | { kind: 'help' }>, command: SlashCommand) {
  switch (cmd.kind) {
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
        (await deps.accounts.unlink(user)) ? 'Your VoipNow account is unlinked; its tokens were deleted. `/call link` links it again.' : 'There was no VoipNow account linked to you.',
      );
    case 'notify': {
      if (!(await deps.store.setMissedCallDms(user.teamId, user.userId, cmd.on))) return ephemeral('No VoipNow account is linked to you. Run `/call link <your extension>` first.');
      const a = await deps.accounts.get(user);
      const ext = a?.extension ? ` on \`${escapeMrkdwn(a.extension)}\`` : ' (you have no extension linked: `/call link <your extension>` sets one)';
      return ephemeral(
        cmd.on
          ? `Missed-call DMs are on: a call that rings${ext} and is not answered gets a DM with Call back. \`/call notify off\` turns them off.`
          : 'Missed-call DMs are off. `/call notify on` turns them on again.',
      );
    }
    case 'whoami': {
      const a = await deps.accounts.get(user);
      if (!a) return ephemeral('No VoipNow account is linked to you. Run `/call link`.');
      const ext = a.extension ? `extension \`${escapeMrkdwn(a.extension)}\`` : 'no default extension (`/call link <extension>` sets one)';
      return ephemeral(
        `You are linked to VoipNow (${escapeMrkdwn(await voipnowHostOf(deps, user))}) since <!date^${Math.floor(a.linkedAt.getTime() / 1000)}^{date_short}|${a.linkedAt.toISOString()}>, with ${ext}.`,
      );
    }
  }
}
