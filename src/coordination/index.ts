/**
 * Opens the coordination layer: PostgreSQL (pg-boss queue, leases table) when a database URL
 * is given, in-process otherwise, behind the same interfaces.
 */
import { MemoryJobQueue, MemoryLeases } from './memory.js';
import { PgBossQueue } from './pg-boss-queue.js';
import { PgLeases } from './pg-leases.js';
import type { JobQueue, LeaseManager } from './types.js';

export * from './types.js';
export { MemoryJobQueue, MemoryLeases } from './memory.js';
export { PgBossQueue, uuidFromKey } from './pg-boss-queue.js';
export { PgLeases } from './pg-leases.js';
export { LeaseKeeper, type LeaseKeeperOptions } from './lease-keeper.js';
export { PRESENCE_TTL_MS, ReplicaPresence, presenceKey, retireLeftoverQueues, type LeftoverQueueRules } from './replica-queues.js';

export interface Coordination {
  queue: JobQueue;
  leases: LeaseManager;
  close(): Promise<void>;
}

export async function openCoordination(options: { databaseUrl?: string; schema?: string; onError?: (err: unknown) => void }): Promise<Coordination> {
  const url = options.databaseUrl?.trim();
  const queue: JobQueue = url
    ? new PgBossQueue({ connectionString: url, ...(options.schema && { schema: `${options.schema}_jobs` }), onError: options.onError ?? (() => undefined) })
    : new MemoryJobQueue();
  const leases: LeaseManager = url
    ? new PgLeases({ connectionString: url, ...(options.schema && { schema: options.schema }), onError: options.onError ?? (() => undefined) })
    : new MemoryLeases();
  await queue.start();
  return {
    queue,
    leases,
    close: async () => {
      await queue.stop();
      await leases.close();
    },
  };
}
