/**
 * When a call waits too long: on hold past HOLD_ALERT_SECONDS, parked past
 * PARK_ALERT_SECONDS, ringing on a queue past RING_ALERT_SECONDS. Level 1 at the
 * threshold (a thread reply mentioning the supervisors), level 2 at twice it
 * (also broadcast to the channel). Once per level per episode: an episode is
 * one stretch of that state, identified by the state and when it began.
 * Remembered per card (a call shown in two channels alerts in each), and
 * kept in the store by the ledger so a restart does not repeat an alert.
 */
import { durationWords, type CallSnapshot } from './snapshot.js';

export interface AlertThresholds {
  holdSeconds: number;
  parkSeconds: number;
  ringSeconds: number;
}

export const DEFAULT_THRESHOLDS: AlertThresholds = { holdSeconds: 60, parkSeconds: 120, ringSeconds: 30 };

export interface Alert {
  level: 1 | 2;
  /** Without the mention, which the Slack side adds. */
  text: string;
}

/** The episode a snapshot is in, if its state can escalate. */
function episode(s: CallSnapshot, isQueue: boolean, t: AlertThresholds): { key: string; threshold: number; words: string } | undefined {
  if (!s.since) return undefined;
  if (s.state === 'on hold') return { key: `hold@${s.since}`, threshold: t.holdSeconds, words: 'on hold' };
  if (s.state === 'parked') return { key: `park@${s.since}`, threshold: t.parkSeconds, words: `parked${s.parkedPos !== undefined ? ` at position ${s.parkedPos}` : ''}` };
  if (s.state === 'ringing' && isQueue) return { key: `ring@${s.since}`, threshold: t.ringSeconds, words: `ringing on queue ${s.extension}` };
  return undefined;
}

/** The highest level already raised in an episode. */
export interface Raised {
  key: string;
  level: number;
}

/** Remembers, per card, the highest level already raised in the current episode. */
export class Escalation {
  private readonly raised = new Map<string, Raised>();

  constructor(private readonly thresholds: AlertThresholds = DEFAULT_THRESHOLDS) {}

  /** How many cards have raised something (bounded by the live cards). */
  get size(): number {
    return this.raised.size;
  }

  /** What a card has raised in its current episode (to keep in the store). */
  memory(card: string): Raised | undefined {
    return this.raised.get(card);
  }

  /** Restores what a card had raised (after a restart). */
  remember(card: string, raised: Raised): void {
    this.raised.set(card, raised);
  }

  /** The alert due now for this card's call, if any (each at most once per episode). */
  check(card: string, s: CallSnapshot, isQueue: boolean, now: number): Alert | undefined {
    const ep = episode(s, isQueue, this.thresholds);
    if (!ep) {
      this.raised.delete(card);
      return undefined;
    }
    const elapsed = (now - Date.parse(s.since!)) / 1000;
    if (Number.isNaN(elapsed)) return undefined;
    const level = elapsed >= 2 * ep.threshold ? 2 : elapsed >= ep.threshold ? 1 : 0;
    const prev = this.raised.get(card);
    const done = prev?.key === ep.key ? prev.level : 0;
    if (level === 0 || level <= done) return undefined;
    this.raised.set(card, { key: ep.key, level });
    return {
      level: level as 1 | 2,
      text: `${s.caller} has been ${ep.words} for ${durationWords(elapsed)} (alert at ${durationWords(ep.threshold)}${level === 2 ? ', now twice that' : ''}).`,
    };
  }

  /** Seconds from now until the next level of this call's episode is due (undefined: nothing pending). */
  nextDueMs(card: string, s: CallSnapshot, isQueue: boolean, now: number): number | undefined {
    const ep = episode(s, isQueue, this.thresholds);
    if (!ep) return undefined;
    const done = this.raised.get(card)?.key === ep.key ? this.raised.get(card)!.level : 0;
    if (done >= 2) return undefined;
    const at = Date.parse(s.since!) + (done + 1) * ep.threshold * 1000;
    return Math.max(0, at - now);
  }

  forget(card: string): void {
    this.raised.delete(card);
  }
}
