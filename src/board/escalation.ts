/**
 * When a call waits too long: on hold past HOLD_ALERT_SECONDS, parked past
 * PARK_ALERT_SECONDS, ringing on a queue past RING_ALERT_SECONDS. Level 1 at the
 * threshold (a thread reply mentioning the supervisors), level 2 at twice it
 * (also broadcast to the channel). Once per level per episode: an episode is
 * one stretch of that state, identified by the state and when it began.
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

/** Remembers, per call, the highest level already raised in the current episode. */
export class Escalation {
  private readonly raised = new Map<string, { key: string; level: number }>();

  constructor(private readonly thresholds: AlertThresholds = DEFAULT_THRESHOLDS) {}

  /** The alert due now for this call, if any (each at most once per episode). */
  check(s: CallSnapshot, isQueue: boolean, now: number): Alert | undefined {
    const ep = episode(s, isQueue, this.thresholds);
    if (!ep) {
      this.raised.delete(s.id);
      return undefined;
    }
    const elapsed = (now - Date.parse(s.since!)) / 1000;
    if (Number.isNaN(elapsed)) return undefined;
    const level = elapsed >= 2 * ep.threshold ? 2 : elapsed >= ep.threshold ? 1 : 0;
    const prev = this.raised.get(s.id);
    const done = prev?.key === ep.key ? prev.level : 0;
    if (level === 0 || level <= done) return undefined;
    this.raised.set(s.id, { key: ep.key, level });
    return {
      level: level as 1 | 2,
      text: `${s.caller} has been ${ep.words} for ${durationWords(elapsed)} (alert at ${durationWords(ep.threshold)}${level === 2 ? ', now twice that' : ''}).`,
    };
  }

  /** Seconds from now until the next level of this call's episode is due (undefined: nothing pending). */
  nextDueMs(s: CallSnapshot, isQueue: boolean, now: number): number | undefined {
    const ep = episode(s, isQueue, this.thresholds);
    if (!ep) return undefined;
    const done = this.raised.get(s.id)?.key === ep.key ? this.raised.get(s.id)!.level : 0;
    if (done >= 2) return undefined;
    const at = Date.parse(s.since!) + (done + 1) * ep.threshold * 1000;
    return Math.max(0, at - now);
  }

  forget(callId: string): void {
    this.raised.delete(callId);
  }
}
