/**
 * Distribution mode: which workspace's bot token a Web API call goes out with. Listeners
 * get Bolt's per-workspace client; everything else (the board, follow-ups, direct
 * messages after a link, the supervisor group lookup) calls through a client without a
 * token, which adds the token of the workspace the work is for: the one named by
 * `inWorkspace`, or the one whose request started the work. The token is looked up in
 * the installation store on every call, so an uninstalled workspace's token is never sent
 * again; a workspace that never installed (or none named) gets a `not_authed` answer and
 * no call to Slack at all.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { WebClient, type WebAPICallResult, type WebClientOptions } from '@slack/web-api';
import type { InstallationKey, InstallationStore } from '../../store/installations.js';

const workspace = new AsyncLocalStorage<InstallationKey>();

/** Runs `fn` (and all the work it starts) for this workspace. */
export function inWorkspace<T>(key: InstallationKey, fn: () => T): T {
  return workspace.run(key, fn);
}

/** The workspace the current work is for, if any. */
export function currentWorkspace(): InstallationKey | undefined {
  return workspace.getStore();
}

/**
 * Global middleware: the rest of the request (and what it starts) is for its workspace. A
 * workspace acting under its org's org-wide install is remembered (once per process).
 */
export function workspaceOfRequest(installations: Pick<InstallationStore, 'noteOrgWorkspace'>): Middleware<AnyMiddlewareArgs> {
  const noted = new Set<string>();
  return async ({ context, next }) => {
    const teamId = context.teamId;
    const enterpriseId = context.enterpriseId;
    if (context.isEnterpriseInstall && teamId && enterpriseId && !noted.has(`${enterpriseId}/${teamId}`)) {
      await installations.noteOrgWorkspace(teamId, enterpriseId);
      noted.add(`${enterpriseId}/${teamId}`);
    }
    // The workspace's own token, else (through the workspace's org) the org-wide install's.
    const key: InstallationKey = { ...(teamId && { teamId }), ...(enterpriseId && { enterpriseId }), ...(!teamId && context.isEnterpriseInstall && { enterpriseInstall: true }) };
    return inWorkspace(key, () => next());
  };
}

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

function notAuthed(): Response {
  return new Response(JSON.stringify({ ok: false, error: 'not_authed' }), { status: 200, headers: { 'Content-Type': 'application/json' } });
}

/**
 * A Web API client without a token of its own: each call goes out with the current
 * workspace's bot token, read when the call is made (not when its request leaves the
 * client's queue), so calls for two workspaces queued together never swap tokens.
 */
export class WorkspaceWebClient extends WebClient {
  #tokenFor: ((key: InstallationKey) => Promise<string | undefined>) | undefined;

  /** `tokenFor`: the workspace's bot token now (see bot-token-rotation.ts), undefined when not installed. */
  constructor(tokenFor: (key: InstallationKey) => Promise<string | undefined>, options?: WebClientOptions) {
    super(undefined, options);
    this.#tokenFor = tokenFor;
  }

  override async apiCall(method: string, options: Record<string, unknown> = {}): Promise<WebAPICallResult> {
    if (options.token || !this.#tokenFor) return super.apiCall(method, options);
    const key = currentWorkspace();
    const token = key && (key.teamId || key.enterpriseId) ? await this.#tokenFor(key) : undefined;
    return super.apiCall(method, token ? { ...options, token } : options);
  }
}

/** A Web API method (`…/api/chat.postMessage`), not a response_url post (which carries no token). */
function isWebApiMethod(input: string | URL | Request): boolean {
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  try {
    return /\/api\/[\w.]+$/.test(new URL(href).pathname);
  } catch {
    return true;
  }
}

/**
 * Wraps the Web API fetch: a method call that carries no token is answered `not_authed` here and
 * never reaches Slack. Posts to a response_url (Bolt's respond() uses the same fetch) need none.
 */
export function refuseWithoutToken<F>(fetch: F): F {
  const inner = fetch as unknown as Fetch;
  const wrapped: Fetch = async (input, init) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    return headers.Authorization || !isWebApiMethod(input) ? inner(input, init) : notAuthed();
  };
  return wrapped as unknown as F;
}
