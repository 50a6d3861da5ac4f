/**
 * Floods at the PhoneCallEvents receiver, through real HTTP requests to the app:
 * a known secret's flood costs a few PBX reads (one in flight, one queued per
 * extension), and a flood of unknown secrets a few store queries.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers/stack.js';
import { waitUntil } from './helpers/wait.js';
import { boardDriver } from './helpers/board-driver.js';
import { SqliteStore, type Store, TokenCipher } from '../src/store/index.js';

const CH = 'CFLOOD';
let s: Stack;
afterEach(async () => {
  await s?.close();
});
const { command, reply } = boardDriver(() => s, CH);
const form = 'CallID=abc&CallStatus=CALLING&CalledExtension=0003*025';

/** `n` events to one path, `width` at a time; resolves with the statuses seen. */
async function flood(path: string, n: number, width = 50): Promise<Map<number, number>> {
  const statuses = new Map<number, number>();
  for (let sent = 0; sent < n; sent += width) {
    const batch = Array.from({ length: Math.min(width, n - sent) }, () =>
      fetch(`${s.base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      }),
    );
    for (const st of await Promise.all(batch)) statuses.set(st, (statuses.get(st) ?? 0) + 1);
  }
  return statuses;
}

/** A real SQLite store that counts the secret look-ups the receiver makes. */
function countingStore(): { store: Store; lookups: () => number } {
  const real = new SqliteStore({ file: ':memory:', cipher: TokenCipher.fromKey(randomBytes(32).toString('hex')) });
  let n = 0;
  const store = new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop === 'findWatchBySecret') {
        return (secret: string) => {
          n++;
          return real.findWatchBySecret(secret);
        };
      }
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { store, lookups: () => n };
}

describe('event floods', () => {
  it('1,000 events for one watch cost a few PBX reads, not one each', async () => {
    s = await startStack({ boardEvents: true, board: { timing: { liveMs: 60_000, idleMs: 60_000, maxBackoffMs: 60_000, eventGapMs: 1000 } } });
    await s.link('UC', '14', '0003*025');
    await command('UC', 'watch 0003*025');
    await reply('UC', /Watching/);
    const [watch] = await s.store.listWatchesForChannel('T1', CH);
    await s.slack.board.board.settled();
    await s.slack.idle();
    const reads = () => s.sandbox.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/uapi/phoneCalls/')).length;
    const before = reads();
    const started = performance.now();
    const statuses = await flood(`/voipnow/events/${watch!.secret}`, 1000);
    const seconds = (performance.now() - started) / 1000;
    expect(statuses.get(204)).toBe(1000);
    await waitUntil('the last event was read', () => reads() > before);
    await s.slack.board.board.settled();
    // One read at the first event, then at most one a second (the event gap), plus the one queued at the end.
    expect(reads() - before).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
  });

  it('a flood of one unknown secret costs one store query, and a watch made afterwards still gets its events', async () => {
    const counting = countingStore();
    s = await startStack({ boardEvents: true, store: counting.store, board: { timing: { liveMs: 60_000, idleMs: 60_000, maxBackoffMs: 60_000 } } });
    const stranger = 'x'.repeat(32);
    const statuses = await flood(`/voipnow/events/${stranger}`, 500);
    expect(statuses.get(404)).toBe(500);
    expect(counting.lookups()).toBe(1);

    await s.link('UC', '14', '0003*025');
    await command('UC', 'watch 0003*025');
    await reply('UC', /Watching/);
    const [watch] = await s.store.listWatchesForChannel('T1', CH);
    expect((await flood(`/voipnow/events/${watch!.secret}`, 1)).get(204)).toBe(1);
  });
});
