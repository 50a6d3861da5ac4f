/**
 * The outbox over either SQL store: a board change and its intents go in one transaction (the
 * store's `batch`), fenced by the board holder's lease epoch like every board write.
 */
import { type BoardChange, type CommittedChange, type Delivery, drawnMessage, type NewIntent, type OutboxIntent, type OutboxStore } from './outbox.js';
import type { OutboxStatements } from './outbox-statements.js';
import { date, optStr, type Row, str } from './rows.js';
import type { BoardFence } from './records.js';
import { boardChangeStatement } from './pg-board-change.js';

export type OutboxParam = string | number | Date | null;

/** One statement of a transaction; `expect` false rolls the whole transaction back. */
export interface BatchStep {
  sql: string;
  params: readonly OutboxParam[];
  expect?: (rows: Row[], changes: number) => boolean;
}

/** What a SQL store gives the outbox. */
export interface OutboxSql {
  statements: OutboxStatements;
  /** Runs the steps in one transaction; undefined (rolled back) when a step's `expect` failed. */
  batch(steps: readonly BatchStep[]): Promise<Array<{ rows: Row[]; changes: number }> | undefined>;
  query(sql: string, params: readonly OutboxParam[]): Promise<{ rows: Row[]; changes: number }>;
  /** The dialect's timestamp encoding (validated). */
  ts(d: Date, what: string): OutboxParam;
  /** PostgreSQL: a board change goes as one statement (pg-board-change.ts), not a transaction of many. */
  readonly oneStatement?: boolean;
}

function toIntent(row: Row): OutboxIntent {
  const i: OutboxIntent = {
    key: str(row, 'intent_key'),
    teamId: str(row, 'team_id'),
    channelId: str(row, 'channel_id'),
    phoneCallId: str(row, 'phone_call_id'),
    kind: str(row, 'kind') as OutboxIntent['kind'],
    seq: Number(row.seq),
    payload: str(row, 'payload'),
    createdAt: date(row, 'created_at'),
    version: Number(row.version),
  };
  if (row.attempted_at !== null && row.attempted_at !== undefined) i.attemptedAt = date(row, 'attempted_at');
  if (row.delivered_at !== null && row.delivered_at !== undefined) i.deliveredAt = date(row, 'delivered_at');
  const ts = optStr(row, 'message_ts');
  if (ts !== undefined) i.messageTs = ts;
  return i;
}

export class SqlOutbox implements OutboxStore {
  constructor(private readonly sql: OutboxSql) {}

  async commitBoardChange(change: BoardChange, fence?: BoardFence): Promise<CommittedChange | undefined> {
    if (this.sql.oneStatement) return this.#commitAtOnce(change, fence);
    const s = this.sql.statements;
    const ts = (d: Date, what: string) => this.sql.ts(d, what);
    const steps: BatchStep[] = [];
    if (fence) steps.push({ sql: s.readFence, params: [fence.key], expect: (rows) => !rows.some((r) => Number(r.epoch) > fence.epoch) });
    const c = change.card;
    if (c) {
      steps.push({ sql: s.upsertCard, params: [c.teamId, c.channelId, c.phoneCallId, c.messageTs ?? null, c.extension, c.state, c.ended ? 1 : 0, ts(c.updatedAt, 'updatedAt')] });
    }
    if (change.memory) {
      const ref = c ?? change.intents[0] ?? change.audit?.[0];
      if (!ref) throw new TypeError('Outbox: a memory needs a card, an intent or an audit entry naming its card');
      steps.push({
        sql: s.updateMemory,
        params: [
          change.memory.alerts ?? null,
          change.memory.legHints ?? null,
          change.memory.actedAt ? ts(change.memory.actedAt, 'actedAt') : null,
          ref.teamId,
          ref.channelId,
          ref.phoneCallId,
        ],
      });
    }
    for (const e of change.audit ?? []) steps.push({ sql: s.upsertAudit, params: [e.teamId, e.channelId, e.phoneCallId, e.seq, ts(e.at, 'at'), e.text] });
    const drawn = drawnMessage(change);
    if (drawn) steps.push({ sql: s.bumpCardVersion, params: [drawn.channelId, drawn.messageTs, drawn.shows, ts(drawn.at, 'updatedAt')] });
    const first = steps.length;
    for (const i of change.intents) steps.push({ sql: s.upsertIntent, params: this.#intentParams(i) });
    const results = await this.sql.batch(steps);
    if (!results) return undefined;
    const versions: CommittedChange = new Map<string, number>();
    for (const [n, i] of change.intents.entries()) versions.set(i.key, Number(results[first + n]?.rows[0]?.version ?? 1));
    if (drawn) versions.cardVersion = Number(results[first - 1]?.rows[0]?.version ?? 1);
    return versions;
  }

  async #commitAtOnce(change: BoardChange, fence: BoardFence | undefined): Promise<CommittedChange | undefined> {
    const { sql, params } = boardChangeStatement(change, fence, (d, what) => this.sql.ts(d, what));
    const { rows } = await this.sql.query(sql, params);
    if (!rows[0]?.ok) return undefined;
    const versions: CommittedChange = new Map<string, number>();
    for (const r of rows) if (typeof r.intent_key === 'string') versions.set(r.intent_key, Number(r.version ?? 1));
    if (rows[0].card_version !== null && rows[0].card_version !== undefined) versions.cardVersion = Number(rows[0].card_version);
    return versions;
  }

  #intentParams(i: NewIntent): OutboxParam[] {
    return [i.key, i.teamId, i.channelId, i.phoneCallId, i.kind, i.seq, i.payload, this.sql.ts(i.createdAt, 'createdAt')];
  }

  async pendingIntents(): Promise<OutboxIntent[]> {
    return (await this.sql.query(this.sql.statements.pending, [])).rows.map(toIntent);
  }

  async getIntent(key: string): Promise<OutboxIntent | undefined> {
    const row = (await this.sql.query(this.sql.statements.get, [key])).rows[0];
    return row ? toIntent(row) : undefined;
  }

  async markAttempted(keys: readonly string[], at: Date): Promise<void> {
    if (keys.length === 0) return;
    const when = this.sql.ts(at, 'at');
    // One key (a note's touch, a post's attempt) is one statement, not a transaction of one.
    if (keys.length === 1) {
      await this.sql.query(this.sql.statements.markAttempted, [when, keys[0]!]);
      return;
    }
    await this.sql.batch(keys.map((key) => ({ sql: this.sql.statements.markAttempted, params: [when, key] })));
  }

  async recordDelivery(d: Delivery): Promise<boolean> {
    const s = this.sql.statements;
    const intent = d.messageTs === undefined ? undefined : await this.getIntent(d.key);
    const steps: BatchStep[] = [];
    if (d.messageTs !== undefined) {
      steps.push({ sql: s.recordTs, params: [d.messageTs, d.key] });
      if (intent?.kind === 'card') steps.push({ sql: s.recordCardTs, params: [d.messageTs, intent.teamId, intent.channelId, intent.phoneCallId] });
    }
    const delivered = steps.length;
    steps.push({ sql: s.markDelivered, params: [this.sql.ts(d.at, 'at'), d.key, d.version] });
    steps.push({ sql: s.dropDelivered, params: [d.key, d.version] });
    const results = await this.sql.batch(steps);
    return (results?.[delivered]?.changes ?? 0) > 0;
  }

  async dropNote(key: string): Promise<void> {
    await this.sql.query(this.sql.statements.dropNote, [key]);
  }
}
