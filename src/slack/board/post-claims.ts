/**
 * Several replicas, one post of each board card: before posting a new card a replica claims it
 * in the store. A card the store already has a message for is not posted again (another replica
 * posted it); one claimed by another replica right now is 'busy'; a claim whose post did not
 * happen is released, so others may post it.
 */
import type { CardRef } from '../../board/output.js';
import type { BoardCardStore, ClaimStore } from '../../store/types.js';

/** How long a replica may take to post a card before another may (it normally takes well under a second). */
const POST_CLAIM_MS = 30_000;

const postClaimKey = (ref: CardRef) => `board-post:${ref.teamId}:${ref.channelId}:${ref.phoneCallId}`;

export interface PostClaims {
  /** The message the card already has, 'mine' when this replica may post it, 'busy' when another is posting it. */
  claim(ref: CardRef): Promise<{ ts: string } | 'mine' | 'busy'>;
  release(ref: CardRef): Promise<void>;
}

export function postClaims(store: BoardCardStore & ClaimStore, now: () => number): PostClaims {
  return {
    async claim(ref) {
      const stored = await store.getBoardCard(ref.teamId, ref.channelId, ref.phoneCallId);
      if (stored?.messageTs) return { ts: stored.messageTs };
      const at = now();
      return (await store.claimOnce(postClaimKey(ref), new Date(at + POST_CLAIM_MS), new Date(at))) ? 'mine' : 'busy';
    },
    release: (ref) => store.releaseClaim(postClaimKey(ref)),
  };
}
