/**
 * Persistence contract for callops: a few focused stores (accounts, OAuth states, claims, open
 * modals, call cards, watches, board cards, audit lines, the board's outbox, retention), composed
 * as `Store`; the records they hold are in records.ts. Two
 * implementations of every one: SQLite (embedded default) and PostgreSQL (when DATABASE_URL is
 * set). Everything is async so both fit.
 *
 * Optional fields that are absent come back as missing properties (never `null`).
 * Dates round-trip exactly to the millisecond.
 */

import type { NewIntent, OutboxStore } from './outbox.js';
import type { AuditEntry, BoardCard, BoardCardMemory, BoardChannelPause, BoardFence, CallCard, LinkedAccount, LinkedLine, OAuthState, SlackCall, Watch } from './records.js';

// The records are part of this module's contract: callers import records and stores from one place.
export type * from './records.js';

/** The Slack users linked to VoipNow users, with their tokens (encrypted at rest). */
export interface AccountStore {
  getLinkedAccount(teamId: string, slackUserId: string): Promise<LinkedAccount | undefined>;
  /** Upsert on (teamId, slackUserId); every field is overwritten with the given values. */
  saveLinkedAccount(a: LinkedAccount): Promise<void>;
  /** True if an account was deleted. */
  deleteLinkedAccount(teamId: string, slackUserId: string): Promise<boolean>;
  /** Sets only the extension (and updatedAt), atomically; false when there is no such account. */
  setLinkedAccountExtension(teamId: string, slackUserId: string, extension: string, updatedAt: Date): Promise<boolean>;
  /**
   * Compare-and-swap of the token columns only: stores `tokens` when the stored refresh token is
   * still `expectedRefreshToken` (so a rotated-away token is never written back over a newer one).
   * False when the account is gone or another refresh got there first. Other columns are untouched.
   */
  replaceLinkedAccountTokens(
    teamId: string,
    slackUserId: string,
    expectedRefreshToken: string | undefined,
    tokens: { accessToken: string; refreshToken?: string; expiresAt: Date },
    updatedAt: Date,
  ): Promise<boolean>;
  /**
   * Runs `fn` while holding this user's token-refresh lock: one refresh per user at a time across
   * every process sharing the store (PostgreSQL: an advisory lock; SQLite: one process owns the
   * file, so a lock inside the process).
   */
  withTokenRefreshLock<T>(teamId: string, slackUserId: string, fn: () => Promise<T>): Promise<T>;
  /** For metrics: how many Slack users are linked. */
  countLinkedAccounts(): Promise<number>;
  /**
   * Key rotation: rewrites every stored token under the cipher's newest key (tokens it opens with
   * an older key of the ring, or in the format before key ids). Answers how many accounts were seen and rewritten.
   */
  reencryptTokens(): Promise<ReencryptCounts>;
}

/** Pending OAuth authorizations of `/call link`, single use. */
export interface OAuthStateStore {
  /** Also purges states that have already expired (by the wall clock). Duplicate `state` → error. */
  createOAuthState(s: OAuthState): Promise<void>;
  /**
   * Single use: the state is deleted atomically on read, so of two concurrent consumers only one
   * gets it. An expired state (expiresAt <= now) is deleted and yields undefined.
   */
  consumeOAuthState(state: string, now?: Date): Promise<OAuthState | undefined>;
}

/** Keys claimed once across retries, replicas and restarts (a press, a post, a follower). */
export interface ClaimStore {
  /**
   * Claim a key once: true for the first caller, false while an unexpired claim of the same key
   * exists (in this process, another process, or before a restart). Atomic; also purges expired claims.
   */
  claimOnce(key: string, expiresAt: Date, now?: Date): Promise<boolean>;
  /**
   * Claims in order, each only once the ones before it are held (PostgreSQL: one statement, so one
   * round trip): true for each claimed key (an undefined key always passes), false from the first
   * one that was not claimed on, the later ones not tried. `hold`: recorded when every claim was taken.
   * `note`: an outbox intent (a press's "working…" note) stored before the claims are answered,
   * whatever they answer (PostgreSQL: in the same statement, so a failure stores neither).
   */
  claimChain(claims: readonly ChainedClaim[], now?: Date, hold?: ActionHold, note?: NewIntent): Promise<boolean[]>;
  /** Give a claim back, so the key can be claimed again at once. */
  releaseClaim(key: string): Promise<void>;
  /**
   * The action holds of these calls that still run at `now` (recorded by a `claimChain` that took
   * every claim). Any order; expired ones are never answered.
   */
  listActionHolds(phoneCallIds: readonly string[], now?: Date): Promise<ActionHold[]>;
}

/**
 * An action from Slack under way on a call, recorded with the claims that admit it (`claimChain`:
 * in the same statement, only when every claim was taken), so whichever replica runs the board
 * can know of it before the action's own news arrives. Nothing deletes it early: it runs until
 * `until`, and the board pairs it with the action's end by `actionId`.
 */
export interface ActionHold {
  phoneCallId: string;
  actionId: string;
  until: Date;
}

/** One claim of a chain: an undefined key is no claim at all (it always passes). */
export interface ChainedClaim {
  key: string | undefined;
  expiresAt: Date;
}

/** Action modals that are open, so any replica can take the submission. */
export interface OpenModalStore {
  /** An action modal is open: where its card is (opaque JSON text), until `expiresAt`. Also purges expired ones. */
  saveOpenModal(id: string, place: string, expiresAt: Date, now?: Date): Promise<void>;
  /** Single use, any replica: the place of an open modal, deleted on read; undefined when unknown or expired. */
  takeOpenModal(id: string, now?: Date): Promise<string | undefined>;
}

/** The messages showing a call outside the board (from `/call`, a button or `/call post`). */
export interface CallCardStore {
  /** Upsert on (teamId, channelId, messageTs). */
  saveCallCard(c: CallCard): Promise<void>;
  /** Ordered by updatedAt, then teamId, channelId, messageTs. */
  findCallCards(phoneCallId: string): Promise<CallCard[]>;
  deleteCallCard(teamId: string, channelId: string, messageTs: string): Promise<void>;
}

/** Which supervisor channels watch which extensions. */
export interface WatchStore {
  /** False if (teamId, channelId, extension) was already watched (the existing watch is kept). */
  addWatch(w: Watch): Promise<boolean>;
  /** True if a watch was removed. */
  removeWatch(teamId: string, channelId: string, extension: string): Promise<boolean>;
  /** Ordered by createdAt, then teamId, channelId. */
  listWatchesForExtension(extension: string): Promise<Watch[]>;
  /** Ordered by createdAt, then extension. */
  listWatchesForChannel(teamId: string, channelId: string): Promise<Watch[]>;
  /** Every watch, ordered by createdAt, then teamId, channelId, extension. */
  listWatches(): Promise<Watch[]>;
  /** Overwrites secret, eventIds and pausedAt of an existing watch; false if there is none. */
  updateWatch(w: Watch): Promise<boolean>;
  findWatchBySecret(secret: string): Promise<Watch | undefined>;
  /** For metrics: how many distinct extensions are watched by some channel. */
  countWatchedExtensions(): Promise<number>;
}

/** The board's cards (one per call per channel) and the fences that keep a lost holder out. */
export interface BoardCardStore {
  /**
   * Upsert on (teamId, channelId, phoneCallId). With a fence, refused (false) when a newer epoch
   * was raised for its key: a board holder that lost its lease writes nothing.
   */
  saveBoardCard(c: BoardCard, fence?: BoardFence): Promise<boolean>;
  getBoardCard(teamId: string, channelId: string, phoneCallId: string): Promise<BoardCard | undefined>;
  /** The board card posted as this message, if any. */
  findBoardCardAt(teamId: string, channelId: string, messageTs: string): Promise<BoardCard | undefined>;
  /** Cards not ended, ordered by updatedAt, then teamId, channelId, phoneCallId. */
  listLiveBoardCards(): Promise<BoardCard[]>;
  /** Sets a saved card's memory (absent fields are cleared); false when there is no such card. */
  saveBoardCardMemory(teamId: string, channelId: string, phoneCallId: string, memory: BoardCardMemory, fence?: BoardFence): Promise<boolean>;
  /**
   * A new board holder raises its lease epoch here before it writes: from then on, writes fenced
   * with an older epoch of the same key are refused. Never lowers it; answers the fence's epoch.
   */
  raiseBoardFence(fence: BoardFence): Promise<number>;
}

/** Every card (one message showing a call) counts the states it has shown: a press of an older one is told apart from the current one. */
export interface CardVersionStore {
  /**
   * A card is drawn with a new state: its version becomes one more (1 for a message without one)
   * and `shows` (the card's headline, callops' own escaped text) is kept. Atomic across processes;
   * answers the new version.
   */
  nextCardVersion(card: CardMessage, shows: string, now?: Date): Promise<number>;
  /** The version a card was last drawn at, and what it showed; undefined for a message without one. */
  getCardVersion(card: CardMessage): Promise<CardVersion | undefined>;
}

/** One message showing a call (a Slack message is its channel and ts, in whichever workspace shares the channel). */
export interface CardMessage {
  channelId: string;
  messageTs: string;
}

/** How far a card has come: the version it was last drawn at and its headline then. */
export interface CardVersion {
  version: number;
  shows: string;
}

/** Linked users' phone lines, for missed-call DMs and the Home panel. */
export interface PhoneLineStore {
  /** Every linked user with a default extension, ordered by team_id, slack_user_id. */
  listLinkedLines(): Promise<LinkedLine[]>;
  /** Turns missed-call DMs on or off for a linked user; false when there is no such account. */
  setMissedCallDms(teamId: string, slackUserId: string, on: boolean): Promise<boolean>;
}

/** Slack Calls registered for PBX calls placed from Slack. */
export interface SlackCallStore {
  /** Upsert on (teamId, phoneCallId). */
  saveSlackCall(c: SlackCall): Promise<void>;
  /** Ordered by createdAt, then teamId, phoneCallId. */
  listSlackCalls(): Promise<SlackCall[]>;
  /** Single use, any replica: the Slack Call of a PBX call, deleted on read (so it is ended once). */
  takeSlackCall(teamId: string, phoneCallId: string): Promise<SlackCall | undefined>;
}

/** Board channels that refused the bot's writes, paused until it is invited again. */
export interface BoardChannelPauseStore {
  /** False when the channel was already paused (the first pause is kept). */
  pauseBoardChannel(p: BoardChannelPause): Promise<boolean>;
  /** True if a pause was removed. */
  resumeBoardChannel(teamId: string, channelId: string): Promise<boolean>;
  /** Every paused board channel, ordered by pausedAt, then teamId, channelId. */
  listBoardChannelPauses(): Promise<BoardChannelPause[]>;
}

/** The lines of each board card's audit thread. */
export interface AuditStore {
  /** Upsert on (teamId, channelId, phoneCallId, seq); fenced as saveBoardCard (false when refused). */
  appendAuditEntry(e: AuditEntry, fence?: BoardFence): Promise<boolean>;
  /** Ordered by seq. */
  listAuditEntries(teamId: string, channelId: string, phoneCallId: string): Promise<AuditEntry[]>;
}

/** What grows with use and is deleted when old or expired. */
export interface RetentionStore {
  /**
   * Retention: deletes ended board cards last updated before `before` with their audit lines and
   * outbox intents (delivered or not; also those of a card already gone, and notes of presses
   * left before `before`), call cards and card versions last updated before `before`, and claims, OAuth states and open modals expired by
   * `now`. Live cards and anything newer are kept. Answers how many rows went, per table.
   */
  purgeExpired(before: Date, now: Date): Promise<PurgeCounts>;
}

/** The store as a whole: its health and its end. */
export interface StoreLifecycle {
  /** Cheap round trip that reads one of the store's tables; rejects when the store cannot serve (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Every focused store in one object, as both backends provide it: the app is wired with this,
 * and each part of it asks for the narrowest store it uses.
 */
export interface Store
  extends AccountStore,
    PhoneLineStore,
    SlackCallStore,
    OAuthStateStore,
    ClaimStore,
    OpenModalStore,
    CallCardStore,
    CardVersionStore,
    WatchStore,
    BoardCardStore,
    BoardChannelPauseStore,
    AuditStore,
    RetentionStore,
    StoreLifecycle {
  /** The board's write intents, stored with the changes that cause them (outbox.ts). */
  readonly outbox: OutboxStore;
}

/** Rows deleted by one retention sweep, per table. */
export interface PurgeCounts {
  cardVersions: number;
  boardCards: number;
  auditEntries: number;
  /** Board outbox intents (board_outbox). */
  outboxIntents: number;
  callCards: number;
  /** Request claims and action holds whose time has passed. */
  claims: number;
  oauthStates: number;
  openModals: number;
}

/** What one re-encryption did. */
export interface ReencryptCounts {
  /** Linked accounts seen. */
  accounts: number;
  /** Accounts whose tokens were written again under the newest key. */
  rewritten: number;
  /** Accounts already entirely under the newest key. */
  current: number;
  /** Accounts whose tokens changed while this ran (a refresh wrote them, under the newest key if that replica has the new ring). */
  changedMeanwhile: number;
  /** The key everything was rewritten with. */
  keyId: string;
}

/** Receives operational messages (warnings). Never given tokens or keys. */
export type StoreLog = (message: string) => void;
