/**
 * The same Slack request never runs twice. Slack retries a request whose answer
 * it did not see in 3 s (`X-Slack-Retry-Num`), a user may press one button many
 * times before the card changes, and several replicas may receive them: each
 * request is claimed in the store under its identity, for a window of minutes,
 * and only the first claim runs.
 *
 * - a press: team, channel, message, action id and Slack's `action_ts`
 *   (identical for every retry of one press);
 * - the same button on the same version of a card (card-version.ts), by anyone:
 *   later presses of a card that has not been drawn again yet are the same
 *   intent, so they run once too; this claim is given back when the action did
 *   not happen, so it can be tried again;
 * - a command: its `trigger_id`; a modal submission: the view id.
 */
import { ACTION_HOLD_MS } from '../../board/action-holds.js';
import type { ChainedClaim, ClaimStore } from '../../store/types.js';
import type { PressNote } from '../cards/card-notes.js';

export const CLAIM_WINDOW_MS = 10 * 60_000;

export const requestIdentity = {
  press: (p: { teamId: string; channelId?: string; messageTs?: string; actionId: string; actionTs?: string; userId: string }) =>
    p.actionTs ? `press:${p.teamId}:${p.channelId ?? ''}:${p.messageTs ?? ''}:${p.actionId}:${p.userId}:${p.actionTs}` : undefined,
  command: (p: { teamId: string; triggerId?: string }) => (p.triggerId ? `command:${p.teamId}:${p.triggerId}` : undefined),
  submission: (p: { teamId: string; viewId?: string }) => (p.viewId ? `submit:${p.teamId}:${p.viewId}` : undefined),
};

export class RequestClaims {
  constructor(
    private readonly store: ClaimStore,
    private readonly now: () => number,
    private readonly windowMs = CLAIM_WINDOW_MS,
  ) {}

  /** True for the first claim of `key` within the window (an undefined key always runs). */
  async claim(key: string | undefined): Promise<boolean> {
    if (key === undefined) return true;
    const now = this.now();
    return this.store.claimOnce(key, new Date(now + this.windowMs), new Date(now));
  }

  /**
   * Claims in order, each only once those before it are held (one store round trip on
   * PostgreSQL): a key for the window, or a claim with its own expiry; undefined always passes.
   * `acting`: the action these claims admit, on this call; when every claim is taken, the same
   * statement records its hold for the board's hold time, so the board on any replica holds back
   * what it reads of the call until the action's own news arrives. A press's note not stored yet
   * is stored with them, whatever they answer.
   */
  async chain(claims: ReadonlyArray<string | ChainedClaim | undefined>, acting?: { phoneCallId: string; actionId: string }, note?: PressNote): Promise<boolean[]> {
    const now = this.now();
    const expiresAt = new Date(now + this.windowMs);
    const intent = note?.take();
    let held: boolean[];
    try {
      held = await this.store.claimChain(
        claims.map((c) => (typeof c === 'object' ? c : { key: c, expiresAt })),
        new Date(now),
        acting && { ...acting, until: new Date(now + ACTION_HOLD_MS) },
        intent,
      );
    } catch (err) {
      if (intent) note!.settle(false, err);
      throw err;
    }
    if (intent) note!.settle(true);
    return held;
  }

  /** Give a claim back (the action definitely did not happen), so the same press may run again. */
  async release(key: string | undefined): Promise<void> {
    if (key !== undefined) await this.store.releaseClaim(key);
  }
}
