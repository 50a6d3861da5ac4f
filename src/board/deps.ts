/** What the board is given: its stores, a client per watch owner, timing and thresholds. */
import type { OutboxStore } from '../store/outbox.js';
import type { AccountStore, AuditStore, BoardCardStore, BoardChannelPauseStore, ClaimStore, WatchStore } from '../store/types.js';
import type { UapiClient } from '../uapi/client.js';
import type { AlertThresholds } from './escalation.js';
import type { PollTiming } from './poller.js';

export interface BoardDeps {
  /** `listActionHolds`: actions another replica started on calls the board shows (their claims recorded them). */
  store: WatchStore & BoardCardStore & BoardChannelPauseStore & AuditStore & Pick<AccountStore, 'getLinkedAccount'> & Pick<ClaimStore, 'listActionHolds'> & { readonly outbox: OutboxStore };
  /** A client acting as this Slack user (their own VoipNow token). */
  clientFor(owner: { teamId: string; userId: string }): Promise<UapiClient>;
  /** True when an error means the owner's VoipNow link no longer works (expired, refused, or unlinked). */
  isLinkProblem(err: unknown): boolean;
  /** How often paused watches check that their owner is still linked (default 5 minutes). */
  ownerCheckMs?: number;
  /** Which extensions are queues (ringing there escalates); default all (a phone stops ringing sooner). */
  isQueue?: (extension: string) => boolean;
  timing?: PollTiming;
  thresholds?: AlertThresholds;
  now?: () => number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}
