/**
 * The statements each dialect provides. Parameters are positional, in the order given.
 * Column names in result rows are the snake_case table columns.
 */
export interface StoreStatements {
  /** (team_id, slack_user_id) → a linked_accounts row */
  getLinkedAccount: string;
  /** (team_id, slack_user_id, voipnow_user_id, voipnow_user_name, extension, access_token,
   *  refresh_token, expires_at, linked_at, updated_at); upsert */
  upsertLinkedAccount: string;
  /** (team_id, slack_user_id) */
  deleteLinkedAccount: string;
  /** (extension, updated_at, team_id, slack_user_id): only these columns */
  updateLinkedAccountExtension: string;
  /** (access_token, refresh_token, expires_at, updated_at, team_id, slack_user_id, old refresh_token ciphertext or null):
   *  only the token columns, and only while refresh_token still holds the old ciphertext */
  swapLinkedAccountTokens: string;
  /** (state, team_id, slack_user_id, channel_id, response_url, expires_at, extension) */
  insertOAuthState: string;
  /** (now): delete states with expires_at <= now */
  purgeExpiredOAuthStates: string;
  /** (state): DELETE ... RETURNING the oauth_states row */
  consumeOAuthState: string;
  /** (team_id, channel_id, message_ts, phone_call_id, extension, posted_by, updated_at); upsert */
  upsertCallCard: string;
  /** (phone_call_id) → call_cards rows, ordered */
  findCallCards: string;
  /** (team_id, channel_id, message_ts) */
  deleteCallCard: string;
  /** (team_id, channel_id, extension, created_by, created_at); insert, ignoring a conflict */
  insertWatch: string;
  /** (team_id, channel_id, extension) */
  deleteWatch: string;
  /** (now): delete request claims with expires_at <= now */
  purgeExpiredClaims: string;
  /** (claim_key, expires_at); insert, ignoring a conflict (changes 0 when already claimed) */
  insertClaim: string;
  /** (claim_key) */
  deleteClaim: string;
  /** (extension) → watches rows, ordered */
  listWatchesForExtension: string;
  /** (team_id, channel_id) → watches rows, ordered */
  listWatchesForChannel: string;
  /** () → all watches rows, ordered */
  listWatches: string;
  /** (secret, event_ids, paused_at, team_id, channel_id, extension) */
  updateWatch: string;
  /** (secret) → a watches row */
  findWatchBySecret: string;
  /** (team_id, channel_id, phone_call_id, message_ts, extension, state, ended, updated_at, fence_key, epoch);
   *  upsert, unless board_fences holds a newer epoch for fence_key (changes 0 then) */
  upsertBoardCard: string;
  /** (team_id, channel_id, phone_call_id) → a board_cards row */
  getBoardCard: string;
  /** () → board_cards rows with ended = 0, ordered */
  listLiveBoardCards: string;
  /** (team_id, channel_id, message_ts) → a board_cards row */
  findBoardCardAt: string;
  /** (modal_id, place, expires_at); insert */
  insertOpenModal: string;
  /** (modal_id): DELETE ... RETURNING the open_modals row */
  takeOpenModal: string;
  /** (now): delete open modals with expires_at <= now */
  purgeOpenModals: string;
  /** (alerts, leg_hints, team_id, channel_id, phone_call_id, fence_key, epoch); fenced as upsertBoardCard */
  updateBoardCardMemory: string;
  /** (team_id, channel_id, phone_call_id, seq, at, text, fence_key, epoch); upsert, fenced as upsertBoardCard */
  upsertAuditEntry: string;
  /** (team_id, channel_id, phone_call_id) → audit_entries rows by seq */
  listAuditEntries: string;
  /** (fence_key, epoch) → the fence's epoch after raising it to at least epoch */
  raiseBoardFence: string;
  /** (before, before): delete audit lines older than before whose card is gone, or ended and last updated before it */
  purgeAuditEntries: string;
  /** (before): delete ended board cards last updated before it */
  purgeEndedBoardCards: string;
  /** (before): delete call cards last updated before it */
  purgeCallCards: string;
  /** (missed_call_dms 0|1, team_id, slack_user_id) */
  updateMissedCallDms: string;
  /** (team_id, phone_call_id, slack_call_id, slack_user_id, extension, created_at); upsert */
  upsertSlackCall: string;
  /** (team_id, phone_call_id): DELETE ... RETURNING the slack_calls row */
  takeSlackCall: string;
}
