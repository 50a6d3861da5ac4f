/**
 * The store's statements in PostgreSQL's dialect: `$n` placeholders, casts where an INSERT ...
 * SELECT needs them, and the claim chain as one statement (each claim a data-modifying CTE).
 */
import type { StoreStatements } from './statements.js';

/** The claim chain's action hold ($8 id, $9 call, $10 until), recorded only when all three claims were taken. */
const ACTION_HOLD_OF_CHAIN = `INSERT INTO action_holds (action_id, phone_call_id, holds_until)
      SELECT $8::text, $9::text, $10::timestamptz WHERE $8::text IS NOT NULL AND (SELECT ok FROM ok3)
      ON CONFLICT (action_id) DO NOTHING`;

// Tie-breaks ORDER BY text columns COLLATE "C" (byte order), matching SQLite.
export const PG_STATEMENTS: StoreStatements = {
  getLinkedAccount: `SELECT * FROM linked_accounts WHERE team_id = $1 AND slack_user_id = $2`,
  upsertLinkedAccount: `INSERT INTO linked_accounts (team_id, slack_user_id, voipnow_user_id, voipnow_user_name,
      extension, access_token, refresh_token, expires_at, linked_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
    ON CONFLICT (team_id, slack_user_id) DO UPDATE SET
      voipnow_user_id = excluded.voipnow_user_id, voipnow_user_name = excluded.voipnow_user_name,
      extension = excluded.extension, access_token = excluded.access_token,
      refresh_token = excluded.refresh_token, expires_at = excluded.expires_at,
      linked_at = excluded.linked_at, updated_at = excluded.updated_at`,
  deleteLinkedAccount: `DELETE FROM linked_accounts WHERE team_id = $1 AND slack_user_id = $2`,
  updateMissedCallDms: `UPDATE linked_accounts SET missed_call_dms = $1 WHERE team_id = $2 AND slack_user_id = $3`,
  upsertSlackCall: `INSERT INTO slack_calls (team_id, phone_call_id, slack_call_id, slack_user_id, extension, created_at)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (team_id, phone_call_id) DO UPDATE SET slack_call_id = excluded.slack_call_id,
      slack_user_id = excluded.slack_user_id, extension = excluded.extension, created_at = excluded.created_at`,
  takeSlackCall: `DELETE FROM slack_calls WHERE team_id = $1 AND phone_call_id = $2 RETURNING *`,
  updateLinkedAccountExtension: `UPDATE linked_accounts SET extension = $1, updated_at = $2 WHERE team_id = $3 AND slack_user_id = $4`,
  swapLinkedAccountTokens: `UPDATE linked_accounts SET access_token = $1, refresh_token = $2, expires_at = $3, updated_at = $4
    WHERE team_id = $5 AND slack_user_id = $6 AND refresh_token IS NOT DISTINCT FROM $7`,
  listLinkedAccountTokens: `SELECT team_id, slack_user_id, access_token, refresh_token FROM linked_accounts
    ORDER BY team_id COLLATE "C", slack_user_id COLLATE "C"`,
  rewriteLinkedAccountTokens: `UPDATE linked_accounts SET access_token = $1, refresh_token = $2
    WHERE team_id = $3 AND slack_user_id = $4 AND access_token = $5 AND refresh_token IS NOT DISTINCT FROM $6`,
  insertOAuthState: `INSERT INTO oauth_states (state, team_id, slack_user_id, channel_id, response_url, expires_at, extension)
    VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  purgeExpiredOAuthStates: `DELETE FROM oauth_states WHERE expires_at <= $1`,
  consumeOAuthState: `DELETE FROM oauth_states WHERE state = $1 RETURNING *`,
  upsertCallCard: `INSERT INTO call_cards (team_id, channel_id, message_ts, phone_call_id, extension, posted_by, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (team_id, channel_id, message_ts) DO UPDATE SET
      phone_call_id = excluded.phone_call_id, extension = excluded.extension,
      posted_by = excluded.posted_by, updated_at = excluded.updated_at`,
  findCallCards: `SELECT * FROM call_cards WHERE phone_call_id = $1
    ORDER BY updated_at, team_id COLLATE "C", channel_id COLLATE "C", message_ts COLLATE "C"`,
  deleteCallCard: `DELETE FROM call_cards WHERE team_id = $1 AND channel_id = $2 AND message_ts = $3`,
  insertWatch: `INSERT INTO watches (team_id, channel_id, extension, created_by, created_at)
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (team_id, channel_id, extension) DO NOTHING`,
  purgeExpiredClaims: `DELETE FROM request_claims WHERE expires_at <= $1`,
  insertClaim: `INSERT INTO request_claims (claim_key, expires_at) VALUES ($1, $2)
    ON CONFLICT (claim_key) DO UPDATE SET expires_at = excluded.expires_at WHERE request_claims.expires_at <= $3`,
  deleteClaim: `DELETE FROM request_claims WHERE claim_key = $1`,
  insertActionHold: `INSERT INTO action_holds (action_id, phone_call_id, holds_until) VALUES ($1, $2, $3) ON CONFLICT (action_id) DO NOTHING`,
  listActionHolds: `SELECT action_id, phone_call_id, holds_until FROM action_holds
    WHERE phone_call_id IN (SELECT jsonb_array_elements_text($1::jsonb)) AND holds_until > $2`,
  purgeExpiredActionHolds: `DELETE FROM action_holds WHERE holds_until <= $1`,
  claimChain: `WITH k1 AS (INSERT INTO request_claims (claim_key, expires_at) SELECT $1::text, $2::timestamptz WHERE $1::text IS NOT NULL
      ON CONFLICT (claim_key) DO UPDATE SET expires_at = excluded.expires_at WHERE request_claims.expires_at <= $7::timestamptz RETURNING 1),
    ok1 AS (SELECT $1::text IS NULL OR EXISTS (SELECT 1 FROM k1) AS ok),
    k2 AS (INSERT INTO request_claims (claim_key, expires_at) SELECT $3::text, $4::timestamptz WHERE $3::text IS NOT NULL AND (SELECT ok FROM ok1)
      ON CONFLICT (claim_key) DO UPDATE SET expires_at = excluded.expires_at WHERE request_claims.expires_at <= $7::timestamptz RETURNING 1),
    ok2 AS (SELECT (SELECT ok FROM ok1) AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM k2)) AS ok),
    k3 AS (INSERT INTO request_claims (claim_key, expires_at) SELECT $5::text, $6::timestamptz WHERE $5::text IS NOT NULL AND (SELECT ok FROM ok2)
      ON CONFLICT (claim_key) DO UPDATE SET expires_at = excluded.expires_at WHERE request_claims.expires_at <= $7::timestamptz RETURNING 1),
    ok3 AS (SELECT (SELECT ok FROM ok2) AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM k3)) AS ok),
    held AS (${ACTION_HOLD_OF_CHAIN}),
    note AS (INSERT INTO board_outbox (intent_key, team_id, channel_id, phone_call_id, kind, seq, payload, created_at, version)
      SELECT $11::text, $12::text, $13::text, $14::text, $15::text, $16::integer, $17::text, $18::timestamptz, 1 WHERE $11::text IS NOT NULL
      ON CONFLICT (intent_key) DO UPDATE SET payload = excluded.payload, version = board_outbox.version + 1, delivered_at = NULL RETURNING 1)
    SELECT (SELECT ok FROM ok1)::int AS c1, (SELECT ok FROM ok2)::int AS c2, (SELECT ok FROM ok3)::int AS c3`,
  deleteWatch: `DELETE FROM watches WHERE team_id = $1 AND channel_id = $2 AND extension = $3`,
  listWatchesForExtension: `SELECT * FROM watches WHERE extension = $1
    ORDER BY created_at, team_id COLLATE "C", channel_id COLLATE "C"`,
  listWatchesForChannel: `SELECT * FROM watches WHERE team_id = $1 AND channel_id = $2
    ORDER BY created_at, extension COLLATE "C"`,
  listWatches: `SELECT * FROM watches ORDER BY created_at, team_id COLLATE "C", channel_id COLLATE "C", extension COLLATE "C"`,
  updateWatch: `UPDATE watches SET secret = $1, event_ids = $2, paused_at = $3
    WHERE team_id = $4 AND channel_id = $5 AND extension = $6`,
  findWatchBySecret: `SELECT * FROM watches WHERE secret = $1`,
  upsertBoardCard: `INSERT INTO board_cards (team_id, channel_id, phone_call_id, message_ts, extension, state, ended, updated_at)
    SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::integer, $8::timestamptz
    WHERE NOT EXISTS (SELECT 1 FROM board_fences WHERE fence_key = $9::text AND epoch > $10::integer)
    ON CONFLICT (team_id, channel_id, phone_call_id) DO UPDATE SET
      message_ts = excluded.message_ts, extension = excluded.extension, state = excluded.state,
      ended = excluded.ended, updated_at = excluded.updated_at`,
  findBoardCardAt: `SELECT * FROM board_cards WHERE team_id = $1 AND channel_id = $2 AND message_ts = $3`,
  insertOpenModal: `INSERT INTO open_modals (modal_id, place, expires_at) VALUES ($1, $2, $3)`,
  takeOpenModal: `DELETE FROM open_modals WHERE modal_id = $1 RETURNING *`,
  purgeOpenModals: `DELETE FROM open_modals WHERE expires_at <= $1`,
  getBoardCard: `SELECT * FROM board_cards WHERE team_id = $1 AND channel_id = $2 AND phone_call_id = $3`,
  updateBoardCardMemory: `UPDATE board_cards SET alerts = $1, leg_hints = $2, acted_at = $3 WHERE team_id = $4 AND channel_id = $5 AND phone_call_id = $6
    AND NOT EXISTS (SELECT 1 FROM board_fences WHERE fence_key = $7::text AND epoch > $8::integer)`,
  listLiveBoardCards: `SELECT * FROM board_cards WHERE ended = 0
    ORDER BY updated_at, team_id COLLATE "C", channel_id COLLATE "C", phone_call_id COLLATE "C"`,
  upsertAuditEntry: `INSERT INTO audit_entries (team_id, channel_id, phone_call_id, seq, at, text)
    SELECT $1::text, $2::text, $3::text, $4::integer, $5::timestamptz, $6::text
    WHERE NOT EXISTS (SELECT 1 FROM board_fences WHERE fence_key = $7::text AND epoch > $8::integer)
    ON CONFLICT (team_id, channel_id, phone_call_id, seq) DO UPDATE SET at = excluded.at, text = excluded.text`,
  listAuditEntries: `SELECT * FROM audit_entries WHERE team_id = $1 AND channel_id = $2 AND phone_call_id = $3 ORDER BY seq`,
  raiseBoardFence: `INSERT INTO board_fences (fence_key, epoch) VALUES ($1, $2)
    ON CONFLICT (fence_key) DO UPDATE SET epoch = GREATEST(board_fences.epoch, excluded.epoch) RETURNING epoch`,
  purgeAuditEntries: `DELETE FROM audit_entries WHERE at < $1 AND NOT EXISTS (SELECT 1 FROM board_cards b
    WHERE b.team_id = audit_entries.team_id AND b.channel_id = audit_entries.channel_id AND b.phone_call_id = audit_entries.phone_call_id
      AND (b.ended = 0 OR b.updated_at >= $2))`,
  purgeOutboxIntents: `DELETE FROM board_outbox WHERE created_at < $1 AND NOT EXISTS (SELECT 1 FROM board_cards b
    WHERE b.team_id = board_outbox.team_id AND b.channel_id = board_outbox.channel_id AND b.phone_call_id = board_outbox.phone_call_id
      AND (b.ended = 0 OR b.updated_at >= $2))`,
  purgeEndedBoardCards: `DELETE FROM board_cards WHERE ended = 1 AND updated_at < $1`,
  purgeCallCards: `DELETE FROM call_cards WHERE updated_at < $1`,
  insertBoardChannelPause: `INSERT INTO board_channel_pauses (team_id, channel_id, paused_at, reason) VALUES ($1, $2, $3, $4)
    ON CONFLICT (team_id, channel_id) DO NOTHING`,
  deleteBoardChannelPause: `DELETE FROM board_channel_pauses WHERE team_id = $1 AND channel_id = $2`,
  listBoardChannelPauses: `SELECT * FROM board_channel_pauses ORDER BY paused_at, team_id COLLATE "C", channel_id COLLATE "C"`,
  bumpCardVersion: `INSERT INTO card_versions (channel_id, message_ts, version, shows, updated_at) VALUES ($1, $2, 1, $3, $4)
    ON CONFLICT (channel_id, message_ts) DO UPDATE SET
      version = card_versions.version + 1, shows = excluded.shows, updated_at = excluded.updated_at
    RETURNING version`,
  getCardVersion: `SELECT * FROM card_versions WHERE channel_id = $1 AND message_ts = $2`,
  purgeCardVersions: `DELETE FROM card_versions WHERE updated_at < $1`,
};
