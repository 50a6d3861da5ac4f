/**
 * What the Slack listeners share: run a UAPI command as the acting Slack user,
 * with the role check from the action table and a guard against running the
 * same action on the same call twice at once, and turn the outcome into a message.
 */
import { callAction, type CallActionSpec } from '../calls/actions.js';
import { callCard, callListMessage, endedCard, eventsMessage } from '../calls/card.js';
import { CommandError } from '../calls/command.js';
import { execute, type Outcome, type UapiCommand } from '../calls/execute.js';
import type { Accounts, SlackUser } from './accounts.js';
import type { SlackMessage } from './publish.js';
import type { Supervisors } from './supervisors.js';

/** Keys of actions under way; a second identical request while one runs is refused. */
export class InFlight {
  private readonly running = new Set<string>();
  tryBegin(key: string): boolean {
    if (this.running.has(key)) return false;
    this.running.add(key);
    return true;
  }
  end(key: string): void {
    this.running.delete(key);
  }
}

export function actionKey(user: SlackUser, cmd: UapiCommand): string | undefined {
  if (cmd.kind !== 'action') return undefined;
  return `${user.teamId}:${cmd.phoneCallId ?? cmd.extension}:${cmd.action}:${cmd.viewId ?? ''}`;
}

export class CallOperations {
  constructor(
    private readonly accounts: Accounts,
    private readonly supervisors: readonly string[] | undefined,
    readonly inflight = new InFlight(),
    private readonly now: () => number = Date.now,
  ) {}

  /** Who is a supervisor (issue 11: user group or SUPERVISOR_USER_IDS); set in app.ts. */
  roles: Supervisors | undefined;

  /** Role check of the action table. Without a configured list, VoipNow's own permissions decide. */
  async mayRun(userId: string, spec: CallActionSpec): Promise<boolean> {
    if (spec.role === 'agent') return true;
    if (this.roles) return this.roles.isSupervisor(userId);
    return !this.supervisors || this.supervisors.includes(userId);
  }

  async assertAllowed(user: SlackUser, cmd: UapiCommand): Promise<void> {
    if (cmd.kind !== 'action') return;
    const spec = callAction(cmd.action);
    if (!(await this.mayRun(user.userId, spec))) {
      throw new CommandError(`Only supervisors may ${spec.name} (${spec.summary}). ${this.roles?.howToJoin ?? 'Ask an admin to add you to SUPERVISOR_USER_IDS.'}`);
    }
  }

  /** Run as this user: the role check, then VoipNow with the user's own token. */
  async execute(user: SlackUser, cmd: UapiCommand): Promise<Outcome> {
    await this.assertAllowed(user, cmd);
    const { client, account } = await this.accounts.clientFor(user);
    return execute(client, cmd, { ownExtension: account.extension });
  }

  /**
   * Run `work` unless the same action on the same call is already under way;
   * returns undefined then, and nothing is sent to VoipNow.
   */
  async once<T>(key: string | undefined, work: () => Promise<T>): Promise<T | undefined> {
    if (key === undefined) return work();
    if (!this.inflight.tryBegin(key)) return undefined;
    try {
      return await work();
    } finally {
      this.inflight.end(key);
    }
  }

  /** "<@U1> put on hold view 01 · 10:41:07" */
  note(userId: string, outcome: Extract<Outcome, { kind: 'action' }>): string {
    const t = Math.floor(this.now() / 1000);
    const view = outcome.viewId ? ` (view ${outcome.viewId})` : '';
    return `<@${userId}> ${callAction(outcome.action).did} the call${view} · <!date^${t}^{time_secs}|${new Date(t * 1000).toISOString()}>`;
  }

  /** The message for an outcome; `note` (who did what, when) defaults to now. */
  message(userId: string, outcome: Outcome, note?: string): SlackMessage {
    switch (outcome.kind) {
      case 'calls':
        return outcome.calls.length === 1
          ? callCard(outcome.calls[0]!, { extension: outcome.extension })
          : callListMessage(outcome.extension, outcome.calls);
      case 'action':
        note ??= this.note(userId, outcome);
        return outcome.call
          ? callCard(outcome.call, { extension: outcome.extension, note })
          : endedCard(outcome.phoneCallId, outcome.extension, note);
      case 'events':
        return eventsMessage(outcome.summary, outcome.extension, outcome.events);
    }
  }
}

export function progressText(cmd: UapiCommand): string {
  switch (cmd.kind) {
    case 'action': {
      const spec = callAction(cmd.action);
      return `:hourglass_flowing_sand: ${spec.label}: working on ${cmd.phoneCallId ? `call \`${cmd.phoneCallId}\`` : `the call on \`${cmd.extension}\``}…`;
    }
    case 'list':
    case 'show':
      return ':hourglass_flowing_sand: Looking up live calls…';
    default:
      return ':hourglass_flowing_sand: Talking to VoipNow…';
  }
}
