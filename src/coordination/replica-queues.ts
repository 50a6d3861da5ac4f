/**
 * Queues of replicas that are gone. Each replica has its own queue (what other replicas hand
 * to it), removed when it stops; a replica that is killed leaves its queue behind, and pg-boss
 * keeps a table partition for every queue. So each replica says it is alive with a presence
 * lease (`replica:<owner>`, renewed in the background), and the retention sweep removes every
 * per-replica queue whose replica holds no presence lease any more, with any jobs still in it,
 * and the queues of names callops no longer uses.
 */
import { LeaseKeeper } from './lease-keeper.js';
import type { JobQueue, LeaseManager } from './types.js';

/** How long a replica counts as alive after its last renewal (renewed every third of it). */
export const PRESENCE_TTL_MS = 60_000;

export const presenceKey = (owner: string): string => `replica:${owner}`;

/** Keeps this replica's presence lease while it runs. */
export class ReplicaPresence {
  readonly #keeper: LeaseKeeper;

  constructor(leases: LeaseManager, owner: string, onError: (err: unknown) => void, ttlMs = PRESENCE_TTL_MS) {
    this.#keeper = new LeaseKeeper({ leases, owner, ttlMs, renewEveryMs: Math.max(100, Math.floor(ttlMs / 3)), onError });
    this.#keeper.want([presenceKey(owner)]);
  }

  /** Resolves once the presence lease is held (or its first round failed). */
  async start(): Promise<void> {
    this.#keeper.start();
    await this.#keeper.tick();
  }

  /** Hands the presence back: the replica's queue is then left over (it removes it itself when it can). */
  stop(): Promise<void> {
    return this.#keeper.stop();
  }
}

export interface LeftoverQueueRules {
  queue: JobQueue;
  leases: LeaseManager;
  /** Per-replica queues are named `<prefix><owner>`. */
  perReplicaPrefix: string;
  /** Names of queues earlier versions used and callops no longer does. */
  retired?: readonly string[];
}

/** Removes the left-over queues (with their jobs) and answers their names. */
export async function retireLeftoverQueues(rules: LeftoverQueueRules): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await rules.queue.queues()) {
    const owner = name.startsWith(rules.perReplicaPrefix) ? name.slice(rules.perReplicaPrefix.length) : undefined;
    const leftover = owner !== undefined ? owner !== '' && (await rules.leases.holder(presenceKey(owner))) === undefined : (rules.retired ?? []).includes(name);
    if (!leftover) continue;
    await rules.queue.remove(name);
    removed.push(name);
  }
  return removed;
}
