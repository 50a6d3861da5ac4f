/**
 * Writes to one Slack message happen in order, and a transient state (the
 * "working…" note) never ends up on top of a final one (the action's result).
 *
 * Final writes to a message are chained: each starts after the previous one
 * settled. Transient writes are not waited for by anyone (a rate-limited note
 * must not hold up the action or its result); when one lands after a final
 * write was asked for, the latest final write is applied again, so the final
 * state always wins.
 *
 * A message's entry lives only while it has writes under way: it goes when the last
 * one settles (succeeded or failed), so the map holds the messages being written now,
 * never every message ever written.
 */
type Write = () => Promise<void>;

interface Slot {
  tail: Promise<void>;
  /** Final writes asked for so far. */
  finals: number;
  /** The latest final write, to re-apply over a late transient one. */
  latest?: Write;
  /** Writes not settled yet (transient and final). */
  busy: number;
}

/** Runs a write; one that throws before returning a promise settles like one that rejects. */
function started(write: Write): Promise<void> {
  try {
    return write();
  } catch (err) {
    return Promise.reject(err);
  }
}

export class OrderedWrites {
  private readonly slots = new Map<string, Slot>();

  /** A final state: applied after every earlier final write of the same message. */
  final(key: string, write: Write): Promise<void> {
    const slot = this.slot(key);
    slot.finals++;
    slot.latest = write;
    slot.busy++;
    const run = slot.tail.then(write);
    slot.tail = run.catch(() => undefined);
    return run.finally(() => this.release(key, slot));
  }

  /** A transient state: sent at once; if a final write was asked for meanwhile, that one is re-applied after it. */
  transient(key: string, write: Write): Promise<void> {
    const slot = this.slot(key);
    const finalsBefore = slot.finals;
    slot.busy++;
    return started(write).finally(() => {
      const latest = slot.latest;
      const superseded = slot.finals > finalsBefore && latest !== undefined;
      this.release(key, slot);
      if (superseded) return this.final(key, latest).catch(() => undefined);
      return undefined;
    });
  }

  /** Messages with writes under way (for tests and shutdown). */
  get size(): number {
    return this.slots.size;
  }

  private slot(key: string): Slot {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { tail: Promise.resolve(), finals: 0, busy: 0 };
      this.slots.set(key, slot);
    }
    return slot;
  }

  private release(key: string, slot: Slot): void {
    slot.busy--;
    if (slot.busy === 0 && this.slots.get(key) === slot) this.slots.delete(key);
  }
}
