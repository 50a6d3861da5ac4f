/**
 * Row mapping for the SQL stores: reading typed columns from a driver's row (text, optional
 * text, timestamps as either driver returns them) and turning rows into store records.
 */
import type { AuditEntry, BoardCard, CallCard, OAuthState, SlackCall, Watch } from './types.js';

export type Row = Record<string, unknown>;

export function str(row: Row, col: string): string {
  const v = row[col];
  if (typeof v !== 'string') throw new Error(`Store: column ${col} is not text (got ${v === null ? 'null' : typeof v})`);
  return v;
}

export function optStr(row: Row, col: string): string | undefined {
  const v = row[col];
  return v === null || v === undefined ? undefined : String(v);
}

/** Accepts what either driver returns for a timestamp: Date (pg timestamptz), ms number or string. */
export function date(row: Row, col: string): Date {
  const v = row[col];
  const d =
    v instanceof Date
      ? new Date(v.getTime())
      : typeof v === 'number' || typeof v === 'bigint'
        ? new Date(Number(v))
        : typeof v === 'string' && /^-?\d+$/.test(v)
          ? new Date(Number(v))
          : typeof v === 'string'
            ? new Date(v)
            : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new Error(`Store: column ${col} does not hold a valid timestamp`);
  return d;
}

/** Adds `key: value` only when value is defined, so absent optionals stay absent. */
export function withOptional<T extends object, K extends string>(obj: T, key: K, value: string | undefined): T {
  if (value !== undefined) (obj as Record<string, unknown>)[key] = value;
  return obj;
}

export function toOAuthState(row: Row): OAuthState {
  const s: OAuthState = {
    state: str(row, 'state'),
    teamId: str(row, 'team_id'),
    slackUserId: str(row, 'slack_user_id'),
    expiresAt: date(row, 'expires_at'),
  };
  withOptional(s, 'channelId', optStr(row, 'channel_id'));
  withOptional(s, 'extension', optStr(row, 'extension'));
  return withOptional(s, 'responseUrl', optStr(row, 'response_url'));
}

export function toCallCard(row: Row): CallCard {
  const c: CallCard = {
    teamId: str(row, 'team_id'),
    channelId: str(row, 'channel_id'),
    messageTs: str(row, 'message_ts'),
    phoneCallId: str(row, 'phone_call_id'),
    extension: str(row, 'extension'),
    updatedAt: date(row, 'updated_at'),
  };
  return withOptional(c, 'postedBy', optStr(row, 'posted_by'));
}

export function toWatch(row: Row): Watch {
  const w: Watch = {
    teamId: str(row, 'team_id'),
    channelId: str(row, 'channel_id'),
    extension: str(row, 'extension'),
    createdBy: str(row, 'created_by'),
    createdAt: date(row, 'created_at'),
  };
  withOptional(w, 'secret', optStr(row, 'secret'));
  const ids = optStr(row, 'event_ids');
  if (ids !== undefined) w.eventIds = JSON.parse(ids) as string[];
  if (row.paused_at !== null && row.paused_at !== undefined) w.pausedAt = date(row, 'paused_at');
  return w;
}

export function toBoardCard(row: Row): BoardCard {
  const c: BoardCard = {
    teamId: str(row, 'team_id'),
    channelId: str(row, 'channel_id'),
    phoneCallId: str(row, 'phone_call_id'),
    extension: str(row, 'extension'),
    state: str(row, 'state'),
    ended: Number(row.ended) === 1,
    updatedAt: date(row, 'updated_at'),
  };
  withOptional(c, 'alerts', optStr(row, 'alerts'));
  withOptional(c, 'legHints', optStr(row, 'leg_hints'));
  if (row.acted_at !== null && row.acted_at !== undefined) c.actedAt = date(row, 'acted_at');
  return withOptional(c, 'messageTs', optStr(row, 'message_ts'));
}

export function toAuditEntry(row: Row): AuditEntry {
  return {
    teamId: str(row, 'team_id'),
    channelId: str(row, 'channel_id'),
    phoneCallId: str(row, 'phone_call_id'),
    seq: Number(row.seq),
    at: date(row, 'at'),
    text: str(row, 'text'),
  };
}

export function toSlackCall(row: Row): SlackCall {
  return {
    teamId: str(row, 'team_id'),
    phoneCallId: str(row, 'phone_call_id'),
    slackCallId: str(row, 'slack_call_id'),
    slackUserId: str(row, 'slack_user_id'),
    extension: str(row, 'extension'),
    createdAt: date(row, 'created_at'),
  };
}
