/**
 * Who is a supervisor (may whisper, listen, barge in and set watches):
 * the members of a Slack user group (SUPERVISOR_GROUP, a handle like
 * `callcenter-leads` or an id like `S0123ABC`), read with usergroups.list /
 * usergroups.users.list, cached and kept current by `subteam_members_changed`;
 * else the listed SUPERVISOR_USER_IDS; with neither, every linked user.
 * If the group cannot be read (no paid plan, no scope), the user list is the
 * fallback, and without one nobody is treated as a supervisor (fail closed).
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../log.js';

export interface SupervisorSettings {
  group?: string;
  userIds?: readonly string[];
  /** How long a read membership is trusted without an event (default 10 minutes). */
  ttlMs?: number;
}

export class Supervisors {
  private groupId: string | undefined;
  private members: Set<string> | undefined;
  private readAt = 0;
  private failedAt = -Infinity;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly settings: SupervisorSettings,
    private readonly client: () => WebClient,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    if (settings.group && /^S[A-Z0-9]{2,}$/.test(settings.group)) this.groupId = settings.group;
  }

  /** True when any restriction is configured. */
  get restricted(): boolean {
    return Boolean(this.settings.group || this.settings.userIds?.length);
  }

  /** Where an admin adds people, for refusals. */
  get howToJoin(): string {
    if (this.settings.group) return `Ask an admin to add you to the Slack user group \`${this.settings.group.replace(/^@/, '')}\`.`;
    return 'Ask an admin to add you to SUPERVISOR_USER_IDS.';
  }

  async isSupervisor(userId: string): Promise<boolean> {
    if (!this.restricted) return true;
    if (this.settings.group) {
      const members = await this.groupMembers();
      if (members) return members.has(userId);
    }
    return this.settings.userIds?.includes(userId) ?? false;
  }

  /** How alerts mention the supervisors: the group, or the listed users. */
  async mention(): Promise<string | undefined> {
    if (this.settings.group) {
      await this.groupMembers();
      if (this.groupId) return `<!subteam^${this.groupId}>`;
    }
    if (this.settings.userIds?.length) return this.settings.userIds.map((u) => `<@${u}>`).join(' ');
    return undefined;
  }

  /** The `subteam_members_changed` event: apply it to the cache. */
  membersChanged(ev: { subteam_id?: string; added_users?: string[]; removed_users?: string[] }): void {
    if (!this.members || !ev.subteam_id || ev.subteam_id !== this.groupId) return;
    for (const u of ev.added_users ?? []) this.members.add(u);
    for (const u of ev.removed_users ?? []) this.members.delete(u);
  }

  private async groupMembers(): Promise<Set<string> | undefined> {
    const fresh = this.members && this.now() - this.readAt < (this.settings.ttlMs ?? 600_000);
    // After a failed read, the fallback holds for a minute before Slack is asked again (usergroups.* is Tier 2).
    const resting = !this.members && this.now() - this.failedAt < 60_000;
    if (!fresh && !resting) {
      this.loading ??= this.load().finally(() => (this.loading = undefined));
      await this.loading;
    }
    return this.members;
  }

  private async load(): Promise<void> {
    try {
      const client = this.client();
      if (!this.groupId) {
        const handle = this.settings.group!.replace(/^@/, '');
        const list = await client.usergroups.list({});
        this.groupId = list.usergroups?.find((g) => g.handle === handle || g.id === handle)?.id;
        if (!this.groupId) throw new Error(`no user group with handle ${handle}`);
      }
      const res = await client.usergroups.users.list({ usergroup: this.groupId });
      this.members = new Set(res.users ?? []);
      this.readAt = this.now();
    } catch (err) {
      this.failedAt = this.now();
      this.logger.warn('could not read the supervisors user group; using SUPERVISOR_USER_IDS', {
        error: (err as { data?: { error?: string } }).data?.error ?? (err instanceof Error ? err.message : String(err)),
      });
    }
  }
}
