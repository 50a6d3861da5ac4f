/**
 * Board channels that refuse the bot's writes. When Slack answers a board write
 * with a refusal that retrying cannot fix (the bot was removed, the channel is
 * archived, gone or restricted), the channel's board pauses: its watches read
 * nothing, nothing more is written there, and each watch owner is told once by
 * direct message how to fix it. The pause is stored, so a restart keeps it; it
 * ends when the bot is invited again.
 */
import type { BoardChannelPause, BoardChannelPauseStore, Watch } from '../store/types.js';
import type { BoardOutput } from './output.js';
import type { WatchState } from './watch-state.js';

/** Slack's answers to a write that mean the channel will refuse every further write until someone acts. */
export const CHANNEL_REFUSALS: ReadonlySet<string> = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

const keyOf = (teamId: string, channelId: string) => `${teamId}|${channelId}`;

export interface ChannelPauseDeps {
  store: BoardChannelPauseStore;
  now: () => number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** The watches being read, by key. */
  watches: () => Map<string, WatchState>;
  /** Starts reading a watch again (a new poller). */
  restart: (w: Watch) => void;
  /** Sends a channel's live cards again. */
  redraw: (teamId: string, channelId: string) => void;
  /** The board's output as it is, and with paused channels muted. */
  output: () => BoardOutput | undefined;
  muted: () => BoardOutput | undefined;
  /** False while another replica runs the board. */
  active: () => boolean;
}

export class ChannelPauses {
  private readonly paused = new Map<string, BoardChannelPause>();
  /** Pauses being stored: a sync waits for them, so it never mistakes a fresh pause for one lifted elsewhere. */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ChannelPauseDeps) {}

  private get store(): BoardChannelPauseStore {
    return this.deps.store;
  }

  /** Loads the stored pauses (start, or after another replica ran the board). */
  async load(): Promise<void> {
    await this.writing;
    this.paused.clear();
    for (const p of await this.store.listBoardChannelPauses()) this.paused.set(keyOf(p.teamId, p.channelId), p);
  }

  isPaused(teamId: string, channelId: string): boolean {
    return this.paused.has(keyOf(teamId, channelId));
  }

  /** Pauses the channel now (in memory at once, stored in the background); false when it already was. */
  private pause(p: BoardChannelPause): boolean {
    const k = keyOf(p.teamId, p.channelId);
    if (this.paused.has(k)) return false;
    this.paused.set(k, p);
    const stored = this.store
      .pauseBoardChannel(p)
      .catch((err: unknown) => this.deps.log?.('could not store a board channel pause', { channel: p.channelId, error: err instanceof Error ? err.message : String(err) }));
    this.writing = Promise.all([this.writing, stored]);
    return true;
  }

  /**
   * Slack refused a write to this channel. A refusal no retry can fix pauses the channel's
   * board at once: its watches stop reading, its pending writes are dropped, and each watch
   * owner gets one direct message saying how to fix it. Other errors change nothing.
   */
  refused(channelId: string, code: string): void {
    if (!CHANNEL_REFUSALS.has(code)) return;
    const states = [...this.deps.watches().values()].filter((s) => s.watch.channelId === channelId);
    const teamId = states[0]?.watch.teamId;
    if (teamId === undefined || !this.pause({ teamId, channelId, pausedAt: new Date(this.deps.now()), reason: code })) return;
    for (const s of states) s.poller.stop();
    const output = this.deps.output();
    output?.forget?.(teamId, channelId);
    this.deps.log?.('board channel refuses writes; its board is paused until callops is invited again', { channel: channelId, error: code });
    const byOwner = new Map<string, string[]>();
    for (const s of states) byOwner.set(s.watch.createdBy, [...(byOwner.get(s.watch.createdBy) ?? []), s.watch.extension]);
    for (const [owner, extensions] of byOwner) output?.notice(teamId, owner, pausedChannelMessage(channelId, code, extensions));
  }

  /** The bot is in the channel again: the pause goes from the store and the board resumes here. False when it was not paused. */
  async resume(teamId: string, channelId: string): Promise<boolean> {
    await this.writing;
    const stored = await this.store.resumeBoardChannel(teamId, channelId);
    return this.resumed(teamId, channelId) || stored;
  }

  /** Channels paused here whose pause is no longer stored (lifted through another replica) resume. */
  async resumeLiftedElsewhere(): Promise<void> {
    await this.writing;
    if (this.paused.size === 0) return;
    const stored = new Set((await this.store.listBoardChannelPauses()).map((p) => keyOf(p.teamId, p.channelId)));
    for (const [k, p] of [...this.paused]) if (!stored.has(k)) this.resumed(p.teamId, p.channelId);
  }

  /** Lifts the pause here: watches read again (those whose owner's link works), live cards are drawn again. */
  private resumed(teamId: string, channelId: string): boolean {
    if (!this.paused.delete(keyOf(teamId, channelId))) return false;
    if (!this.deps.active()) return true;
    const states = [...this.deps.watches().values()].filter((s) => s.watch.teamId === teamId && s.watch.channelId === channelId);
    for (const s of states) {
      s.poller.stop();
      this.deps.restart(s.watch);
    }
    this.deps.redraw(teamId, channelId);
    const names = states.map((s) => `\`${s.watch.extension}\``).join(', ');
    if (names) this.deps.muted()?.notice(teamId, channelId, `:arrow_forward: The call board here resumed (${names}): callops can post in this channel again.`);
    return true;
  }

  /** Waits for pauses being stored (tests, shutdown). */
  async settled(): Promise<void> {
    await this.writing;
  }
}

/** The board's output with every write to a paused channel dropped (direct messages and other channels pass). */
export function pausedChannelsMuted(output: BoardOutput, pauses: ChannelPauses): BoardOutput {
  const open = (teamId: string, channelId: string) => !pauses.isPaused(teamId, channelId);
  return {
    // Each write passes on with its stored intent, so Slack's acceptance is recorded against it.
    card(ref, snapshot, messageTs, intent, drawnAt) {
      if (open(ref.teamId, ref.channelId)) output.card(ref, snapshot, messageTs, intent, drawnAt);
    },
    // A card of a paused channel is not written, so its commit draws no version.
    shows(ref, snapshot) {
      return open(ref.teamId, ref.channelId) ? output.shows?.(ref, snapshot) : undefined;
    },
    audit(ref, line, messageTs, own, intent) {
      if (open(ref.teamId, ref.channelId)) output.audit(ref, line, messageTs, own, intent);
    },
    alert(ref, text, level, messageTs, intent) {
      if (open(ref.teamId, ref.channelId)) output.alert(ref, text, level, messageTs, intent);
    },
    notice(teamId, channelId, text) {
      if (open(teamId, channelId)) output.notice(teamId, channelId, text);
    },
    forget(teamId, channelId) {
      output.forget?.(teamId, channelId);
    },
  };
}

/** What Slack's refusal means, for the owner's message. */
const WHY: Record<string, string> = {
  not_in_channel: 'callops is no longer a member of it',
  channel_not_found: 'Slack no longer lets callops see it (the bot was removed, or the channel is private or gone)',
  is_archived: 'it was archived',
  restricted_action: "the channel's settings do not let callops post there",
};

/** The direct message to a watch owner (callops' own markup; the extensions are validated watch input). */
export function pausedChannelMessage(channelId: string, reason: string, extensions: readonly string[]): string {
  const names = extensions.map((e) => `\`${e}\``).join(', ');
  return (
    `:double_vertical_bar: The call board in <#${channelId}> is paused: ${WHY[reason] ?? `Slack refused to post there (${reason})`}. ` +
    `Your ${extensions.length === 1 ? 'watch' : 'watches'} of ${names} there read${extensions.length === 1 ? 's' : ''} nothing and post nothing until it is fixed. ` +
    `To resume, ${reason === 'is_archived' ? 'unarchive the channel, then ' : ''}invite callops in that channel with \`/invite @callops\`: the board resumes by itself and redraws its live calls.`
  );
}
