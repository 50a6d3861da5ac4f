/**
 * Reading a call again after an action whose result is not known (accepted
 * but not read back, or uncertain after a timeout): a few tries in the
 * background, then the card the user acted on and every other card of the call
 * show the state as read (or a plain note asking to press Refresh).
 */
import type { KnownBlock } from '@slack/types';
import { callCard, replaceCallBlocks, withNote } from '../blocks/call-card.js';
import type { PhoneCall } from '../../uapi/schemas.js';
import type { SlackUser } from '../users/accounts.js';
import type { Background } from '../../background.js';
import type { Logger } from '../../log.js';
import type { Accounts } from '../users/accounts.js';
import type { RingFollowUp } from './followup.js';
import type { CallOperations } from './operations.js';
import type { AppJobs } from './jobs.js';
import type { CardPublisher, MessagePlace, SlackMessage } from '../cards/publish.js';

export interface Reread {
  user: SlackUser;
  phoneCallId: string;
  extension: string;
  /** What happened, kept on the card after the read ("<@U> asked for Hold; ..."). */
  note: string;
  /** The message showing the pending state, with the blocks it shows. */
  where?: MessagePlace & { blocks: KnownBlock[] };
}

/** A re-read as a job: what `Reread` holds, as plain JSON. */
interface RereadJob {
  user: SlackUser;
  phoneCallId: string;
  extension: string;
  note: string;
  where?: { channelId: string; ts: string; blocks: KnownBlock[] };
  attempt: number;
  /** Makes the job's key unique per action. */
  at: number;
}

export const REREAD_QUEUE = 'call-reread';

export interface RereadJobs {
  jobs: AppJobs;
}

export class CallRereads {
  constructor(
    private readonly deps: { accounts: Accounts; publisher: CardPublisher; followUp: RingFollowUp; operations: CallOperations; logger: Logger; background: Background },
    private readonly delaysMs: readonly number[],
    /** With a queue, a re-read of a channel message is a job (survives a restart, runs once). */
    private readonly queued?: RereadJobs,
  ) {
    void queued?.jobs
      .work<RereadJob>(REREAD_QUEUE, (j) => this.read({ ...j, ...(j.where && { where: { ...j.where } }) }, j.attempt, j.at))
      .catch((err: unknown) => deps.logger.error('could not take re-read jobs', { error: String(err) }));
  }

  schedule(r: Reread, attempt = 0, at = Date.now()): void {
    const delay = this.delaysMs[attempt];
    if (delay === undefined) return;
    // A private card (updated through its response URL) can only be re-read by this process.
    if (!this.queued || r.where?.respond) {
      this.deps.background.later(delay, () => this.read(r, attempt, at));
      return;
    }
    const job: RereadJob = {
      user: r.user,
      phoneCallId: r.phoneCallId,
      extension: r.extension,
      note: r.note,
      attempt,
      at,
      ...(r.where && { where: { channelId: r.where.channelId, ts: r.where.ts, blocks: r.where.blocks } }),
    };
    const sent = this.queued.jobs.send(REREAD_QUEUE, job, { delayMs: delay, key: `${r.phoneCallId}:${at}:${attempt}` });
    this.deps.background.track(sent.catch((err: unknown) => this.deps.logger.warn('could not schedule a re-read', { error: String(err) })));
  }

  private async read(r: Reread, attempt: number, at: number): Promise<void> {
    const { accounts, publisher, followUp, operations, logger } = this.deps;
    let msg: SlackMessage;
    let call: PhoneCall | undefined;
    try {
      const { client } = await accounts.clientFor(r.user);
      call = await client.getPhoneCall({ extension: r.extension, phoneCallId: r.phoneCallId });
      const note = `${r.note} · state read again ${operations.time()}`;
      msg = callCard(call ?? { id: r.phoneCallId, extension: r.extension, state: 'ended' }, { extension: r.extension, note, partiesOnly: true });
    } catch (err) {
      logger.warn('could not read a call again after an action', { call: r.phoneCallId, error: err instanceof Error ? err.message : String(err) });
      if (attempt + 1 < this.delaysMs.length) return this.schedule(r, attempt + 1, at);
      const note = `:warning: ${r.note}; its state could not be read. Press Refresh.`;
      msg = r.where
        ? { text: note, blocks: withNote(r.where.blocks, r.phoneCallId, note) }
        : callCard({ id: r.phoneCallId, extension: r.extension, state: 'pending' }, { extension: r.extension, note });
    }
    if (r.where) await publisher.update(r.where, { text: msg.text, blocks: replaceCallBlocks(r.where.blocks, r.phoneCallId, msg.blocks) });
    await publisher.syncOthers(r.user.teamId, r.phoneCallId, r.where, () => msg);
    if (call) followUp.follow(r.user, call, r.extension, r.note);
  }
}
