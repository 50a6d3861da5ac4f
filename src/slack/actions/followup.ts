/**
 * Keeps cards current while a call is still changing on its own: after an
 * action that rings someone (unpark, whisper, listen, barge in, transfer), the
 * call is read again, as the acting user, until nobody is ringing any more, and
 * every stored card of the call is updated when its state changed.
 */
import type { PhoneCall } from '../../uapi/schemas.js';
import { callCard } from '../blocks/call-card.js';
import type { Accounts, SlackUser } from '../users/accounts.js';
import type { CardPublisher } from '../cards/publish.js';
import type { Logger } from '../../log.js';
import type { Background } from '../../background.js';
import type { ClaimStore } from '../../store/types.js';
import type { AppJobs } from './jobs.js';

/** trying, ringing, other side ringing */
const SETTLING = new Set([2, 3, 4]);

export function isSettling(call: PhoneCall | undefined): boolean {
  return Boolean(call?.phoneCallView.some((v) => v.status !== undefined && SETTLING.has(v.status)));
}

export interface FollowUpOptions {
  /** Delays between reads, in ms; the last one is repeated until `maxMs`. */
  delaysMs?: number[];
  /** Give up after this long (VoipNow's default ring time is 25 s). */
  maxMs?: number;
}

interface FollowStep {
  teamId: string;
  userId: string;
  phoneCallId: string;
  extension: string;
  note?: string;
  awaitingAnswer: boolean;
  /** The views last shown (JSON). */
  last: string;
  attempt: number;
  started: number;
}

/** The queue of follow-up reads (one job per read, see jobs.ts). */
export const FOLLOW_UP_QUEUE = 'call-follow-up';

/**
 * Each read is a job on the coordination queue, so a follow-up survives a restart and, with
 * several replicas, runs on one of them; one follower per call across replicas (a claim in the store).
 */
export class RingFollowUp {
  private readonly delays: number[];
  private readonly maxMs: number;
  private closed = false;

  constructor(
    private readonly accounts: Accounts,
    private readonly publisher: CardPublisher,
    private readonly logger: Logger,
    opts: FollowUpOptions,
    private readonly jobs: AppJobs,
    private readonly claims: ClaimStore,
    /** Where starting a follower is tracked, so shutdown and tests (`SlackApp.idle()`) wait for it. */
    private readonly background: Background,
  ) {
    this.delays = opts.delaysMs ?? [1000, 2000, 3000, 5000];
    this.maxMs = opts.maxMs ?? 40_000;
    void this.jobs.work<FollowStep>(FOLLOW_UP_QUEUE, (step) => this.tick(step)).catch((err: unknown) => this.logger.error('could not take ring follow-up jobs', { error: String(err) }));
  }

  /**
   * Start following a call whose state is settling; one follower per call.
   * `awaitingAnswer` (an action rang a phone and the call does not show it
   * yet, see execute.ts): the call is followed even when nothing rings in it,
   * since the new view only appears once that phone answers; read until it changes.
   */
  follow(user: SlackUser, call: PhoneCall, extension: string, note?: string, awaitingAnswer = false): void {
    if ((!isSettling(call) && !awaitingAnswer) || this.closed) return;
    const started = Date.now();
    const step: FollowStep = {
      teamId: user.teamId,
      userId: user.userId,
      phoneCallId: call.id,
      extension,
      ...(note !== undefined && { note }),
      awaitingAnswer,
      last: JSON.stringify(call.phoneCallView),
      attempt: 0,
      started,
    };
    this.background.track(
      (async () => {
        if (!(await this.claims.claimOnce(this.claimKey(call.id), new Date(started + this.maxMs + 10_000), new Date(started)))) return;
        await this.schedule(step);
      })().catch((err: unknown) => this.logger.warn('could not start following a ringing call', { call: call.id, error: String(err) })),
    );
  }

  private async tick(step: FollowStep): Promise<void> {
    const { phoneCallId: id, extension, note } = step;
    try {
      const { client: uapi } = await this.accounts.clientFor({ teamId: step.teamId, userId: step.userId });
      const now = await uapi.getPhoneCall({ extension, phoneCallId: id });
      const state = JSON.stringify(now?.phoneCallView ?? null);
      if (state !== step.last) {
        step.last = state;
        step.awaitingAnswer = false;
        const msg = callCard(now ?? { id, extension, state: 'ended' }, { extension, note, partiesOnly: true });
        await this.publisher.syncOthers(step.teamId, id, undefined, () => msg);
      }
      if ((!isSettling(now) && !(step.awaitingAnswer && now)) || Date.now() - step.started > this.maxMs) return this.stop(id);
    } catch (err) {
      this.logger.warn('could not follow a ringing call', { call: id, error: err instanceof Error ? err.message : String(err) });
      return this.stop(id);
    }
    await this.schedule({ ...step, attempt: step.attempt + 1 });
  }

  private async schedule(step: FollowStep): Promise<void> {
    const delay = this.delays[Math.min(step.attempt, this.delays.length - 1)]!;
    // The key makes the step idempotent: a step sent twice (a retried job) is one job.
    const sent = await this.jobs.send(FOLLOW_UP_QUEUE, step, { delayMs: delay, key: `${step.phoneCallId}:${step.started}:${step.attempt}` });
    // Refused once closed (shutdown): the follower just stops.
    if (!sent) await this.stop(step.phoneCallId);
  }

  private claimKey(phoneCallId: string): string {
    return `follow:${phoneCallId}`;
  }

  private async stop(phoneCallId: string): Promise<void> {
    await this.claims.releaseClaim(this.claimKey(phoneCallId)).catch(() => undefined);
  }

  /** Stop following (shutdown): in-process follow-ups not yet due are dropped, PostgreSQL keeps its jobs. */
  close(): void {
    this.closed = true;
    this.jobs.close();
  }
}
