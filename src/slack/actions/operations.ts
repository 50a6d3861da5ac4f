/**
 * What an action needs besides VoipNow: the role check (an injectable async
 * `isSupervisor`), the guard against running the same action on the same call
 * twice at once, and the words and messages for an outcome.
 */
import { callAction, didPhrase } from '../../calls/actions.js';
import { callCard } from '../blocks/call-card.js';
import { callListMessage } from '../blocks/call-list.js';
import { eventsMessage } from '../blocks/call-events.js';
import type { Outcome, UapiCommand } from '../../calls/execute.js';
import { NotAllowed } from '../../errors.js';
import type { SlackUser } from '../users/accounts.js';
import type { SlackMessage } from '../cards/publish.js';
import type { ChainedClaim, ClaimStore } from '../../store/types.js';

/** Whether a Slack user may run supervisor actions (whisper, listen, barge in). */
export type IsSupervisor = (user: SlackUser) => Promise<boolean>;

/**
 * Keys of actions under way; a second identical request while one runs is refused. With a
 * store, the key is a short-lived claim in it, so the same action on the same call runs once
 * across every replica (a replica that dies mid-action frees it when the claim expires).
 */
export class ActionsUnderWay {
  private readonly running = new Set<string>();
  constructor(
    private readonly store?: ClaimStore,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = INFLIGHT_TTL_MS,
  ) {}
  async tryBegin(key: string): Promise<boolean> {
    if (this.running.has(key)) return false;
    this.running.add(key);
    if (!this.store) return true;
    const now = this.now();
    const ok = await this.store.claimOnce(`inflight:${key}`, new Date(now + this.ttlMs), new Date(now)).catch((err: unknown) => {
      this.running.delete(key);
      throw err;
    });
    if (!ok) this.running.delete(key);
    return ok;
  }
  /**
   * For a claim chain (the store's `claimChain`): marks `key` running here and answers its
   * in-flight claim, or false when it already runs in this process. `settle` says how the chain went.
   */
  reserve(key: string): ChainedClaim | false {
    if (this.running.has(key)) return false;
    this.running.add(key);
    return { key: this.store ? `inflight:${key}` : undefined, expiresAt: new Date(this.now() + this.ttlMs) };
  }

  /** The chain of a `reserve` took the claim (true: it runs, `end` ends it) or did not. */
  settle(key: string, taken: boolean): boolean {
    if (!taken) this.running.delete(key);
    return taken;
  }

  async end(key: string): Promise<void> {
    if (!this.running.delete(key)) return;
    await this.store?.releaseClaim(`inflight:${key}`);
  }
}

/** Longer than any action takes (VoipNow timeout and retries), short enough that a crash frees it soon. */
export const INFLIGHT_TTL_MS = 60_000;

export function actionKey(user: SlackUser, cmd: UapiCommand): string | undefined {
  if (cmd.kind !== 'action') return undefined;
  return `${user.teamId}:${cmd.phoneCallId ?? cmd.extension}:${cmd.action}:${cmd.viewId ?? ''}`;
}

export class CallOperations {
  constructor(
    private readonly isSupervisor: IsSupervisor,
    readonly underWay = new ActionsUnderWay(),
    private readonly now: () => number = Date.now,
    /** How to become a supervisor, for the refusal (e.g. which Slack user group to join). */
    private readonly howToJoin: () => string = () => 'Ask an admin to make you a supervisor in callops.',
  ) {}

  /** The role check of the action table; throws NotAllowed. */
  async assertAllowed(user: SlackUser, cmd: UapiCommand): Promise<void> {
    if (cmd.kind !== 'action') return;
    const spec = callAction(cmd.action);
    if (spec.role === 'agent' || (await this.isSupervisor(user))) return;
    throw new NotAllowed(`Only supervisors may ${spec.name} (${spec.summary}); you are not allowed to ${spec.name} calls. Nothing was sent to VoipNow. ${this.howToJoin()}`);
  }

  /** A Slack timestamp token: "10:41:07" in the reader's own time zone. */
  time(): string {
    const t = Math.floor(this.now() / 1000);
    return `<!date^${t}^{time_secs}|${new Date(t * 1000).toISOString()}>`;
  }

  /** "<@U1> put on hold the call (view 01) · 10:41:07" */
  note(userId: string, outcome: Extract<Outcome, { kind: 'action' }>): string {
    const view = outcome.viewId ? ` (view ${outcome.viewId})` : '';
    return `<@${userId}> ${didPhrase(callAction(outcome.action), 'the call')}${view} · ${this.time()}`;
  }

  /** The message for an outcome; `note` (who did what, when) defaults to now. */
  message(userId: string, outcome: Outcome, note?: string): SlackMessage {
    switch (outcome.kind) {
      case 'calls':
        return outcome.calls.length === 1 ? callCard(outcome.calls[0]!, { extension: outcome.extension, partiesOnly: true }) : callListMessage(outcome.extension, outcome.calls);
      case 'action':
        note ??= this.note(userId, outcome);
        return callCard(outcome.call ?? { id: outcome.phoneCallId, extension: outcome.extension, state: 'ended' }, { extension: outcome.extension, note, partiesOnly: true });
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
