/**
 * When a channel's card changes outrun its share of the chat.update budget, the
 * board shows one compact summary message for that channel instead (a line per
 * live call; one write covers every call), and goes back to per-call cards when
 * the channel calms down. This decides when, and tracks the summary message.
 */
import type { CallSnapshot } from '../../board/snapshot.js';
import { slackTime } from '../blocks/mrkdwn.js';
import type { SlackMessage } from '../cards/slack-message.js';
import type { WriteBudgets } from './budget.js';
import { summaryMessage } from './render.js';

interface ChannelMode {
  compact: boolean;
  since: number;
  exitedAt?: number;
  ts?: string;
  version: number;
  sent: number;
  rendered: number;
  /** The last summary after leaving compact mode is still to be written. */
  final: boolean;
  changes: number[];
  writtenAt: number;
}

export class CompactMode {
  private readonly modes = new Map<string, ChannelMode>();

  constructor(
    private readonly budgets: WriteBudgets,
    private readonly now: () => number,
  ) {}

  private mode(ch: string): ChannelMode {
    let m = this.modes.get(ch);
    if (!m) {
      m = { compact: false, since: 0, version: 0, sent: 0, rendered: 0, final: false, changes: [], writtenAt: 0 };
      this.modes.set(ch, m);
    }
    return m;
  }

  /** The change rate is measured over the least time spent in compact mode (default 30 s). */
  private get windowMs(): number {
    return Math.max(1000, this.budgets.compactMinMs);
  }

  /** Some channel is compact: its calm-down must be checked even when nothing else is written. */
  get anyCompact(): boolean {
    for (const m of this.modes.values()) if (m.compact) return true;
    return false;
  }

  channels(): string[] {
    return [...this.modes.keys()];
  }

  changed(ch: string): void {
    const m = this.mode(ch);
    const t = this.now();
    m.changes.push(t);
    while (m.changes.length && m.changes[0]! < t - this.windowMs) m.changes.shift();
    if (m.compact) m.version++;
  }

  isCompact(ch: string): boolean {
    return this.modes.get(ch)?.compact ?? false;
  }

  /** Left compact mode not long ago (calls that came and went meanwhile get no card of their own). */
  wasCompactRecently(ch: string): boolean {
    const m = this.modes.get(ch);
    return Boolean(m && (m.compact || (m.exitedAt !== undefined && this.now() - m.exitedAt < this.budgets.compactMinMs)));
  }

  /** Switch modes when the backlog says so; returns the transition made. */
  decide(ch: string, backlog: number): 'enter' | 'exit' | undefined {
    const m = this.mode(ch);
    const t = this.now();
    while (m.changes.length && m.changes[0]! < t - this.windowMs) m.changes.shift();
    const perMinute = (m.changes.length * 60_000) / this.windowMs;
    if (!m.compact) {
      const grace = m.exitedAt !== undefined && t - m.exitedAt < this.budgets.compactMinMs / 2;
      if (backlog >= this.budgets.compactBacklog && !grace) {
        Object.assign(m, { compact: true, since: t, final: false, version: m.version + 1 });
        return 'enter';
      }
      return undefined;
    }
    if (t - m.since >= this.budgets.compactMinMs && perMinute < this.budgets.updatesPerMinute / 2) {
      Object.assign(m, { compact: false, exitedAt: t, final: m.ts !== undefined, version: m.version + 1 });
      return 'exit';
    }
    return undefined;
  }

  /** Which write the summary needs now, if any. */
  summaryDue(ch: string): 'post' | 'update' | 'final' | undefined {
    const m = this.modes.get(ch);
    if (!m) return undefined;
    // At most one summary write a second: one write covers every call, and ended cards get the gaps.
    if (m.compact) return !m.ts ? 'post' : m.version > m.sent && this.now() - m.writtenAt >= 1000 ? 'update' : undefined;
    return m.final ? 'final' : undefined;
  }

  /** Ms until the summary's pending changes may be written (the one-a-second spacing); undefined when none are pending. */
  summaryWaitMs(ch: string): number | undefined {
    const m = this.modes.get(ch);
    if (!m?.compact || !m.ts || m.version <= m.sent) return undefined;
    return Math.max(0, 1000 - (this.now() - m.writtenAt));
  }

  ts(ch: string): string | undefined {
    return this.modes.get(ch)?.ts;
  }

  render(ch: string, calls: CallSnapshot[], final: boolean): SlackMessage {
    const m = this.mode(ch);
    m.rendered = m.version;
    return summaryMessage(
      calls,
      final
        ? 'calm again: every call has its own card; this summary is no longer updated.'
        : `busy channel: one summary instead of per-call cards since ${slackTime(m.since)}; the threads keep their lines.`,
    );
  }

  written(ch: string, ts: string | undefined): void {
    const m = this.mode(ch);
    if (ts) m.ts = ts;
    m.sent = Math.max(m.sent, m.rendered);
    m.writtenAt = this.now();
    if (!m.compact) {
      m.final = false;
      m.ts = undefined; // the next busy spell gets a fresh summary
    }
  }
}
