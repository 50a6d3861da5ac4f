/**
 * Setting and removing a board's watches: a watch set as its owner (the first read and the
 * PhoneCallEvents registration with the owner's token; nothing stored when VoipNow refuses),
 * a watch removed with its events, and an owner's paused watches resumed after a re-link.
 */
import { randomBytes } from 'node:crypto';
import type { Watch } from '../store/types.js';
import type { BoardDeps } from './deps.js';
import type { BoardOutput } from './output.js';
import { eventNote, registerEvents, unregisterEvents } from './registration.js';
import { keyOf, type WatchState } from './watch-state.js';

export interface WatchChangeDeps extends Pick<BoardDeps, 'store' | 'clientFor' | 'log'> {
  now: () => number;
  watches: Map<string, WatchState>;
  /** Start reading a watch. */
  run(watch: Watch): void;
  /** A watch no longer lists a call (its card ends when no watch of the channel does). */
  release(teamId: string, channelId: string, phoneCallId: string, key: string): Promise<void>;
  resumeChannel(teamId: string, channelId: string): Promise<boolean>;
  /** False while another replica runs the board: watches are stored, not read. */
  active(): boolean;
  /** The PhoneCallEvents URL for a watch's secret; undefined: polling only. */
  eventsUrl(secret: string): string | undefined;
  output(): BoardOutput | undefined;
}

export class WatchChanges {
  constructor(private readonly deps: WatchChangeDeps) {}

  /**
   * Watch an extension from a channel as `owner`: the first read and the event
   * registration are made with the owner's token; if VoipNow refuses, this
   * throws and nothing is stored. Watching again (e.g. after a pause) takes over.
   */
  async watch(owner: { teamId: string; userId: string }, channelId: string, extension: string): Promise<{ events: boolean; again: boolean }> {
    const client = await this.deps.clientFor(owner);
    await client.listPhoneCalls({ extension, count: 1 });
    // A watch is set where the bot can post (checked by the front end): a paused board there resumes.
    await this.deps.resumeChannel(owner.teamId, channelId);
    const key = keyOf(owner.teamId, channelId, extension);
    const previous = this.deps.watches.get(key)?.watch ?? (await this.deps.store.listWatchesForChannel(owner.teamId, channelId)).find((w) => w.extension === extension);
    const secret = previous?.secret ?? randomBytes(18).toString('base64url');
    let eventIds: string[] | undefined;
    const url = this.deps.eventsUrl(secret);
    if (url) eventIds = await registerEvents(client, extension, url, eventNote(owner.teamId, channelId));
    const watch: Watch = {
      teamId: owner.teamId,
      channelId,
      extension,
      createdBy: owner.userId,
      createdAt: previous?.createdAt ?? new Date(this.deps.now()),
      secret,
      ...(eventIds && { eventIds }),
    };
    if (previous) {
      await this.deps.store.removeWatch(owner.teamId, channelId, extension);
      this.deps.watches.get(key)?.poller.stop();
      this.deps.watches.delete(key);
    }
    await this.deps.store.addWatch(watch);
    if (this.deps.active()) this.deps.run(watch);
    return { events: Boolean(eventIds), again: Boolean(previous) };
  }

  /**
   * Stop watching; removes the PhoneCallEvents this watch registered (as its owner, or as
   * `actingUserId` when the owner's link no longer works).
   */
  async unwatch(teamId: string, channelId: string, extension: string, actingUserId?: string): Promise<boolean> {
    const key = keyOf(teamId, channelId, extension);
    const w = this.deps.watches.get(key)?.watch ?? (await this.deps.store.listWatchesForChannel(teamId, channelId)).find((x) => x.extension === extension);
    if (!w) return false;
    const state = this.deps.watches.get(key);
    state?.poller.stop();
    await state?.poller.settled();
    this.deps.watches.delete(key);
    if (w.eventIds?.length) {
      const users = [...new Set([w.createdBy, ...(actingUserId ? [actingUserId] : [])])];
      for (const userId of users) {
        try {
          await unregisterEvents(await this.deps.clientFor({ teamId, userId }), extension, w.eventIds);
          break;
        } catch (err) {
          this.deps.log?.('could not remove the PhoneCallEvents of a watch', { extension, as: userId, error: err instanceof Error ? err.message : String(err) });
        }
      }
    }
    await this.deps.store.removeWatch(teamId, channelId, extension);
    for (const id of state?.seen ?? []) await this.deps.release(teamId, channelId, id, key);
    return true;
  }

  /**
   * The owner linked VoipNow again: their paused watches read again, and each
   * channel is told once which ones resumed. Returns how many resumed.
   */
  async resumeOwner(owner: { teamId: string; userId: string }): Promise<number> {
    const paused = [...this.deps.watches.values()].filter((s) => s.watch.teamId === owner.teamId && s.watch.createdBy === owner.userId && s.watch.pausedAt);
    const byChannel = new Map<string, Watch[]>();
    for (const s of paused) {
      const { pausedAt: _, ...resumed } = s.watch;
      s.poller.stop();
      await this.deps.store.updateWatch(resumed);
      this.deps.run(resumed);
      byChannel.set(resumed.channelId, [...(byChannel.get(resumed.channelId) ?? []), resumed]);
    }
    for (const [channelId, list] of byChannel) {
      const names = list.map((w) => `\`${w.extension}\``).join(', ');
      this.deps.output()?.notice(owner.teamId, channelId, `:arrow_forward: Resumed watching ${names}: <@${owner.userId}> linked VoipNow again.`);
    }
    return paused.length;
  }
}
