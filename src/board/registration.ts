/**
 * PhoneCallEvents of a watch: on watch, one event of each type (dial-in,
 * dial-out, hangup, answer in/out), POST, to the watch's receiver URL; on
 * unwatch, exactly those are removed. callops recognises its own events by
 * their note, so watching again never piles up duplicates and stale ones
 * (an older secret) are replaced.
 */
import type { UapiClient } from '../uapi/client.js';
import { UapiError } from '../uapi/errors.js';

export const EVENT_TYPES = [0, 1, 2, 3, 4] as const;

export function eventNote(teamId: string, channelId: string): string {
  return `callops board ${teamId}/${channelId}`;
}

/** Registers the events; returns their ids as "type:id". */
export async function registerEvents(client: UapiClient, extension: string, url: string, note: string): Promise<string[]> {
  const existing = await client.listPhoneCallEvents({ extension });
  const kept = new Map<number, string>();
  for (const e of existing) {
    if (e.note !== note) continue;
    const type = e.type ?? -1;
    if (e.url === url && e.method === 1 && e.status !== 0 && !kept.has(type)) {
      kept.set(type, e.id);
      continue;
    }
    await client.deletePhoneCallEvents({ extension, eventType: type, eventId: e.id });
  }
  const added: string[] = [];
  try {
    for (const type of EVENT_TYPES) {
      if (kept.has(type)) continue;
      const event = await client.addPhoneCallEvent({ extension }, { type, url, method: 1, note, status: 1 });
      if (event?.id) {
        kept.set(type, event.id);
        added.push(`${type}:${event.id}`);
      }
    }
  } catch (err) {
    // Refused half way: take back what was added, so a refused watch leaves nothing behind.
    await unregisterEvents(client, extension, added).catch(() => undefined);
    throw err;
  }
  return [...kept].map(([type, id]) => `${type}:${id}`);
}

/** Removes the events a watch registered; ones already gone are fine. */
export async function unregisterEvents(client: UapiClient, extension: string, ids: readonly string[]): Promise<void> {
  for (const typed of ids) {
    const [type, id] = typed.split(':');
    if (type === undefined || !id) continue;
    try {
      await client.deletePhoneCallEvents({ extension, eventType: Number(type), eventId: id });
    } catch (err) {
      if (err instanceof UapiError && /invalid|not.?found/i.test(err.code ?? '')) continue;
      throw err;
    }
  }
}
