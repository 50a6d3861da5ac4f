/**
 * Which VoipNow server a workspace talks to. In single-workspace mode it is always the
 * environment's (VOIPNOW_URL); in distribution mode it is the one the workspace's admin
 * connected (the voipnow_tenants store), and a workspace that connected none has no
 * server at all. Every UAPI client, consent link and token exchange asks here first.
 *
 * The stored settings are read on every call, so a change saved by any replica is used at
 * once; the HTTP client built for a set of settings is kept while they stay the same.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';
import type { VoipnowTenant, VoipnowTenantStore } from '../../store/voipnow-tenants.js';
import { UapiHttp, type UapiRequestEvent } from '../../uapi/http.js';
import { VoipnowOAuth } from '../../uapi/oauth.js';

/** One workspace's VoipNow server, ready to be called. */
export interface Tenant {
  http: UapiHttp;
  oauth: VoipnowOAuth;
}

export interface VoipnowTenants {
  /** Whether workspaces connect their own servers (distribution mode). */
  readonly perWorkspace: boolean;
  /** The workspace's server; undefined when its admin has not connected one yet. */
  of(teamId: string): Promise<Tenant | undefined>;
  /** The settings stored for the workspace (distribution mode only). */
  settings(teamId: string): Promise<VoipnowTenant | undefined>;
  /** Save settings that were checked (they replace the workspace's former ones). */
  save(tenant: VoipnowTenant): Promise<void>;
  /** The server answered with the stored settings (a link went through). */
  seenWorking(teamId: string, at: Date): Promise<void>;
  /** Uninstall: the workspace's server is forgotten. */
  forget(teamId: string): Promise<void>;
  close(): void;
}

/** Single-workspace mode: the one server of the environment for every workspace. */
export function fixedTenant(http: UapiHttp, oauth: VoipnowOAuth): VoipnowTenants {
  const tenant: Tenant = { http, oauth };
  return {
    perWorkspace: false,
    of: async () => tenant,
    settings: async () => undefined,
    save: async () => {
      throw new Error('single-workspace mode: the VoipNow server is VOIPNOW_URL');
    },
    seenWorking: async () => undefined,
    forget: async () => undefined,
    close: () => undefined,
  };
}

export interface StoredTenantsOptions {
  timeoutMs: number;
  logger: Logger;
  /** Every finished UAPI request, with the workspace whose server it went to (metrics). */
  observe?: (teamId: string, e: UapiRequestEvent) => void;
}

const SEEN_EVERY_MS = 60_000;

const fingerprint = (t: VoipnowTenant) =>
  createHash('sha256')
    .update(JSON.stringify([t.url, t.clientId, t.clientSecret, t.caPem ?? '']))
    .digest('base64url');

/** Distribution mode: each workspace's own server, from the store. */
export class StoredTenants implements VoipnowTenants {
  readonly perWorkspace = true;
  readonly #built = new Map<string, { key: string; tenant: Tenant }>();

  constructor(
    private readonly store: VoipnowTenantStore,
    private readonly opts: StoredTenantsOptions,
  ) {}

  settings(teamId: string): Promise<VoipnowTenant | undefined> {
    return this.store.find(teamId);
  }

  async of(teamId: string): Promise<Tenant | undefined> {
    const settings = await this.store.find(teamId);
    if (!settings) {
      this.drop(teamId);
      return undefined;
    }
    const key = fingerprint(settings);
    const held = this.#built.get(teamId);
    if (held?.key === key) return held.tenant;
    this.drop(teamId);
    const http = new UapiHttp({ baseUrl: settings.url, timeoutMs: this.opts.timeoutMs, logger: this.opts.logger, ...(settings.caPem && { ca: settings.caPem }) });
    const observe = this.opts.observe;
    http.observe((e) => {
      observe?.(teamId, e);
      if (e.status !== undefined && e.status >= 200 && e.status < 300) this.answered(teamId);
    });
    const tenant = { http, oauth: new VoipnowOAuth(http, { clientId: settings.clientId, clientSecret: settings.clientSecret }) };
    this.#built.set(teamId, { key, tenant });
    return tenant;
  }

  async save(tenant: VoipnowTenant): Promise<void> {
    await this.store.save(tenant);
    this.drop(tenant.teamId);
  }

  async seenWorking(teamId: string, at: Date): Promise<void> {
    await this.store.markOk(teamId, at);
  }

  async forget(teamId: string): Promise<void> {
    await this.store.delete(teamId);
    this.drop(teamId);
  }

  close(): void {
    for (const teamId of [...this.#built.keys()]) this.drop(teamId);
  }

  /** When each workspace's server was last recorded as working, in this process. */
  readonly #markedAt = new Map<string, number>();

  /** The server answered: "last seen working" is brought up to date, at most once a minute per workspace. */
  private answered(teamId: string): void {
    const now = Date.now();
    if (now - (this.#markedAt.get(teamId) ?? 0) < SEEN_EVERY_MS) return;
    this.#markedAt.set(teamId, now);
    this.store.markOk(teamId, new Date(now)).catch((err: unknown) => this.opts.logger.warn('could not record that VoipNow answered', { team: teamId, error: String(err) }));
  }

  private drop(teamId: string): void {
    this.#built.get(teamId)?.tenant.http.close();
    this.#built.delete(teamId);
  }
}

/**
 * The app's tenants: each workspace's own server from `stored` (distribution mode), else
 * `http` and `oauth` for every workspace. Every request is counted, per workspace too.
 */
export function tenantsOf(o: {
  stored?: { store: VoipnowTenantStore; timeoutMs?: number };
  http: UapiHttp;
  oauth: VoipnowOAuth;
  logger: Logger;
  metrics: Pick<Metrics, 'uapiRequest' | 'workspaceUapiRequest'>;
}): VoipnowTenants {
  if (!o.stored) return fixedTenant(o.http, o.oauth);
  return new StoredTenants(o.stored.store, {
    timeoutMs: o.stored.timeoutMs ?? 10_000,
    logger: o.logger,
    observe: (teamId, e) => {
      o.metrics.uapiRequest(e);
      o.metrics.workspaceUapiRequest(teamId, e);
    },
  });
}
