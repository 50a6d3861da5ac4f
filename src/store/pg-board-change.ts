/**
 * A board change on PostgreSQL as one statement (one round trip instead of a transaction's
 * BEGIN, a statement per row and COMMIT): each write is a data-modifying CTE, all of them gated
 * on the fence (a newer board holder's epoch writes nothing), atomic as any single statement.
 * The card's memory goes into the card's own upsert (one statement must not touch a row twice).
 * A posted card's new state is drawn at its next version in the same statement. The rows
 * written are exactly those of the step-by-step transaction (sql-outbox.ts).
 */
import { type BoardChange, drawnMessage } from './outbox.js';
import type { BoardFence } from './records.js';

type OutboxParam = string | number | Date | null;

export interface OneStatement {
  sql: string;
  params: OutboxParam[];
}

export function boardChangeStatement(change: BoardChange, fence: BoardFence | undefined, ts: (d: Date, what: string) => OutboxParam): OneStatement {
  const params: OutboxParam[] = [];
  const p = (v: OutboxParam, type: 'text' | 'int' | 'timestamptz') => {
    params.push(v);
    return `$${params.length}::${type}`;
  };
  const ctes: string[] = [];
  if (fence) {
    ctes.push(`fence AS (SELECT epoch FROM board_fences WHERE fence_key = ${p(fence.key, 'text')} FOR SHARE)`);
    ctes.push(`go AS (SELECT NOT EXISTS (SELECT 1 FROM fence WHERE epoch > ${p(fence.epoch, 'int')}) AS ok)`);
  } else {
    ctes.push('go AS (SELECT true AS ok)');
  }
  const c = change.card;
  const m = change.memory;
  const actedAt = (memory: NonNullable<BoardChange['memory']>) => (memory.actedAt ? ts(memory.actedAt, 'actedAt') : null);
  if (c) {
    const memoryCols = m ? ', alerts, leg_hints, acted_at' : '';
    const memoryVals = m ? `, ${p(m.alerts ?? null, 'text')}, ${p(m.legHints ?? null, 'text')}, ${p(actedAt(m), 'timestamptz')}` : '';
    const memorySet = m ? ', alerts = excluded.alerts, leg_hints = excluded.leg_hints, acted_at = excluded.acted_at' : '';
    ctes.push(
      `card AS (INSERT INTO board_cards (team_id, channel_id, phone_call_id, message_ts, extension, state, ended, updated_at${memoryCols})
      SELECT ${p(c.teamId, 'text')}, ${p(c.channelId, 'text')}, ${p(c.phoneCallId, 'text')}, ${p(c.messageTs ?? null, 'text')}, ${p(c.extension, 'text')}, ${p(c.state, 'text')},
        ${p(c.ended ? 1 : 0, 'int')}, ${p(ts(c.updatedAt, 'updatedAt'), 'timestamptz')}${memoryVals} FROM go WHERE go.ok
      ON CONFLICT (team_id, channel_id, phone_call_id) DO UPDATE SET
        message_ts = COALESCE(excluded.message_ts, board_cards.message_ts), extension = excluded.extension, state = excluded.state,
        ended = excluded.ended, updated_at = excluded.updated_at${memorySet})`,
    );
  } else if (m) {
    const ref = change.intents[0] ?? change.audit?.[0];
    if (!ref) throw new TypeError('Outbox: a memory needs a card, an intent or an audit entry naming its card');
    ctes.push(
      `memory AS (UPDATE board_cards SET alerts = ${p(m.alerts ?? null, 'text')}, leg_hints = ${p(m.legHints ?? null, 'text')}, acted_at = ${p(actedAt(m), 'timestamptz')}
      WHERE team_id = ${p(ref.teamId, 'text')} AND channel_id = ${p(ref.channelId, 'text')} AND phone_call_id = ${p(ref.phoneCallId, 'text')} AND (SELECT ok FROM go))`,
    );
  }
  for (const [n, e] of (change.audit ?? []).entries()) {
    ctes.push(
      `audit${n} AS (INSERT INTO audit_entries (team_id, channel_id, phone_call_id, seq, at, text)
      SELECT ${p(e.teamId, 'text')}, ${p(e.channelId, 'text')}, ${p(e.phoneCallId, 'text')}, ${p(e.seq, 'int')}, ${p(ts(e.at, 'at'), 'timestamptz')}, ${p(e.text, 'text')} FROM go WHERE go.ok
      ON CONFLICT (team_id, channel_id, phone_call_id, seq) DO UPDATE SET at = excluded.at, text = excluded.text)`,
    );
  }
  const drawn = drawnMessage(change);
  if (drawn) {
    ctes.push(
      `drawn AS (INSERT INTO card_versions (channel_id, message_ts, version, shows, updated_at)
      SELECT ${p(drawn.channelId, 'text')}, ${p(drawn.messageTs, 'text')}, 1, ${p(drawn.shows, 'text')}, ${p(ts(drawn.at, 'updatedAt'), 'timestamptz')} FROM go WHERE go.ok
      ON CONFLICT (channel_id, message_ts) DO UPDATE SET version = card_versions.version + 1, shows = excluded.shows, updated_at = excluded.updated_at
      RETURNING version)`,
    );
  }
  const intents = change.intents.map((i, n) => {
    ctes.push(
      `intent${n} AS (INSERT INTO board_outbox (intent_key, team_id, channel_id, phone_call_id, kind, seq, payload, created_at, version)
      SELECT ${p(i.key, 'text')}, ${p(i.teamId, 'text')}, ${p(i.channelId, 'text')}, ${p(i.phoneCallId, 'text')}, ${p(i.kind, 'text')}, ${p(i.seq, 'int')}, ${p(i.payload, 'text')},
        ${p(ts(i.createdAt, 'createdAt'), 'timestamptz')}, 1 FROM go WHERE go.ok
      ON CONFLICT (intent_key) DO UPDATE SET payload = excluded.payload, version = board_outbox.version + 1, delivered_at = NULL
      RETURNING intent_key, version)`,
    );
    return `SELECT intent_key, version FROM intent${n}`;
  });
  // One row at least (the fence's answer), then one per intent written with its version; the card's version on each.
  const versions = intents.length ? ` LEFT JOIN (${intents.join(' UNION ALL ')}) v ON true` : '';
  const cardVersion = drawn ? ', (SELECT version FROM drawn) AS card_version' : '';
  const select = intents.length ? `SELECT go.ok, v.intent_key, v.version${cardVersion} FROM go` : `SELECT go.ok${cardVersion} FROM go`;
  return { sql: `WITH ${ctes.join(',\n')}\n${select}${versions}`, params };
}
