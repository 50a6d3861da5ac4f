/**
 * Work that must happen later and exactly once (ring follow-ups, re-reads after an action) is a
 * job on the coordination queue: pg-boss with PostgreSQL, so it survives a restart and runs on
 * one replica of all; the in-process queue otherwise. A job's key makes sending it idempotent
 * (two replicas scheduling the same step make one job).
 *
 * With the in-process queue, every job is also pending work of the app's drain point
 * (`SlackApp.idle()`), as the timers it replaces were; on shutdown those are dropped, while
 * PostgreSQL keeps its jobs for the replicas that stay or start next.
 */
import type { Background } from '../../background.js';
import type { JobQueue } from '../../coordination/index.js';
import type { Logger } from '../../log.js';
import { inWorkspace } from '../workspaces/workspace-tokens.js';

export class AppJobs {
  readonly #waiting = new Map<string, () => void>();
  #closed = false;

  constructor(
    private readonly queue: JobQueue,
    private readonly background: Background,
    private readonly logger: Logger,
    /** True for the in-process queue: its jobs run here, so idle() waits for them. */
    private readonly local: boolean,
  ) {}

  /** Sends a job to run after `delayMs`; false once the in-process queue is closed (shutdown). */
  async send<T extends object>(name: string, data: T, opts: { delayMs: number; key?: string }): Promise<boolean> {
    // PostgreSQL keeps accepting while the queue drains: a chain of steps goes on on another replica.
    if (this.#closed && this.local) return false;
    const id = await this.queue.send(name, data, { startAfter: opts.delayMs, retryLimit: 0, ...(opts.key !== undefined && { key: opts.key }) });
    if (id && this.local) this.background.track(new Promise<void>((resolve) => this.#waiting.set(id, resolve)));
    return true;
  }

  /** Handles jobs of `name`; a failing handler is logged (the job is not tried again). */
  async work<T extends object>(name: string, handler: (data: T) => Promise<void>): Promise<void> {
    await this.queue.work<T>(name, async (job) => {
      try {
        // In-process jobs not yet run at shutdown are dropped; PostgreSQL ones still run while the queue drains.
        // Its Slack calls go out with the token of the workspace it is for (distribution mode).
        const teamId = teamOf(job.data);
        if (!(this.#closed && this.local)) await (teamId ? inWorkspace({ teamId }, () => handler(job.data)) : handler(job.data));
      } catch (err) {
        this.logger.warn('a background job failed', { job: name, error: err instanceof Error ? err.message : String(err) });
      } finally {
        this.#waiting.get(job.id)?.();
        this.#waiting.delete(job.id);
      }
    });
  }

  /** Shutdown: no new jobs; in-process ones not yet due stop counting as pending work. */
  close(): void {
    this.#closed = true;
    for (const done of this.#waiting.values()) done();
    this.#waiting.clear();
  }
}

/** The workspace a job is for: its `teamId`, or its user's. */
function teamOf(data: object): string | undefined {
  const d = data as { teamId?: unknown; user?: { teamId?: unknown } };
  const team = typeof d.teamId === 'string' ? d.teamId : d.user?.teamId;
  return typeof team === 'string' && team ? team : undefined;
}
