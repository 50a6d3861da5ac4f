/** Watches over SQL: which supervisor channels watch which extensions, with their event details. */
import { toWatch } from './rows.js';
import type { SqlSession } from './sql-session.js';
import type { Watch, WatchStore } from './types.js';

export interface WatchStatements {
  /** (team_id, channel_id, extension, created_by, created_at); insert, ignoring a conflict */
  insertWatch: string;
  /** (team_id, channel_id, extension) */
  deleteWatch: string;
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
}

export class SqlWatchStore implements WatchStore {
  constructor(private readonly db: SqlSession<WatchStatements>) {}

  async addWatch(w: Watch): Promise<boolean> {
    const { changes } = await this.db.run(this.db.statements.insertWatch, [w.teamId, w.channelId, w.extension, w.createdBy, this.db.ts(w.createdAt, 'createdAt')]);
    if (changes > 0 && (w.secret !== undefined || w.eventIds !== undefined || w.pausedAt !== undefined)) await this.updateWatch(w);
    return changes > 0;
  }

  async removeWatch(teamId: string, channelId: string, extension: string): Promise<boolean> {
    const { changes } = await this.db.run(this.db.statements.deleteWatch, [teamId, channelId, extension]);
    return changes > 0;
  }

  async updateWatch(w: Watch): Promise<boolean> {
    const { changes } = await this.db.run(this.db.statements.updateWatch, [
      w.secret ?? null,
      w.eventIds === undefined ? null : JSON.stringify(w.eventIds),
      w.pausedAt === undefined ? null : this.db.ts(w.pausedAt, 'pausedAt'),
      w.teamId,
      w.channelId,
      w.extension,
    ]);
    return changes > 0;
  }

  async listWatchesForExtension(extension: string): Promise<Watch[]> {
    const { rows } = await this.db.run(this.db.statements.listWatchesForExtension, [extension]);
    return rows.map(toWatch);
  }

  async listWatchesForChannel(teamId: string, channelId: string): Promise<Watch[]> {
    const { rows } = await this.db.run(this.db.statements.listWatchesForChannel, [teamId, channelId]);
    return rows.map(toWatch);
  }

  async listWatches(): Promise<Watch[]> {
    const { rows } = await this.db.run(this.db.statements.listWatches, []);
    return rows.map(toWatch);
  }

  async findWatchBySecret(secret: string): Promise<Watch | undefined> {
    const { rows } = await this.db.run(this.db.statements.findWatchBySecret, [secret]);
    return rows[0] ? toWatch(rows[0]) : undefined;
  }

  // Same SQL in both dialects, so not among the statements.
  async countWatchedExtensions(): Promise<number> {
    const { rows } = await this.db.run('SELECT COUNT(DISTINCT extension) AS n FROM watches', []);
    return Number(rows[0]?.n ?? 0);
  }
}
