/**
 * Every configuration variable of the Slack app: its name, what it is for and where to
 * get it. Start errors quote this table, and a test keeps `.env.example` in step with it.
 */
export interface VarDoc {
  what: string;
  where: string;
}

/** Every variable, for error messages and `.env.example` (a test keeps them in step). */
export const VARIABLES: Record<string, VarDoc> = {
  SLACK_BOT_TOKEN: {
    what: 'the bot token callops posts with (xoxb-...); leave unset in distribution mode (see SLACK_STATE_SECRET)',
    where: 'api.slack.com/apps > your app > OAuth & Permissions > Bot User OAuth Token',
  },
  SLACK_SIGNING_SECRET: { what: 'verifies that HTTP requests come from Slack', where: 'api.slack.com/apps > your app > Basic Information > App Credentials > Signing Secret' },
  SLACK_APP_TOKEN: {
    what: 'turns on Socket Mode (xapp-..., scope connections:write); leave unset to receive HTTP on PORT',
    where: 'api.slack.com/apps > your app > Basic Information > App-Level Tokens',
  },
  SLACK_CLIENT_ID: {
    what: 'Sign in with Slack: with SLACK_CLIENT_SECRET, /call link makes the browser sign in with Slack and refuses a link completed by anyone but the user who asked (add PUBLIC_URL/link/slack/callback as a redirect URL)',
    where: 'api.slack.com/apps > your app > Basic Information > App Credentials > Client ID',
  },
  SLACK_CLIENT_SECRET: { what: 'Sign in with Slack client secret (with SLACK_CLIENT_ID)', where: 'api.slack.com/apps > your app > Basic Information > App Credentials > Client Secret' },
  SLACK_STATE_SECRET: {
    what: 'distribution mode: with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET and no SLACK_BOT_TOKEN, any workspace installs callops at PUBLIC_URL/slack/install; signs the OAuth state (add PUBLIC_URL/slack/oauth_redirect as a redirect URL)',
    where: 'generate: openssl rand -hex 32',
  },
  SLACK_API_URL: { what: 'overrides the Slack Web API base URL (tests, proxies)', where: 'default https://slack.com/api/' },
  PORT: { what: 'HTTP port for /slack/events, /healthz and the VoipNow OAuth callback', where: 'default 3000' },
  PUBLIC_URL: { what: 'where browsers reach this bot, for the VoipNow OAuth callback at /oauth/voipnow/callback', where: 'your public https URL; default http://localhost:PORT' },
  VOIPNOW_URL: { what: 'the VoipNow server, e.g. https://voipnow.example.com; unset = the built-in sandbox PBX', where: 'your PBX administrator' },
  VOIPNOW_CLIENT_ID: { what: 'App ID of the VoipNow app used to link Slack users to VoipNow', where: 'VoipNow > Unified Communications > Integrations > Apps > App Registration' },
  VOIPNOW_CLIENT_SECRET: { what: 'App secret of that VoipNow app', where: 'same place as VOIPNOW_CLIENT_ID' },
  VOIPNOW_CA_FILE: { what: 'PEM file of a CA to trust for VoipNow (self-signed servers)', where: 'your PBX administrator' },
  VOIPNOW_INSECURE_TLS: { what: 'true = accept any VoipNow certificate (only for testing)', where: 'default false' },
  VOIPNOW_TIMEOUT_MS: { what: 'how long to wait for VoipNow per request', where: 'default 10000' },
  DATA_DIR: { what: 'where the SQLite database, the development key and the embedded sandbox tokens live', where: 'default ./data' },
  DATABASE_URL: { what: 'PostgreSQL connection string; unset = SQLite in DATA_DIR', where: 'e.g. postgres://user@host:5432/callops' },
  DATABASE_POOL_MAX: {
    what: 'with DATABASE_URL: most connections the store opens per replica (a query waits at most 10 s for one; /readyz fails when none is free within 1 s)',
    where: 'default 10',
  },
  DATABASE_SCHEMA: {
    what: "PostgreSQL schema of callops' tables and leases (pg-boss's jobs go to <schema>_jobs); every replica must use the same",
    where: 'default: the connection search_path (tables) and pgboss (jobs)',
  },
  LEASE_SECONDS: {
    what: 'with DATABASE_URL: how long a replica holds the board of a workspace without renewing it; another replica takes over after at most this plus a third of it',
    where: 'default 6 (hand-over within 10 s)',
  },
  RETENTION_DAYS: {
    what: "days an ended call's board cards, audit thread and call cards are kept; one replica purges older ones (and expired claims, OAuth states, open modals) every hour",
    where: 'default 30',
  },
  TOKEN_ENCRYPTION_KEY: {
    what: '32-byte key (64 hex chars or base64) encrypting VoipNow tokens at rest',
    where: 'generate: openssl rand -hex 32; required in production; unset in development = generated into DATA_DIR',
  },
  TOKEN_ENCRYPTION_KEYS: {
    what: 'key rotation, instead of TOKEN_ENCRYPTION_KEY: <id>:<key> pairs, newest first (new tokens use the first, all are read); then `npm run keys -- reencrypt` rewrites every stored token under the first',
    where: 'e.g. 2026-12:<openssl rand -hex 32>,default:<the old TOKEN_ENCRYPTION_KEY>',
  },
  SUPERVISOR_USER_IDS: {
    what: 'Slack user ids (comma separated) allowed to whisper, listen and barge in; unset = everyone (VoipNow still checks)',
    where: 'Slack profile > ... > Copy member ID',
  },
  SUPERVISOR_GROUP: {
    what: 'Slack user group (handle or id) of the supervisors; they may whisper, listen, barge in and set watches, and alerts mention them',
    where: 'Slack > People > User groups (needs a paid plan); unset = SUPERVISOR_USER_IDS',
  },
  BOARD_EVENTS: {
    what: 'on = register VoipNow PhoneCallEvents to PUBLIC_URL/voipnow/events/... for watched extensions; off = polling only',
    where: 'default: on when PUBLIC_URL is set and Socket Mode is off',
  },
  BOARD_POLL_SECONDS: {
    what: 'how often the board reads an extension whose live calls are all quietly talking (one ringing, on hold, parked or just changed: every 0.5 s, at most this)',
    where: 'default 1.2',
  },
  BOARD_IDLE_POLL_SECONDS: { what: 'how often the board reads an extension without live calls', where: 'default 30' },
  BOARD_UPDATES_PER_MINUTE: { what: 'chat.update budget of the board for the whole workspace (Slack Tier 3 is about 50)', where: 'default 40' },
  HOLD_ALERT_SECONDS: { what: 'a watched call on hold this long gets an alert mentioning the supervisors (broadcast at twice it)', where: 'default 60' },
  PARK_ALERT_SECONDS: { what: 'the same for a parked call', where: 'default 120' },
  RING_ALERT_SECONDS: { what: 'the same for a call ringing on a watched queue', where: 'default 30' },
  BOARD_QUEUES: {
    what: 'comma-separated extensions that are queues, for RING_ALERT_SECONDS (the UAPI does not say which extensions are queues), e.g. 0003*300,0003*301',
    where: 'default: none set, every watched extension counts as a queue',
  },
  SANDBOX_PORT: { what: 'port of the embedded sandbox PBX when VOIPNOW_URL is unset', where: 'default 8080' },
  SANDBOX_TRAFFIC: {
    what: 'calls a minute the embedded sandbox PBX generates (ring, answer, hold, park, transfer, hang up), for a live board demo',
    where: 'default 0 (none); only without VOIPNOW_URL',
  },
  METRICS_TOKEN: {
    what: 'when set, GET /metrics needs the header Authorization: Bearer <this token> (Prometheus: authorization: credentials: <it>); unset = /metrics is open',
    where: 'generate: openssl rand -hex 32',
  },
  METRICS_WORKSPACE_LABELS: {
    what: 'distribution mode: how many workspaces /metrics names by team id in its workspace label; every later one counts as "other"',
    where: 'default 20; 0 = none named',
  },
  LOG_LEVEL: { what: 'debug, info, warn or error; also sets the level of the Slack framework (Bolt) logs', where: 'default info' },
};
