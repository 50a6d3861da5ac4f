/**
 * A watch reads with its owner's token, so it lasts only as long as the owner may
 * read the extension. Judged again on every failed read (a refused token refresh
 * included) and periodically for paused watches: an owner whose link merely
 * expired pauses their watches until they link again (watch-readers.ts); an owner
 * who unlinked, or whom VoipNow no longer lets read the extension, ends the watch:
 * it stops, its PhoneCallEvents are removed with the owner's token while that
 * still works, its cards end, and the channel is told once.
 */
import { UapiError } from '../uapi/errors.js';
import type { UapiClient } from '../uapi/client.js';
import type { AccountStore, Watch, WatchStore } from '../store/types.js';
import type { BoardOutput } from './output.js';
import type { CardLedger } from './ledger.js';
import { unregisterEvents } from './registration.js';
import { keyOf, type WatchState } from './watch-state.js';

/** Why a watch's owner can no longer keep it. */
export type OwnerLoss = 'unlinked' | 'rights';

/** What a failed read means for the watch. */
export type ReadVerdict = OwnerLoss | 'expired' | 'retry';

/** Codes VoipNow answers when the user may not read the extension (or it is gone), after the client refreshed once. */
const RIGHTS_CODES = new Set(['access_denied', 'extension_invalid', 'user_invalid', 'pce_access_denied']);

/** A refusal about this user and extension, not a PBX, rate-limit or network problem. */
export function isRightsRefusal(err: unknown): boolean {
  if (!(err instanceof UapiError) || err.kind !== 'rejected') return false;
  return err.status === 401 || err.status === 403 || RIGHTS_CODES.has(err.code);
}

export interface OwnerRightsDeps {
  store: WatchStore & Pick<AccountStore, 'getLinkedAccount'>;
  clientFor(owner: { teamId: string; userId: string }): Promise<UapiClient>;
  /** The owner's link no longer works (expired, refused or gone). */
  isLinkProblem(err: unknown): boolean;
  /** The watches being read here, by key. */
  watches: Map<string, WatchState>;
  ledger: CardLedger;
  output: () => BoardOutput | undefined;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export class OwnerRights {
  constructor(private readonly deps: OwnerRightsDeps) {}

  /**
   * A read of this watch failed: is the owner still linked, and may they still read the
   * extension? A refusal is checked with one more read as the owner before the watch ends.
   */
  async judge(w: Watch, err: unknown): Promise<ReadVerdict> {
    if (this.deps.isLinkProblem(err)) return (await this.linked(w)) ? 'expired' : 'unlinked';
    if (!isRightsRefusal(err)) return 'retry';
    try {
      await (await this.deps.clientFor({ teamId: w.teamId, userId: w.createdBy })).listPhoneCalls({ extension: w.extension, count: 1 });
      return 'retry';
    } catch (again) {
      if (this.deps.isLinkProblem(again)) return (await this.linked(w)) ? 'expired' : 'unlinked';
      return isRightsRefusal(again) ? 'rights' : 'retry';
    }
  }

  /** The owner is unlinking (their tokens still work): every watch they set ends, its events removed with their token. */
  async ownerUnlinking(owner: { teamId: string; userId: string }): Promise<number> {
    const theirs = (await this.deps.store.listWatches()).filter((w) => w.teamId === owner.teamId && w.createdBy === owner.userId);
    await this.end(theirs, 'unlinked');
    return theirs.length;
  }

  private timer: NodeJS.Timeout | undefined;

  /** Runs the sweep every `ms` (undefined: no longer). */
  checkEvery(ms: number | undefined): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (ms === undefined) return;
    this.timer = setInterval(() => void this.sweep().catch((err: unknown) => this.deps.log?.('could not check the owners of paused watches', { error: String(err) })), ms);
    this.timer.unref();
  }

  /** Paused watches whose owner's link is gone altogether (unlinked elsewhere) end; returns how many. */
  async sweep(): Promise<number> {
    const gone: Watch[] = [];
    for (const s of [...this.deps.watches.values()]) if (s.watch.pausedAt && !(await this.linked(s.watch))) gone.push(s.watch);
    await this.end(gone, 'unlinked');
    return gone.length;
  }

  /** Ends these watches: reading stops, events go (as the owner, if VoipNow still lets them), cards end, one notice per channel and owner. */
  async end(watches: readonly Watch[], why: OwnerLoss): Promise<void> {
    const told = new Map<string, Watch[]>();
    for (const w of watches) {
      const key = keyOf(w.teamId, w.channelId, w.extension);
      const state = this.deps.watches.get(key);
      state?.poller.stop();
      this.deps.watches.delete(key);
      if (w.eventIds?.length) {
        try {
          await unregisterEvents(await this.deps.clientFor({ teamId: w.teamId, userId: w.createdBy }), w.extension, w.eventIds);
        } catch (err) {
          this.deps.log?.('could not remove the PhoneCallEvents of a watch whose owner lost it', { extension: w.extension, error: err instanceof Error ? err.message : String(err) });
        }
      }
      const removed = await this.deps.store.removeWatch(w.teamId, w.channelId, w.extension);
      for (const id of state?.seen ?? []) await this.deps.ledger.release(w.teamId, w.channelId, id, key);
      if (!removed) continue; // ended already (through another replica), which told the channel
      const k = `${w.teamId}|${w.channelId}|${w.createdBy}`;
      told.set(k, [...(told.get(k) ?? []), w]);
    }
    for (const list of told.values()) {
      const first = list[0]!;
      this.deps.output()?.notice(first.teamId, first.channelId, ownerLostNotice(list, why));
    }
  }

  private async linked(w: Watch): Promise<boolean> {
    return (await this.deps.store.getLinkedAccount(w.teamId, w.createdBy)) !== undefined;
  }
}

/** The channel's notice (callops' own markup: the extensions are validated watch input, the owner a Slack user id). */
export function ownerLostNotice(watches: readonly Watch[], why: OwnerLoss): string {
  const owner = watches[0]?.createdBy ?? '';
  const names = watches.map((w) => `\`${w.extension}\``).join(', ');
  const plural = watches.length > 1;
  const reason =
    why === 'unlinked'
      ? `<@${owner}>, who set ${plural ? 'these watches' : 'this watch'}, unlinked their VoipNow account`
      : `VoipNow no longer lets <@${owner}>, who set ${plural ? 'these watches' : 'this watch'}, read ${plural ? 'these extensions' : 'this extension'}`;
  return (
    `:octagonal_sign: Stopped watching ${names}: ${reason}. Their PhoneCallEvents were removed where VoipNow allowed it, and the cards here are final. ` +
    `A linked supervisor who may read ${plural ? 'them' : 'it'} can run \`/call watch ${watches.map((w) => w.extension).join(' ')}\` here to watch again.`
  );
}
