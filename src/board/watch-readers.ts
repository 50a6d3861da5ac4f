/**
 * The board's read loop: one poller per watch, reading its extension with the watch
 * owner's token and handing each read to the card ledger. A failed read is judged
 * (owner-rights.ts): an expired link pauses every watch of that owner in the channel,
 * with one notice saying how to resume; an owner who unlinked or may no longer read the
 * extension ends the watch; other failures back off and retry.
 */
import type { PhoneCall } from '../uapi/schemas.js';
import type { Watch } from '../store/types.js';
import { Poller, DEFAULT_POLL_TIMING } from './poller.js';
import { keyOf, type WatchState } from './watch-state.js';
import type { CardLedger } from './ledger.js';
import type { BoardDeps } from './deps.js';
import type { BoardOutput } from './output.js';
import type { OwnerLoss, ReadVerdict } from './owner-rights.js';
import { snapshotOf } from './snapshot.js';
import { OwnerClients } from './owner-clients.js';

/** Every live call of an extension in one read: VoipNow lists 20 by default (count: 1 to 4999). */
const LIST_COUNT = 1000;
/** How long the reads of one owner's watches share the client taken from the store. */
const OWNER_CLIENT_MS = 2000;
/**
 * Watches that start together start their polling this far apart: a board (re)started with
 * 1,000 watches reads them over 2 s instead of sending 1,000 requests at once, and their polls
 * stay spread after that (each poller keeps its own rhythm).
 */
const START_SPACING_MS = 2;

export class WatchReaders {
  readonly watches = new Map<string, WatchState>();
  private readonly clients: OwnerClients;
  /** The pollers waiting for their turn to start, the loop starting them, and when the last one started. */
  private readonly waiting: Poller<PhoneCall>[] = [];
  private starting: Promise<void> | undefined;
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: Pick<BoardDeps, 'store' | 'clientFor' | 'timing' | 'log'> & {
      now: () => number;
      ledger: CardLedger;
      output: () => BoardOutput | undefined;
      /** A channel whose board is paused (it refuses the bot's writes): its watches do not read. */
      channelPaused: (teamId: string, channelId: string) => boolean;
      /** What a failed read means for its watch. */
      judge: (watch: Watch, err: unknown) => Promise<ReadVerdict>;
      /** Ends watches whose owner lost them. */
      lost: (watches: Watch[], why: OwnerLoss) => Promise<void>;
    },
  ) {
    this.clients = new OwnerClients(
      (owner) => this.deps.clientFor(owner),
      OWNER_CLIENT_MS,
      () => this.deps.now(),
    );
  }

  private get now(): () => number {
    return this.deps.now;
  }

  private get ledger(): CardLedger {
    return this.deps.ledger;
  }

  private get output(): BoardOutput | undefined {
    return this.deps.output();
  }

  /** Waits for reads under way (tests, shutdown). */
  async settled(): Promise<void> {
    await this.starting;
    await Promise.all([...this.watches.values()].map((w) => w.poller.settled()));
  }

  run(watch: Watch): void {
    const key = keyOf(watch.teamId, watch.channelId, watch.extension);
    // Cards restored from the store are held by the watches of their extension until a read says otherwise.
    const seen = this.ledger.adopt(watch.teamId, watch.channelId, watch.extension, key);
    const owner = { teamId: watch.teamId, userId: watch.createdBy };
    const poller = new Poller<PhoneCall>(
      {
        read: async () => {
          const state = this.watches.get(key);
          if (state) state.readFrom = this.now();
          return (await this.clients.get(owner)).listPhoneCalls({ extension: watch.extension, count: LIST_COUNT });
        },
        onRead: (calls) => this.reconcile(key, calls),
        onError: (err) => {
          this.clients.forget(owner);
          return this.failed(key, err);
        },
        hot: (calls) => this.hot(key, calls),
      },
      this.deps.timing ?? DEFAULT_POLL_TIMING,
      this.now,
    );
    this.watches.set(key, { watch, poller, seen });
    if (!watch.pausedAt && !this.deps.channelPaused(watch.teamId, watch.channelId)) this.startSpaced(poller);
    else poller.stop();
  }

  /**
   * Starts polling now, or START_SPACING_MS after the last watch that started (a board starting many
   * at once). Each start waits for the one before it to have run, so a busy event loop delays the
   * starts after it too instead of letting them all go at once when it frees up.
   */
  private startSpaced(poller: Poller<PhoneCall>): void {
    if (!this.starting && performance.now() - this.lastStart >= START_SPACING_MS) {
      this.lastStart = performance.now();
      poller.start();
      return;
    }
    this.waiting.push(poller);
    this.starting ??= this.startWaiting();
  }

  private async startWaiting(): Promise<void> {
    for (let next = this.waiting.shift(); next; next = this.waiting.shift()) {
      await new Promise((resolve) => setTimeout(resolve, START_SPACING_MS).unref());
      this.lastStart = performance.now();
      next.start();
    }
    this.starting = undefined;
  }

  /**
   * Worth reading again soon: a call changed since the last read, or one is ringing,
   * on hold or parked (it ends or moves on in seconds). Quiet talking calls are not.
   */
  private hot(key: string, calls: PhoneCall[]): boolean {
    const watched = this.watches.get(key);
    if (!watched) return false;
    const states = calls.map((c) => [c.id, snapshotOf(c, watched.watch.extension).state] as const);
    const signature = states.map(([id, state]) => `${id}:${state}`).join(',');
    const changed = watched.states !== undefined && watched.states !== signature;
    watched.states = signature;
    return changed || states.some(([, state]) => state !== 'on call');
  }

  private async reconcile(key: string, calls: PhoneCall[]): Promise<void> {
    const state = this.watches.get(key);
    if (!state) return;
    state.seen = await this.ledger.reconcile({ ...state.watch, key, seen: state.seen }, calls, state.readFrom);
  }

  /** A read failed: an expired link pauses the watch and tells the channel once; a lost owner ends it; anything else backs off. */
  private async failed(key: string, err: unknown): Promise<'stop' | 'retry'> {
    const state = this.watches.get(key);
    const verdict = state ? await this.deps.judge(state.watch, err) : 'retry';
    if (!state || verdict === 'retry') {
      this.deps.log?.('board read failed', { watch: key, error: err instanceof Error ? err.message : String(err) });
      return 'retry';
    }
    if (verdict !== 'expired') {
      await this.deps.lost([state.watch], verdict);
      return 'stop';
    }
    const w = state.watch;
    const paused = { ...w, pausedAt: new Date(this.now()) };
    state.watch = paused;
    await this.deps.store.updateWatch(paused);
    // Every watch of this owner in this channel is paused together: one message names them all.
    const same = [...this.watches.values()].filter(
      (s) => s !== state && s.watch.teamId === w.teamId && s.watch.channelId === w.channelId && s.watch.createdBy === w.createdBy && !s.watch.pausedAt,
    );
    for (const s of same) {
      s.poller.stop();
      s.watch = { ...s.watch, pausedAt: paused.pausedAt };
      await this.deps.store.updateWatch(s.watch);
    }
    const names = [w, ...same.map((s) => s.watch)].map((x) => `\`${x.extension}\``).join(', ');
    this.output?.notice(
      w.teamId,
      w.channelId,
      `:warning: Paused watching ${names}: the VoipNow link of <@${w.createdBy}>, who set ${same.length ? 'these watches' : 'this watch'}, has expired or was refused. ` +
        `To resume, <@${w.createdBy}> runs \`/call link\` (the watching resumes by itself), or another linked supervisor runs \`/call watch ${[w, ...same.map((s) => s.watch)].map((x) => x.extension).join(' ')}\` here.`,
    );
    return 'stop';
  }
}
