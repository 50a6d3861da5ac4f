/**
 * What a focused SQL store needs of its database: its dialect's statements, a way to run one,
 * timestamps encoded for the dialect, and a named lock. Supplied by SqlStore, so each focused
 * store is written once for SQLite and PostgreSQL alike.
 */
import type { Row } from './rows.js';
import type { BoardFence } from './types.js';

export type SqlParam = string | number | Date | null;

export interface QueryResult {
  rows: Row[];
  /** Rows inserted/updated/deleted (for statements with RETURNING: the number of rows returned). */
  changes: number;
}

export interface SqlSession<S> {
  readonly statements: S;
  /** Runs one statement with positional parameters (after the store is ready). */
  run(sql: string, params: readonly SqlParam[]): Promise<QueryResult>;
  /** A timestamp as this dialect stores it; an invalid Date is refused, naming the field. */
  ts(d: Date, what: string): SqlParam;
  /**
   * Runs `fn` holding the lock `name` (e.g. ['token-refresh', team, user]): across processes on
   * PostgreSQL, within the process on SQLite.
   */
  withLock<T>(name: readonly string[], fn: () => Promise<T>): Promise<T>;
}

/** Unfenced writes name no fence key, so no fence row refuses them. */
export const fenceParams = (fence: BoardFence | undefined): SqlParam[] => (fence ? [fence.key, fence.epoch] : ['', 0]);
