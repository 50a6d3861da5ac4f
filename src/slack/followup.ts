/**
 * Keeps cards current while a call is still changing on its own: after an
 * action that rings someone (unpark, whisper, listen, barge in, transfer), the
 * call is read again, as the acting user, until nobody is ringing any more, and
 * every stored card of the call is updated when its state changed.
 */
import type { webApi } from '@slack/bolt';
import type { PhoneCall } from '../uapi/schemas.js';
import { callCard, endedCard } from './blocks/call-card.js';
import type { Accounts, SlackUser } from './accounts.js';
import type { CardPublisher } from './publish.js';
import type { Logger } from '../log.js';
import { Background } from '../background.js';

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

export class RingFollowUp {
  private readonly watching = new Set<string>();
  private readonly delays: number[];
  private readonly maxMs: number;

  constructor(
    private readonly accounts: Accounts,
    private readonly publisher: CardPublisher,
    private readonly logger: Logger,
    opts: FollowUpOptions = {},
    /** Where the reads are scheduled, so shutdown and tests (`SlackApp.idle()`) wait for them. */
    private readonly background: Background = new Background(),
  ) {
    this.delays = opts.delaysMs ?? [1000, 2000, 3000, 5000];
    this.maxMs = opts.maxMs ?? 40_000;
  }

  /**
   * Start following a call whose state is settling; one follower per call.
   * `awaitingAnswer` (an action rang a phone and the call does not show it
   * yet, see execute.ts): the call is followed even when nothing rings in it,
   * since the new view only appears once that phone answers; read until it changes.
   */
  follow(client: webApi.WebClient, user: SlackUser, call: PhoneCall, extension: string, note?: string, awaitingAnswer = false): void {
    if ((!isSettling(call) && !awaitingAnswer) || this.watching.has(call.id)) return;
    this.watching.add(call.id);
    const started = Date.now();
    let last = JSON.stringify(call.phoneCallView);
    let attempt = 0;
    const tick = async () => {
      try {
        const { client: uapi } = await this.accounts.clientFor(user);
        const now = await uapi.getPhoneCall({ extension, phoneCallId: call.id });
        const state = JSON.stringify(now?.phoneCallView ?? null);
        if (state !== last) {
          last = state;
          awaitingAnswer = false;
          const msg = now ? callCard(now, { extension, note }) : endedCard(call.id, extension, note);
          await this.publisher.syncOthers(client, call.id, undefined, () => msg);
        }
        if ((!isSettling(now) && !(awaitingAnswer && now)) || Date.now() - started > this.maxMs) return this.stop(call.id);
      } catch (err) {
        this.logger.warn('could not follow a ringing call', { call: call.id, error: err instanceof Error ? err.message : String(err) });
        return this.stop(call.id);
      }
      schedule();
    };
    const schedule = () => {
      const delay = this.delays[Math.min(attempt++, this.delays.length - 1)]!;
      // Refused once the background is closed (shutdown): the follower just stops.
      if (!this.background.later(delay, tick)) this.stop(call.id);
    };
    schedule();
  }

  private stop(phoneCallId: string): void {
    this.watching.delete(phoneCallId);
  }

  /** Stop following (shutdown); timers not yet fired are dropped by the Background's close(). */
  close(): void {
    this.watching.clear();
  }
}
