/**
 * The supervisor board's domain: which channels watch which extensions (watch,
 * unwatch and resume after a re-link in watch-changes.ts; sync with other replicas),
 * their PhoneCallEvents, actions taken from Slack, and the card ledger (ledger.ts) the
 * Slack side talks to. The pollers reading each watch with its owner's token, paused
 * when that link dies, are in watch-readers.ts. What to write to Slack goes to a
 * BoardOutput; this file knows no Slack.
 */
import type { BoardFence, Watch } from '../store/types.js';
import type { PhoneCall } from '../uapi/schemas.js';
import type { CallSnapshot, LegHint } from './snapshot.js';
import type { BoardDeps } from './deps.js';
import type { BoardOutput, CardRef } from './output.js';
import { CardLedger } from './ledger.js';
import { Escalation, DEFAULT_THRESHOLDS } from './escalation.js';
import { WatchReaders } from './watch-readers.js';
import { keyOf, type WatchState } from './watch-state.js';
import { OwnerRights } from './owner-rights.js';
import { ChannelPauses, pausedChannelsMuted } from './channel-pause.js';
import { WatchChanges } from './watch-changes.js';

export class Board {
  private readonly ledger: CardLedger;
  private readonly readers: WatchReaders;
  private readonly rights: OwnerRights;
  private readonly changes: WatchChanges;
  private output: BoardOutput | undefined;
  /** The output with writes to paused channels dropped: what cards, audit lines, alerts and notices go to. */
  private muted: BoardOutput | undefined;
  /** Channels that refused the bot's writes. */
  readonly pauses: ChannelPauses;
  private readonly now: () => number;
  /** PUBLIC_URL for PhoneCallEvents; undefined: polling only. */
  eventsBase: string | undefined;

  constructor(private readonly deps: BoardDeps) {
    this.now = deps.now ?? Date.now;
    this.pauses = new ChannelPauses({
      store: deps.store,
      now: this.now,
      ...(deps.log && { log: deps.log }),
      watches: () => this.watches,
      restart: (w) => this.readers.run(w),
      redraw: (teamId, channelId) => this.ledger.redraw(teamId, channelId),
      output: () => this.output,
      muted: () => this.muted,
      active: () => this.active,
    });
    this.ledger = new CardLedger({
      store: deps.store,
      escalation: new Escalation(deps.thresholds ?? DEFAULT_THRESHOLDS),
      isQueue: (ext) => deps.isQueue?.(ext) ?? true,
      output: () => this.muted,
      now: this.now,
      fence: () => this.fence,
      ...(deps.log && { log: deps.log }),
    });
    this.readers = new WatchReaders({
      ...deps,
      now: this.now,
      ledger: this.ledger,
      output: () => this.muted,
      channelPaused: (teamId, channelId) => this.pauses.isPaused(teamId, channelId),
      judge: (w, err) => this.rights.judge(w, err),
      lost: (watches, why) => this.rights.end(watches, why),
    });
    this.rights = new OwnerRights({
      store: deps.store,
      clientFor: deps.clientFor,
      isLinkProblem: deps.isLinkProblem,
      watches: this.readers.watches,
      ledger: this.ledger,
      output: () => this.muted,
      ...(deps.log && { log: deps.log }),
    });
    this.changes = new WatchChanges({
      store: deps.store,
      clientFor: deps.clientFor,
      ...(deps.log && { log: deps.log }),
      now: this.now,
      watches: this.readers.watches,
      run: (w) => this.readers.run(w),
      release: (teamId, channelId, id, key) => this.ledger.release(teamId, channelId, id, key),
      resumeChannel: (teamId, channelId) => this.resumeChannel(teamId, channelId),
      active: () => this.active,
      eventsUrl: (secret) => (this.eventsBase ? `${this.eventsBase.replace(/\/+$/, '')}/voipnow/events/${secret}` : undefined),
      output: () => this.output,
    });
  }

  /** The watches being read, by key. */
  private get watches(): Map<string, WatchState> {
    return this.readers.watches;
  }

  setOutput(output: BoardOutput): void {
    this.output = output;
    this.muted = pausedChannelsMuted(output, this.pauses);
  }

  /** False while another replica runs the board: watches set here are stored, not read. */
  private active = true;

  /** The lease epoch this board runs under (several replicas); its writes are fenced with it. */
  private fence: BoardFence | undefined;

  /**
   * Load watches and live cards from the store and start reading (again, after another replica
   * ran it). With a fence, it is raised in the store first, so the previous holder's late writes
   * are refused from then on.
   */
  async start(fence?: BoardFence): Promise<void> {
    this.stop();
    this.active = true;
    if (fence) await this.deps.store.raiseBoardFence(fence);
    this.fence = fence;
    await this.pauses.load();
    await this.ledger.restore();
    for (const w of await this.deps.store.listWatches()) this.readers.run(w);
    this.rights.checkEvery(this.deps.ownerCheckMs ?? 300_000);
  }

  /**
   * The owner is unlinking VoipNow (their token still works): every watch they set stops, its
   * PhoneCallEvents are removed as them, and each channel is told once. Returns how many ended.
   */
  ownerUnlinking(owner: { teamId: string; userId: string }): Promise<number> {
    return this.rights.ownerUnlinking(owner);
  }

  /** Stop reading (shutdown, or another replica takes the board over). */
  stop(): void {
    this.active = false;
    this.rights.checkEvery(undefined);
    for (const w of this.watches.values()) w.poller.stop();
    this.watches.clear();
  }

  get running(): boolean {
    return this.active;
  }

  /**
   * Take in watches set, removed, paused or resumed elsewhere (another replica's `/call watch`):
   * the stored watches are the truth; new ones start reading, gone ones end their cards.
   */
  async sync(): Promise<void> {
    if (!this.active) return;
    const stored = new Map((await this.deps.store.listWatches()).map((w) => [keyOf(w.teamId, w.channelId, w.extension), w]));
    for (const [key, state] of [...this.watches]) {
      const w = stored.get(key);
      if (w && w.secret === state.watch.secret && w.pausedAt?.getTime() === state.watch.pausedAt?.getTime()) continue;
      state.poller.stop();
      await state.poller.settled();
      if (this.watches.get(key) !== state) continue;
      this.watches.delete(key);
      if (!w) for (const id of state.seen) await this.ledger.release(state.watch.teamId, state.watch.channelId, id, key);
    }
    if (!this.active) return;
    for (const [key, w] of stored) if (!this.watches.has(key)) this.readers.run(w);
    await this.pauses.resumeLiftedElsewhere();
  }

  /** Slack refused a write to this channel: a refusal no retry can fix pauses its board (channel-pause.ts). */
  channelRefused(channelId: string, code: string): void {
    this.pauses.refused(channelId, code);
  }

  /** The bot is in the channel again (invited, or a watch was set there): a paused board resumes. False when it was not paused. */
  resumeChannel(teamId: string, channelId: string): Promise<boolean> {
    return this.pauses.resume(teamId, channelId);
  }

  /**
   * Watch an extension from a channel as `owner`: the first read and the event
   * registration are made with the owner's token; if VoipNow refuses, this
   * throws and nothing is stored. Watching again (e.g. after a pause) takes over.
   */
  watch(owner: { teamId: string; userId: string }, channelId: string, extension: string): Promise<{ events: boolean; again: boolean }> {
    return this.changes.watch(owner, channelId, extension);
  }

  /** Stop watching; removes the PhoneCallEvents this watch registered (as its owner, or as `actingUserId`). */
  unwatch(teamId: string, channelId: string, extension: string, actingUserId?: string): Promise<boolean> {
    return this.changes.unwatch(teamId, channelId, extension, actingUserId);
  }

  /** The owner linked VoipNow again: their paused watches read again (each channel told once). Returns how many resumed. */
  resumeOwner(owner: { teamId: string; userId: string }): Promise<number> {
    return this.changes.resumeOwner(owner);
  }

  async watchesOf(teamId: string, channelId: string): Promise<Array<Watch & { lastRead?: number }>> {
    const stored = await this.deps.store.listWatchesForChannel(teamId, channelId);
    return stored.map((w) => {
      const last = this.watches.get(keyOf(teamId, channelId, w.extension))?.poller.lastSuccess;
      return last === undefined ? w : { ...w, lastRead: last };
    });
  }

  /** Whether a secret belongs to a watch. */
  knows(secret: string): boolean {
    for (const w of this.watches.values()) if (w.watch.secret === secret) return true;
    return false;
  }

  /** Told of each PhoneCallEvent for a watched extension (the phone lines of that extension read too). */
  onEvent: ((extension: string) => void) | undefined;

  /** A PhoneCallEvent arrived for this secret: read that watch's extension now. False when unknown. */
  async eventArrived(secret: string): Promise<boolean> {
    for (const w of this.watches.values()) {
      if (w.watch.secret === secret) {
        w.poller.readSoon();
        this.onEvent?.(w.watch.extension);
        return true;
      }
    }
    return false;
  }

  /**
   * An action from Slack on a call starts, before its request goes to the PBX: until it ends
   * (`actionDone` or `afterAction` with the same id), what a read sees of the call waits for
   * the action's read-back, so the change it makes is told once, by the action's line.
   */
  actionStarted(phoneCallId: string, actionId: string): void {
    this.ledger.actionStarted(phoneCallId, actionId);
  }

  /** The action's hold ends (it failed, or its read-back came); a read held back meanwhile is made again (it may have seen another change). */
  actionEnded(phoneCallId: string, actionId: string | undefined): void {
    if (actionId === undefined || !this.ledger.actionEnded(phoneCallId, actionId)) return;
    for (const ref of this.ledger.cardsOf(phoneCallId)) this.afterAction(ref, undefined);
  }

  /**
   * An action was taken on a card from Slack: its audit line (if any), then a fresh read.
   * `actionId`: the action failed or may not have happened; its hold ends, so the read tells what did.
   */
  afterAction(ref: CardRef, line: string | undefined, changed = false, actionId?: string): void {
    if (actionId !== undefined) this.ledger.actionEnded(ref.phoneCallId, actionId);
    for (const h of this.ledger.note(ref, line, changed) ?? []) this.watches.get(h)?.poller.readNow();
  }

  /**
   * An action from Slack on a call boards may show: its line on each of the call's cards. With
   * the call as the action read it back (`read`, from the workspace `teamId`), that is the cards'
   * new state, taken without reading the PBX again; without, the board reads the call. Ends the
   * action's hold (`actionId`).
   */
  actionDone(a: { phoneCallId: string; line: string; teamId?: string; read?: PhoneCall; awaiting?: boolean; actionId?: string }): void {
    for (const ref of this.ledger.cardsOf(a.phoneCallId)) {
      if (a.read && ref.teamId === a.teamId && this.ledger.acted(ref, a.line, a.read, Boolean(a.awaiting))) continue;
      this.afterAction(ref, a.line, true);
    }
    this.actionEnded(a.phoneCallId, a.actionId);
  }

  /** A supervisor leg callops started (whisper, listen, barge in), so the card can say what it is. */
  hintLeg(phoneCallId: string, hint: LegHint): void {
    this.ledger.hint(phoneCallId, hint);
  }

  /** Every board card showing this call (an action from `/call` is audited on each). */
  cardsOf(phoneCallId: string): CardRef[] {
    return this.ledger.cardsOf(phoneCallId);
  }

  /** Whether a message is one of the board's cards (so an action on it is audited). */
  cardAt(teamId: string, channelId: string, messageTs: string): CardRef | undefined {
    return this.ledger.cardAt(teamId, channelId, messageTs);
  }

  /** The Slack side posted a card: remember its message. */
  posted(ref: CardRef, messageTs: string): Promise<void> {
    return this.ledger.posted(ref, messageTs);
  }

  /** Waits for reads under way (tests, shutdown). */
  settled(): Promise<void> {
    return this.readers.settled();
  }

  /** Live cards of a channel (for the compact summary). */
  liveCalls(teamId: string, channelId: string): CallSnapshot[] {
    return this.ledger.liveCalls(teamId, channelId);
  }
}
