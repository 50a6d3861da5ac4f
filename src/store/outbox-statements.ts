/**
 * The outbox's SQL, written once with `?` placeholders; PostgreSQL gets `$n` and the casts an
 * INSERT ... SELECT needs there. Column names are the board_outbox columns (schema.ts, version 7).
 */
export interface OutboxStatements {
  /** (fence_key) → the fence's epoch row, if any (PostgreSQL: locked for the transaction, so a raise waits for it) */
  readFence: string;
  /** (team_id, channel_id, phone_call_id, message_ts, extension, state, ended, updated_at); upsert keeping a known message_ts */
  upsertCard: string;
  /** (alerts, leg_hints, acted_at, team_id, channel_id, phone_call_id) */
  updateMemory: string;
  /** (team_id, channel_id, phone_call_id, seq, at, text); upsert */
  upsertAudit: string;
  /** (intent_key, team_id, channel_id, phone_call_id, kind, seq, payload, created_at); upsert: pending again, version + 1; RETURNING version */
  upsertIntent: string;
  /** (channel_id, message_ts, shows, updated_at); the card's next version (1 for a new card); RETURNING version */
  bumpCardVersion: string;
  /** () → pending rows, oldest first */
  pending: string;
  /** (intent_key) → a row */
  get: string;
  /** (attempted_at, intent_key) */
  markAttempted: string;
  /** (message_ts, intent_key): the ts is kept once known */
  recordTs: string;
  /** (message_ts, team_id, channel_id, phone_call_id): the card's message, when it had none */
  recordCardTs: string;
  /** (delivered_at, intent_key, version): changes 1 when version is still the latest */
  markDelivered: string;
  /** (intent_key, version): a delivered line or alert, or a delivered card intent whose card has ended */
  dropDelivered: string;
  /** (intent_key): a press's note, its press done */
  dropNote: string;
}

const SQL: OutboxStatements = {
  readFence: `SELECT epoch FROM board_fences WHERE fence_key = ?`,
  upsertCard: `INSERT INTO board_cards (team_id, channel_id, phone_call_id, message_ts, extension, state, ended, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (team_id, channel_id, phone_call_id) DO UPDATE SET
      message_ts = COALESCE(excluded.message_ts, board_cards.message_ts), extension = excluded.extension, state = excluded.state,
      ended = excluded.ended, updated_at = excluded.updated_at`,
  updateMemory: `UPDATE board_cards SET alerts = ?, leg_hints = ?, acted_at = ? WHERE team_id = ? AND channel_id = ? AND phone_call_id = ?`,
  upsertAudit: `INSERT INTO audit_entries (team_id, channel_id, phone_call_id, seq, at, text) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (team_id, channel_id, phone_call_id, seq) DO UPDATE SET at = excluded.at, text = excluded.text`,
  upsertIntent: `INSERT INTO board_outbox (intent_key, team_id, channel_id, phone_call_id, kind, seq, payload, created_at, version)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
    ON CONFLICT (intent_key) DO UPDATE SET payload = excluded.payload, version = board_outbox.version + 1, delivered_at = NULL
    RETURNING version`,
  bumpCardVersion: `INSERT INTO card_versions (channel_id, message_ts, version, shows, updated_at) VALUES (?, ?, 1, ?, ?)
    ON CONFLICT (channel_id, message_ts) DO UPDATE SET
      version = card_versions.version + 1, shows = excluded.shows, updated_at = excluded.updated_at
    RETURNING version`,
  pending: `SELECT * FROM board_outbox WHERE delivered_at IS NULL ORDER BY created_at, seq, intent_key`,
  get: `SELECT * FROM board_outbox WHERE intent_key = ?`,
  markAttempted: `UPDATE board_outbox SET attempted_at = ? WHERE intent_key = ?`,
  recordTs: `UPDATE board_outbox SET message_ts = ? WHERE intent_key = ?`,
  recordCardTs: `UPDATE board_cards SET message_ts = ? WHERE team_id = ? AND channel_id = ? AND phone_call_id = ? AND message_ts IS NULL`,
  markDelivered: `UPDATE board_outbox SET delivered_at = ? WHERE intent_key = ? AND version = ?`,
  dropDelivered: `DELETE FROM board_outbox WHERE intent_key = ? AND version = ? AND (kind <> 'card' OR EXISTS (SELECT 1 FROM board_cards b
    WHERE b.team_id = board_outbox.team_id AND b.channel_id = board_outbox.channel_id AND b.phone_call_id = board_outbox.phone_call_id AND b.ended = 1))`,
  dropNote: `DELETE FROM board_outbox WHERE intent_key = ? AND kind = 'note'`,
};

/** `?` → `$1, $2, ...` (none of these statements has a `?` inside a string). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export function outboxStatements(dialect: 'sqlite' | 'postgres'): OutboxStatements {
  if (dialect === 'sqlite') return SQL;
  const pg = Object.fromEntries(Object.entries(SQL).map(([k, v]) => [k, numbered(v)])) as unknown as OutboxStatements;
  return { ...pg, readFence: `${pg.readFence} FOR SHARE` };
}
