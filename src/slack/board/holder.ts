/**
 * Several replicas, one board: the board of a workspace (its pollers, its card ledger and its
 * rate-limit-aware Slack writer) runs on exactly one replica at a time, the holder of a lease
 * in PostgreSQL (`board:<team>`). Every replica competes for it; when the holder dies its lease
 * expires and another replica's next round takes it and starts the board from the store
 * (within LEASE_SECONDS + a third of it). One holder means one poller per watched extension
 * and one writer spending the workspace's Slack budget.
 *
 * What reaches another replica (a PhoneCallEvent, an action on a call a board shows, a watch
 * set or removed) is handed to the holder as a job on the holder's own queue; the holder acts on
 * it (a read of the extension, never the event's claims; an audit line; a sync of the watches).
 * Nobody holding: dropped, the next holder reads everything at once anyway.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { LeaseKeeper, type JobQueue, type LeaseManager } from '../../coordination/index.js';
import type { Logger } from '../../log.js';
import type { LegHint } from '../../board/snapshot.js';
import type { BoardFence } from '../../store/types.js';
import type { PhoneCall } from '../../uapi/schemas.js';

/** What a replica hands to the holder. */
export type BoardMessage =
  | { kind: 'event'; secret: string }
  /** An action on a call (`read`: the call as the action read it back, plain JSON, from workspace `teamId`). */
  | { kind: 'action'; phoneCallId: string; line: string; hint?: LegHint; teamId?: string; read?: PhoneCall; awaiting?: boolean; actionId?: string }
  /** An action on a call starts (`ended`: it failed with no line of its own); `actionId` pairs it with its `action` or `note`. */
  | { kind: 'acting'; phoneCallId: string; actionId: string; ended?: boolean }
  /** A line on a card (`actionId`: the action failed or may not have happened). */
  | { kind: 'note'; teamId: string; channelId: string; phoneCallId: string; line?: string; actionId?: string }
  | { kind: 'sync' };

export interface BoardHolderOptions {
  queue: JobQueue;
  leases: LeaseManager;
  logger: Logger;
  /** How long the lease lasts without renewal (renewed every third of it). */
  ttlMs: number;
  /** This replica's id; default host-pid-random. */
  owner?: string;
  /** The board gained (start it from the store) or lost (stop it, drop pending writes). */
  onGained(fence: BoardFence): Promise<void>;
  onLost(): void;
  /** The holder acts on a message from another replica. */
  handle(message: BoardMessage): Promise<void>;
}

export const replicaId = (): string => `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`.replace(/[^A-Za-z0-9_.-]/g, '_');

/** Each replica's own queue is this prefix and its id (what other replicas hand to it). */
export const BOARD_HOLDER_QUEUE_PREFIX = 'board-holder.';

const queueOf = (owner: string) => `${BOARD_HOLDER_QUEUE_PREFIX}${owner}`;

export class BoardHolder {
  readonly owner: string;
  #keeper: LeaseKeeper | undefined;
  #key = 'board:default';
  #holding = false;
  #sync: NodeJS.Timeout | undefined;
  /** Gain and loss run in order. */
  #chain: Promise<void> = Promise.resolve();

  constructor(private readonly o: BoardHolderOptions) {
    this.owner = o.owner ?? replicaId();
  }

  get holding(): boolean {
    return this.#holding;
  }

  get leaseKey(): string {
    return this.#key;
  }

  /** Competes for the board of `teamId` from now on. */
  async start(teamId: string): Promise<void> {
    this.#key = `board:${teamId}`;
    await this.o.queue.work<BoardMessage>(queueOf(this.owner), async (job) => {
      if (!this.#holding) return this.send(job.data, 1);
      await this.o.handle(job.data).catch((err: unknown) => this.o.logger.warn('board: a handed-over message failed', { kind: job.data.kind, error: String(err) }));
    });
    this.#keeper = new LeaseKeeper({
      leases: this.o.leases,
      owner: this.owner,
      ttlMs: this.o.ttlMs,
      renewEveryMs: Math.max(100, Math.floor(this.o.ttlMs / 3)),
      onGained: (key, epoch) => this.#then(() => this.#gain({ key, epoch })),
      onLost: () => this.#then(async () => this.#lose()),
      onError: (err) => this.o.logger.warn('board lease: could not renew', { error: err instanceof Error ? err.message : String(err) }),
    });
    this.#keeper.want([this.#key]);
    this.#keeper.start();
    await this.#keeper.tick();
    await this.#chain;
  }

  /** Hands the lease back (shutdown), so another replica takes over at once. */
  async stop(): Promise<void> {
    await this.#keeper?.stop();
    await this.#chain;
    // Its own queue goes with it (pg-boss keeps one partition per queue); a killed replica's stays, empty.
    await this.o.queue.remove(queueOf(this.owner)).catch((err: unknown) => this.o.logger.warn("board: could not remove this replica's queue", { error: String(err) }));
  }

  /** Hand a message to the holder: here when this replica holds the board, else the holder's queue. */
  async send(message: BoardMessage, hops = 0): Promise<void> {
    if (this.#holding) return this.o.handle(message);
    if (hops > 1) return;
    const holder = await this.o.leases.holder(this.#key);
    if (!holder || holder === this.owner) return;
    await this.o.queue.send(queueOf(holder), message, { retryLimit: 0 });
  }

  #then(step: () => Promise<void>): void {
    this.#chain = this.#chain.then(step).catch((err: unknown) => this.o.logger.error('board hand-over failed', { error: err instanceof Error ? err.message : String(err) }));
  }

  async #gain(fence: BoardFence): Promise<void> {
    this.#holding = true;
    this.o.logger.info('board: this replica now runs the board', { lease: this.#key, owner: this.owner, epoch: fence.epoch });
    await this.o.onGained(fence);
    // Watches set or removed through other replicas are taken in every lease round.
    clearInterval(this.#sync);
    this.#sync = setInterval(() => this.#then(() => (this.#holding ? this.o.handle({ kind: 'sync' }) : Promise.resolve())), Math.max(100, Math.floor(this.o.ttlMs / 3)));
    this.#sync.unref();
  }

  #lose(): void {
    if (!this.#holding) return;
    this.#holding = false;
    clearInterval(this.#sync);
    this.o.logger.info('board: another replica runs the board now', { lease: this.#key });
    this.o.onLost();
  }
}
