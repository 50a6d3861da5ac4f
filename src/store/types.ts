/**
 * Persistence contract for callops. Two implementations: SQLite (embedded default)
 * and PostgreSQL (when DATABASE_URL is set). Everything is async so both fit.
 *
 * Optional fields that are absent come back as missing properties (never `null`).
 * Dates round-trip exactly to the millisecond.
 */
import type { OutboxStore } from './outbox.js';

export type * from './outbox.js';

/** A Slack user linked to a VoipNow (UAPI) user through OAuth. */
export interface LinkedAccount {
  teamId: string;
  slackUserId: string;
  /** VoipNow user id, e.g. '12'. */
  voipnowUserId: string;
  voipnowUserName?: string;
  /** The user's default extension, e.g. '0003*210'. */
  extension?: string;
  /** Stored encrypted at rest; returned decrypted. */
  accessToken: string;
  /** Stored encrypted at rest; returned decrypted. */
  refreshToken?: string;
  /** When the access token expires. */
  expiresAt: Date;
  linkedAt: Date;
  updatedAt: Date;
}

/**
 * A pending OAuth authorization (the `state` parameter), single use. The store keeps only a
 * SHA-256 hash of `state`, so its database never holds a usable one.
 */
export interface OAuthState {
  state: string;
  teamId: string;
  slackUserId: string;
  channelId?: string;
  responseUrl?: string;
  /** The extension the user named with `/call link <extension>`, remembered on success. */
  extension?: string;
  expiresAt: Date;
}

/** A Slack message showing a call, kept current. */
export interface CallCard {
  teamId: string;
  channelId: string;
  messageTs: string;
  phoneCallId: string;
  extension: string;
  postedBy?: string;
  updatedAt: Date;
}

/** A supervisor channel watching an extension. */
export interface Watch {
  teamId: string;
  channelId: string;
  extension: string;
  createdBy: string;
  createdAt: Date;
  /** Per-watch secret of the PhoneCallEvents receiver URL (PUBLIC_URL/voipnow/events/<secret>). */
  secret?: string;
  /** Ids of the PhoneCallEvents callops registered for this watch ("type:id"), removed on unwatch. */
  eventIds?: string[];
  /** Set when the owner's VoipNow link stopped working: the watch reads nothing until resumed. */
  pausedAt?: Date;
}

/** A call on a supervisor channel's board: one per call per channel. */
export interface BoardCard {
  teamId: string;
  channelId: string;
  phoneCallId: string;
  /** The card's message; absent until it was posted. */
  messageTs?: string;
  /** The watched extension it was seen on. */
  extension: string;
  /** The last state the board rendered (opaque JSON text owned by the board). */
  state: string;
  ended: boolean;
  updatedAt: Date;
  /** The escalation already raised in the current episode (opaque JSON owned by the board); kept by saveBoardCard. */
  alerts?: string;
  /** Supervisor legs callops started on the call (opaque JSON owned by the board); kept by saveBoardCard. */
  legHints?: string;
}

/** What a board card remembers beside its rendered state (see BoardCard). */
export interface BoardCardMemory {
  alerts?: string;
  legHints?: string;
}

/** Whose board writes these are: the board's lease key and the epoch its holder took it at. */
export interface BoardFence {
  key: string;
  epoch: number;
}

/** One line of a board card's audit thread. */
export interface AuditEntry {
  teamId: string;
  channelId: string;
  phoneCallId: string;
  /** Order within the card's thread, from 1. */
  seq: number;
  at: Date;
  text: string;
}

export interface Store {
  /** The board's write intents, stored with the changes that cause them (outbox.ts). */
  readonly outbox: OutboxStore;

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

  /** Also purges states that have already expired (by the wall clock). Duplicate `state` → error. */
  createOAuthState(s: OAuthState): Promise<void>;
  /**
   * Single use: the state is deleted atomically on read, so of two concurrent consumers only one
   * gets it. An expired state (expiresAt <= now) is deleted and yields undefined.
   */
  consumeOAuthState(state: string, now?: Date): Promise<OAuthState | undefined>;

  /** Upsert on (teamId, channelId, messageTs). */
  saveCallCard(c: CallCard): Promise<void>;
  /** Ordered by updatedAt, then teamId, channelId, messageTs. */
  findCallCards(phoneCallId: string): Promise<CallCard[]>;
  deleteCallCard(teamId: string, channelId: string, messageTs: string): Promise<void>;

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
  /** Upsert on (teamId, channelId, phoneCallId, seq); fenced as saveBoardCard (false when refused). */
  appendAuditEntry(e: AuditEntry, fence?: BoardFence): Promise<boolean>;
  /**
   * A new board holder raises its lease epoch here before it writes: from then on, writes fenced
   * with an older epoch of the same key are refused. Never lowers it; answers the fence's epoch.
   */
  raiseBoardFence(fence: BoardFence): Promise<number>;
  /** Ordered by seq. */
  listAuditEntries(teamId: string, channelId: string, phoneCallId: string): Promise<AuditEntry[]>;

  /**
   * Claim a key once: true for the first caller, false while an unexpired claim of the same key
   * exists (in this process, another process, or before a restart). Atomic; also purges expired claims.
   */
  claimOnce(key: string, expiresAt: Date, now?: Date): Promise<boolean>;
  /** Give a claim back, so the key can be claimed again at once. */
  releaseClaim(key: string): Promise<void>;
  /** An action modal is open: where its card is (opaque JSON text), until `expiresAt`. Also purges expired ones. */
  saveOpenModal(id: string, place: string, expiresAt: Date, now?: Date): Promise<void>;
  /** Single use, any replica: the place of an open modal, deleted on read; undefined when unknown or expired. */
  takeOpenModal(id: string, now?: Date): Promise<string | undefined>;
  /**
   * Retention: deletes ended board cards last updated before `before` with their audit lines,
   * call cards last updated before `before`, and claims, OAuth states and open modals expired by
   * `now`. Live cards and anything newer are kept. Answers how many rows went, per table.
   */
  purgeExpired(before: Date, now: Date): Promise<PurgeCounts>;
  /** Cheap round trip that reads one of the store's tables; rejects when the store cannot serve (readiness). */
  ping(): Promise<void>;
  /** For metrics: how many Slack users are linked. */
  countLinkedAccounts(): Promise<number>;
  /** For metrics: how many distinct extensions are watched by some channel. */
  countWatchedExtensions(): Promise<number>;

  close(): Promise<void>;
}

/** Rows deleted by one retention sweep, per table. */
export interface PurgeCounts {
  boardCards: number;
  auditEntries: number;
  callCards: number;
  claims: number;
  oauthStates: number;
  openModals: number;
}

/** Receives operational messages (warnings). Never given tokens or keys. */
export type StoreLog = (message: string) => void;
