/**
 * Where the time of an event-announced board change goes, stage by stage: the
 * PhoneCallEvent received, the read that first saw the change started and done,
 * the change stored (outbox transaction), the card write queued in the writer,
 * sent to Slack, and accepted by the (rate-limiting) recording Slack API.
 *
 * Bench-only: it wraps the running stack's objects from outside (nothing in src
 * knows of it) and matches each PBX change to the first moment each stage shows
 * that call in that state (or, for ended, the first moment it is stored ended).
 */
import type { Stack } from '../test/helpers/stack.js';
import type { PhoneCall } from '../src/uapi/schemas.js';
import type { CallSnapshot, BoardState } from '../src/board/snapshot.js';
import { snapshotOf } from '../src/board/snapshot.js';
import type { BoardChange } from '../src/store/outbox.js';

interface Read {
  extension: string;
  start: number;
  done: number;
  states: Map<string, BoardState>;
}
interface Seen {
  id: string;
  state: BoardState;
  at: number;
}

export interface TracedChange {
  id: string;
  state: BoardState;
  at: number;
  /** Extensions the call's views were on (before it ended). */
  extensions: string[];
}

const EMOJI: Record<string, BoardState> = { ':bell:': 'ringing', ':large_green_circle:': 'on call', ':double_vertical_bar:': 'on hold', ':parking:': 'parked', ':no_entry_sign:': 'ended' };

/** The card state in a card write's blocks (its headline's emoji), if it is a card. */
function cardOf(body: { blocks?: unknown }): { id: string; state: BoardState } | undefined {
  for (const b of (body.blocks ?? []) as Array<{ block_id?: string; text?: { text?: string } }>) {
    const head = /^(\w+)\.head$/.exec(b.block_id ?? '');
    const emoji = head && /^(:[a-z_]+:)/.exec(b.text?.text ?? '')?.[1];
    if (head && emoji && EMOJI[emoji]) return { id: head[1]!, state: EMOJI[emoji]! };
  }
  return undefined;
}

type Anything = Record<string, unknown>;

export function boardTrace(stack: Stack, channelId: string) {
  const events: Array<{ extension: string; at: number }> = [];
  const reads: Read[] = [];
  const stored: Seen[] = [];
  const queued: Seen[] = [];
  const sent: Seen[] = [];
  const board = stack.slack.board.board as unknown as Anything;
  const watches = (board.readers as { watches: Map<string, { watch: { secret: string; extension: string; channelId: string }; poller: Anything }> }).watches;
  const bySecret = new Map<string, string>();
  for (const w of watches.values()) {
    bySecret.set(w.watch.secret, w.watch.extension);
    const hooks = w.poller.hooks as { read: () => Promise<PhoneCall[]> };
    const read = hooks.read.bind(hooks);
    hooks.read = async () => {
      const start = Date.now();
      const items = await read();
      reads.push({ extension: w.watch.extension, start, done: Date.now(), states: new Map(items.map((c) => [c.id, snapshotOf(c, w.watch.extension).state])) });
      return items;
    };
  }
  const eventArrived = stack.slack.board.board.eventArrived.bind(stack.slack.board.board);
  stack.slack.board.board.eventArrived = (secret: string) => {
    const extension = bySecret.get(secret);
    if (extension) events.push({ extension, at: Date.now() });
    return eventArrived(secret);
  };
  const outbox = stack.store.outbox as unknown as { commitBoardChange: (c: BoardChange, f?: unknown) => Promise<Map<string, number> | undefined> };
  const commit = outbox.commitBoardChange.bind(outbox);
  outbox.commitBoardChange = async (c, f) => {
    const res = await commit(c, f);
    if (c.card && c.card.channelId === channelId) stored.push({ id: c.card.phoneCallId, state: (JSON.parse(c.card.state) as CallSnapshot).state, at: Date.now() });
    return res;
  };
  const writer = stack.slack.board.writer;
  const card = writer.card.bind(writer);
  writer.card = (ref, snapshot, ts, intent) => {
    if (ref.channelId === channelId) queued.push({ id: ref.phoneCallId, state: snapshot.state, at: Date.now() });
    card(ref, snapshot, ts, intent);
  };
  const chat = stack.slack.board.client.chat as unknown as Record<'update' | 'postMessage', (a: Anything) => Promise<unknown>>;
  for (const m of ['update', 'postMessage'] as const) {
    const orig = chat[m].bind(chat);
    chat[m] = (args: Anything) => {
      const c = args.channel === channelId && !args.thread_ts ? cardOf(args) : undefined;
      if (c) sent.push({ ...c, at: Date.now() });
      return orig(args);
    };
  }

  // The calls' extensions, from the PBX's own change log.
  const extensionsOf = new Map<string, string[]>();
  const unsubscribe = stack.sandbox.changes.subscribe((c) => {
    const exts = c.detail
      .split('; ')
      .map((v) => v.split(' ')[1])
      .filter((e): e is string => Boolean(e));
    if (exts.length) extensionsOf.set(c.callId, [...new Set([...(extensionsOf.get(c.callId) ?? []), ...exts])]);
  });

  const first = (list: Seen[], id: string, state: BoardState, after: number) => list.find((s) => s.id === id && s.state === state && s.at >= after)?.at;

  /** Per stage, the delays (ms) from the PBX change, for the given changes. */
  function stages(changes: Array<{ id: string; state: BoardState; at: number }>) {
    const rows: Array<Record<string, number | undefined>> = [];
    for (const c of changes) {
      const exts = extensionsOf.get(c.id) ?? [];
      const event = events.find((e) => e.at >= c.at - 20 && e.at <= c.at + 5000 && exts.includes(e.extension))?.at;
      const storedAt = first(stored, c.id, c.state, c.at - 20);
      // The read that saw it: for a live state the first read done after the change that lists it so;
      // for ended the last read done before it was stored (the last watch holding it let go).
      const read =
        c.state === 'ended'
          ? reads.filter((r) => r.done >= c.at && storedAt !== undefined && r.done <= storedAt && !r.states.has(c.id) && exts.includes(r.extension)).at(-1)
          : reads.find((r) => r.done >= c.at && r.states.get(c.id) === c.state);
      const accepted = stack.api.calls.find(
        (a) => !a.rateLimited && a.at >= c.at && a.body.channel === channelId && !a.body.thread_ts && cardOf(a.body)?.id === c.id && cardOf(a.body)?.state === c.state,
      )?.at;
      rows.push({
        event,
        readStart: read?.start,
        readDone: read?.done,
        stored: storedAt,
        queued: first(queued, c.id, c.state, c.at - 20),
        sent: first(sent, c.id, c.state, c.at - 20),
        accepted,
        change: c.at,
      });
    }
    return rows;
  }

  return {
    stop: unsubscribe,
    /** The slowest changes, stage by stage (ms after the change), with the reads of their extensions around them. */
    worst(changes: Array<{ id: string; state: BoardState; at: number }>, n: number): string[] {
      const rows = stages(changes).map((r, i) => ({ r, c: changes[i]! }));
      rows.sort((a, b) => (b.r.accepted ?? Infinity) - b.r.change! - ((a.r.accepted ?? Infinity) - a.r.change!));
      return rows.slice(0, n).flatMap(({ r, c }) => {
        const rel = (x: number | undefined) => (x === undefined ? '-' : String(x - c.at));
        const exts = extensionsOf.get(c.id) ?? [];
        const near = reads.filter((x) => exts.includes(x.extension) && x.start >= c.at - 1500 && x.start <= c.at + 1500).map((x) => `${x.extension}@${x.start - c.at}+${x.done - x.start}`);
        const evs = events.filter((e) => e.at >= c.at - 1500 && e.at <= c.at + 1500).map((e) => `${e.extension}@${e.at - c.at}`);
        return [
          `      ${c.id} ${c.state}: ${['event', 'readStart', 'readDone', 'stored', 'queued', 'sent', 'accepted'].map((k) => `${k} ${rel(r[k])}`).join(' ')}; events ${evs.join(' ')}; reads ${near.join(' ')}`,
        ];
      });
    },
    /** Lines saying, per stage, p50/p95 of the time from the previous stage and of the time since the PBX change. */
    report(changes: Array<{ id: string; state: BoardState; at: number }>, label: string): string[] {
      const rows = stages(changes);
      const names = ['event', 'readStart', 'readDone', 'stored', 'queued', 'sent', 'accepted'] as const;
      const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN);
      const out = [`    where the time goes, ${label} (${rows.length} changes; ms, p50/p95 of the step and of the total since the PBX change):`];
      let prev: string = 'change';
      for (const n of names) {
        const step: number[] = [];
        const total: number[] = [];
        for (const r of rows) {
          if (r[n] === undefined) continue;
          total.push(r[n]! - r.change!);
          // The step from the latest earlier stage this change has.
          const before = [...names.slice(0, names.indexOf(n)).reverse()].map((x) => r[x]).find((x) => x !== undefined) ?? r.change!;
          step.push(r[n]! - before);
        }
        out.push(
          `      ${(prev === 'change' ? 'change' : prev).padStart(9)} → ${n.padEnd(9)} n ${String(step.length).padStart(4)}  step ${pct(step, 50).toFixed(0).padStart(5)} / ${pct(step, 95).toFixed(0).padStart(5)}  total ${pct(total, 50).toFixed(0).padStart(5)} / ${pct(total, 95).toFixed(0).padStart(5)}`,
        );
        prev = n;
      }
      return out;
    },
  };
}
