/**
 * The records callops keeps (linked accounts, OAuth states, cards, watches, audit lines, ...),
 * as every store interface in types.ts reads and writes them.
 *
 * Optional fields that are absent come back as missing properties (never `null`).
 * Dates round-trip exactly to the millisecond.
 */

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
  /** False when the user turned missed-call DMs off (`/call notify off`); absent means on. Not written by saveLinkedAccount. */
  missedCallDms?: boolean;
}

/** A linked user's default extension, as the phone features read it (no tokens). */
export interface LinkedLine {
  teamId: string;
  slackUserId: string;
  extension: string;
  /** Missed-call DMs on (the default) or off. */
  missedCallDms: boolean;
}

/** A Slack Call (`calls.add`) registered for a PBX call placed from Slack, until the PBX call ends. */
export interface SlackCall {
  teamId: string;
  phoneCallId: string;
  /** Slack's id of the call (calls.add answered it). */
  slackCallId: string;
  /** Who placed it, and from which extension (read with their token to see it end). */
  slackUserId: string;
  extension: string;
  createdAt: Date;
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
  /** An action from Slack was audited on the card and the board has not read the change it made yet; kept by saveBoardCard. */
  actedAt?: Date;
}

/** What a board card remembers beside its rendered state (see BoardCard). */
export interface BoardCardMemory {
  alerts?: string;
  legHints?: string;
  actedAt?: Date;
}

/** Whose board writes these are: the board's lease key and the epoch its holder took it at. */
export interface BoardFence {
  key: string;
  epoch: number;
}

/**
 * A board channel that refused the bot's writes (bot removed, channel archived or restricted):
 * its board reads and writes nothing until the bot is invited again.
 */
export interface BoardChannelPause {
  teamId: string;
  channelId: string;
  pausedAt: Date;
  /** Slack's refusal, e.g. 'not_in_channel'. */
  reason: string;
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
