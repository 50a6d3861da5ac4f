/** A running watch as the board holds it: the watch, its poller and the calls its last read listed, by key. */
import type { Watch } from '../store/types.js';
import type { PhoneCall } from '../uapi/schemas.js';
import type { Poller } from './poller.js';

export interface WatchState {
  watch: Watch;
  poller: Poller<PhoneCall>;
  /** Calls this watch listed on its last read. */
  seen: Set<string>;
  /** Each call's id and state on the last read, to tell a read that found a change. */
  states?: string;
  /** When the read under way (or the last one) began. */
  readFrom?: number;
}

/** A watch's key: its channel (in its workspace) and extension. */
export const keyOf = (teamId: string, channelId: string, extension: string) => `${teamId}|${channelId}|${extension}`;
