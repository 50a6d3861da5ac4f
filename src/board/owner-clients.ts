/**
 * The board's reads take their owner's client from here: a channel that watches many
 * extensions as one supervisor reads them all with that supervisor's token, so the link is
 * read from the store (and its tokens decrypted) at most once every `ttlMs` per owner, not
 * once per read. The client refreshes its token itself; a failed read forgets its owner, so
 * the next read, and the judgement of the failure, see the store as it is now.
 */
import type { UapiClient } from '../uapi/client.js';

type Owner = { teamId: string; userId: string };

export class OwnerClients {
  private readonly held = new Map<string, { at: number; client: Promise<UapiClient> }>();

  constructor(
    private readonly load: (owner: Owner) => Promise<UapiClient>,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get(owner: Owner): Promise<UapiClient> {
    const key = keyOf(owner);
    const now = this.now();
    const hit = this.held.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.client;
    for (const [k, v] of this.held) if (now - v.at >= this.ttlMs) this.held.delete(k);
    const client = this.load(owner);
    this.held.set(key, { at: now, client });
    client.catch(() => {
      if (this.held.get(key)?.client === client) this.held.delete(key);
    });
    return client;
  }

  forget(owner: Owner): void {
    this.held.delete(keyOf(owner));
  }
}

const keyOf = (owner: Owner) => `${owner.teamId}\u0000${owner.userId}`;
