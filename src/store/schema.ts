/**
 * The store's tables, one definition for both databases; only the timestamp
 * column type differs (SQLite: INTEGER epoch milliseconds, PostgreSQL: timestamptz).
 */
import type { Migration } from './migrations.js';

export function migrations(ts: 'INTEGER' | 'TIMESTAMPTZ'): readonly Migration[] {
  return [
    {
      version: 1,
      description: 'initial schema',
      statements: [
        `CREATE TABLE linked_accounts (
          team_id TEXT NOT NULL,
          slack_user_id TEXT NOT NULL,
          voipnow_user_id TEXT NOT NULL,
          voipnow_user_name TEXT,
          extension TEXT,
          access_token TEXT NOT NULL,
          refresh_token TEXT,
          expires_at ${ts} NOT NULL,
          linked_at ${ts} NOT NULL,
          updated_at ${ts} NOT NULL,
          PRIMARY KEY (team_id, slack_user_id)
        )`,
        `CREATE TABLE oauth_states (
          state TEXT PRIMARY KEY,
          team_id TEXT NOT NULL,
          slack_user_id TEXT NOT NULL,
          channel_id TEXT,
          response_url TEXT,
          extension TEXT,
          expires_at ${ts} NOT NULL
        )`,
        `CREATE INDEX oauth_states_expires_at ON oauth_states (expires_at)`,
        `CREATE TABLE call_cards (
          team_id TEXT NOT NULL,
          channel_id TEXT NOT NULL,
          message_ts TEXT NOT NULL,
          phone_call_id TEXT NOT NULL,
          extension TEXT NOT NULL,
          posted_by TEXT,
          updated_at ${ts} NOT NULL,
          PRIMARY KEY (team_id, channel_id, message_ts)
        )`,
        `CREATE INDEX call_cards_phone_call_id ON call_cards (phone_call_id)`,
        `CREATE TABLE watches (
          team_id TEXT NOT NULL,
          channel_id TEXT NOT NULL,
          extension TEXT NOT NULL,
          created_by TEXT NOT NULL,
          created_at ${ts} NOT NULL,
          PRIMARY KEY (team_id, channel_id, extension)
        )`,
        `CREATE INDEX watches_extension ON watches (extension)`,
      ],
    },
    {
      version: 2,
      description: 'request claims: a Slack request (press, retry, command) runs once',
      statements: [
        `CREATE TABLE request_claims (
          claim_key TEXT PRIMARY KEY,
          expires_at ${ts} NOT NULL
        )`,
        `CREATE INDEX request_claims_expires_at ON request_claims (expires_at)`,
      ],
    },
    {
      version: 3,
      description: 'supervisor board: watch secrets, registered events, pauses; board cards; audit entries',
      statements: [
        `ALTER TABLE watches ADD COLUMN secret TEXT`,
        `ALTER TABLE watches ADD COLUMN event_ids TEXT`,
        `ALTER TABLE watches ADD COLUMN paused_at ${ts}`,
        `CREATE UNIQUE INDEX watches_secret ON watches (secret)`,
        `CREATE TABLE board_cards (
          team_id TEXT NOT NULL,
          channel_id TEXT NOT NULL,
          phone_call_id TEXT NOT NULL,
          message_ts TEXT,
          extension TEXT NOT NULL,
          state TEXT NOT NULL,
          ended INTEGER NOT NULL,
          updated_at ${ts} NOT NULL,
          PRIMARY KEY (team_id, channel_id, phone_call_id)
        )`,
        `CREATE INDEX board_cards_live ON board_cards (ended)`,
        `CREATE TABLE audit_entries (
          team_id TEXT NOT NULL,
          channel_id TEXT NOT NULL,
          phone_call_id TEXT NOT NULL,
          seq INTEGER NOT NULL,
          at ${ts} NOT NULL,
          text TEXT NOT NULL,
          PRIMARY KEY (team_id, channel_id, phone_call_id, seq)
        )`,
      ],
    },
    {
      version: 4,
      description: 'replicas: open action modals in the database; board cards found by their message',
      statements: [
        `CREATE TABLE open_modals (
          modal_id TEXT PRIMARY KEY,
          place TEXT NOT NULL,
          expires_at ${ts} NOT NULL
        )`,
        `CREATE INDEX open_modals_expires_at ON open_modals (expires_at)`,
        `CREATE INDEX board_cards_message ON board_cards (team_id, channel_id, message_ts)`,
      ],
    },
    {
      version: 5,
      description: 'board cards remember their escalation episode and the supervisor legs callops started, so a restart neither repeats an alert nor shows a whisper as a plain leg',
      statements: [`ALTER TABLE board_cards ADD COLUMN alerts TEXT`, `ALTER TABLE board_cards ADD COLUMN leg_hints TEXT`],
    },
    {
      version: 6,
      description: 'board writes fenced by the lease epoch: a holder that lost the board (a newer epoch raised here) writes nothing',
      statements: [
        `CREATE TABLE board_fences (
          fence_key TEXT PRIMARY KEY,
          epoch INTEGER NOT NULL
        )`,
      ],
    },
    {
      version: 7,
      description: 'board channels that refused the bot (removed, archived, restricted) stay paused across a restart until it is invited again',
      statements: [
        `CREATE TABLE IF NOT EXISTS board_channel_pauses (
          team_id TEXT NOT NULL,
          channel_id TEXT NOT NULL,
          paused_at ${ts} NOT NULL,
          reason TEXT NOT NULL,
          PRIMARY KEY (team_id, channel_id)
        )`,
      ],
    },
    {
      version: 8,
      description: 'card versions: every card (a message showing a call) counts the states it has shown, so a press of an older one is told apart from a press of the current one',
      statements: [
        `CREATE TABLE card_versions (
          channel_id TEXT NOT NULL,
          message_ts TEXT NOT NULL,
          version INTEGER NOT NULL,
          shows TEXT NOT NULL,
          updated_at ${ts} NOT NULL,
          PRIMARY KEY (channel_id, message_ts)
        )`,
        `CREATE INDEX card_versions_updated_at ON card_versions (updated_at)`,
      ],
    },
    {
      version: 9,
      description: 'phone users: missed-call DMs can be turned off; Slack Calls registered for PBX calls placed from Slack, until they end',
      statements: [
        `ALTER TABLE linked_accounts ADD COLUMN missed_call_dms INTEGER`,
        `CREATE TABLE slack_calls (
          team_id TEXT NOT NULL,
          phone_call_id TEXT NOT NULL,
          slack_call_id TEXT NOT NULL,
          slack_user_id TEXT NOT NULL,
          extension TEXT NOT NULL,
          created_at ${ts} NOT NULL,
          PRIMARY KEY (team_id, phone_call_id)
        )`,
      ],
    },
    {
      version: 10,
      description: 'the board outbox: each write a board change owes Slack, stored with the change and kept until Slack accepted it',
      statements: [
        `CREATE TABLE board_outbox (
          intent_key TEXT PRIMARY KEY,
          team_id TEXT NOT NULL,
          channel_id TEXT NOT NULL,
          phone_call_id TEXT NOT NULL,
          kind TEXT NOT NULL,
          seq INTEGER NOT NULL,
          payload TEXT NOT NULL,
          version INTEGER NOT NULL,
          created_at ${ts} NOT NULL,
          attempted_at ${ts},
          message_ts TEXT,
          delivered_at ${ts}
        )`,
        `CREATE INDEX board_outbox_pending ON board_outbox (delivered_at)`,
      ],
    },
    {
      version: 11,
      description: 'distribution mode: each workspace installation (its bot token, encrypted) and the workspaces of an org-wide install',
      statements: [
        `CREATE TABLE IF NOT EXISTS slack_installations (
    enterprise_id TEXT NOT NULL,
    team_id TEXT NOT NULL,
    enterprise_install INTEGER NOT NULL,
    team_name TEXT,
    enterprise_name TEXT,
    bot_token TEXT NOT NULL,
    bot_user_id TEXT NOT NULL,
    bot_id TEXT,
    scopes TEXT NOT NULL,
    refresh_token TEXT,
    expires_at ${ts},
    installer_user_id TEXT,
    app_id TEXT,
    installed_at ${ts} NOT NULL,
    updated_at ${ts} NOT NULL,
    PRIMARY KEY (enterprise_id, team_id)
  )`,
        `CREATE INDEX IF NOT EXISTS slack_installations_team ON slack_installations (team_id)`,
        `CREATE TABLE IF NOT EXISTS slack_org_workspaces (
    team_id TEXT PRIMARY KEY,
    enterprise_id TEXT NOT NULL
  )`,
      ],
    },
    {
      version: 12,
      description: "distribution mode: each workspace's VoipNow server (its app secret encrypted)",
      statements: [
        `CREATE TABLE IF NOT EXISTS voipnow_tenants (
          team_id TEXT PRIMARY KEY,
          url TEXT NOT NULL,
          client_id TEXT NOT NULL,
          client_secret TEXT NOT NULL,
          ca_pem TEXT,
          set_by TEXT NOT NULL,
          set_at ${ts} NOT NULL,
          last_ok_at ${ts}
        )`,
      ],
    },
    {
      version: 13,
      description: 'a board card remembers an action from Slack audited on it whose change the board has not read yet',
      statements: [`ALTER TABLE board_cards ADD COLUMN acted_at ${ts}`],
    },
    {
      version: 14,
      description: 'actions from Slack under way on calls, recorded with their claims, so the board on any replica holds back what it reads of them',
      statements: [
        `CREATE TABLE action_holds (
          action_id TEXT PRIMARY KEY,
          phone_call_id TEXT NOT NULL,
          holds_until ${ts} NOT NULL
        )`,
        `CREATE INDEX action_holds_phone_call_id ON action_holds (phone_call_id)`,
        `CREATE INDEX action_holds_holds_until ON action_holds (holds_until)`,
      ],
    },
  ];
}
