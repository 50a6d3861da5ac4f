/**
 * Board channels that refuse the bot's writes. When Slack answers a board write
 * with a refusal that retrying cannot fix (the bot was removed, the channel is
 * archived, gone or restricted), the channel's board pauses: its watches read
 * nothing, nothing more is written there, and each watch owner is told once by
 * direct message how to fix it. The pause is stored, so a restart keeps it; it
 * ends when the bot is invited again.
 */
import type { BoardChannelPause, Store } from '../store/types.js';
import type { BoardOutput } from './board.js';

/** Slack's answers to a write that mean the channel will refuse every further write until someone acts. */
export const CHANNEL_REFUSALS: ReadonlySet<string> = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

const keyOf = (teamId: string, channelId: string) => `${teamId}|${channelId}`;

export class ChannelPauses {
  private readonly paused = new Map<string, BoardChannelPause>();
  /** Pauses being stored: a sync waits for them, so it never mistakes a fresh pause for one lifted elsewhere. */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly log?: (message: string, fields?: Record<string, unknown>) => void,
  ) {}

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
  pause(p: BoardChannelPause): boolean {
    const k = keyOf(p.teamId, p.channelId);
    if (this.paused.has(k)) return false;
    this.paused.set(k, p);
    const stored = this.store
      .pauseBoardChannel(p)
      .catch((err: unknown) => this.log?.('could not store a board channel pause', { channel: p.channelId, error: err instanceof Error ? err.message : String(err) }));
    this.writing = Promise.all([this.writing, stored]);
    return true;
  }

  /** Lifts the pause in memory (the caller removed it from the store); false when the channel was not paused. */
  lift(teamId: string, channelId: string): boolean {
    return this.paused.delete(keyOf(teamId, channelId));
  }

  /** Channels paused here whose pause is no longer stored (lifted through another replica). */
  async liftedElsewhere(): Promise<Array<{ teamId: string; channelId: string }>> {
    await this.writing;
    const stored = new Set((await this.store.listBoardChannelPauses()).map((p) => keyOf(p.teamId, p.channelId)));
    return [...this.paused.entries()].filter(([k]) => !stored.has(k)).map(([, p]) => ({ teamId: p.teamId, channelId: p.channelId }));
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
    card(ref, snapshot, messageTs) {
      if (open(ref.teamId, ref.channelId)) output.card(ref, snapshot, messageTs);
    },
    audit(ref, line, messageTs, own) {
      if (open(ref.teamId, ref.channelId)) output.audit(ref, line, messageTs, own);
    },
    alert(ref, text, level, messageTs) {
      if (open(ref.teamId, ref.channelId)) output.alert(ref, text, level, messageTs);
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
