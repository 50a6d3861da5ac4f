/**
 * Only users of the installing workspace (or of its Enterprise Grid org) act.
 * In a Slack Connect channel a user of another organisation sees the board's
 * buttons and can type `/call`; such a command or press is refused privately
 * before any listener runs, so nothing reaches VoipNow. A missing or empty
 * team id is a refusal, never a fallback to the installation's team.
 */
import type { Middleware, AnyMiddlewareArgs } from '@slack/bolt';
import type { Logger } from '../../log.js';

export interface Installation {
  teamId: string;
  enterpriseId?: string;
}

export const NOT_AVAILABLE = 'callops is not available to you: it only acts for members of the workspace that installed it. Nothing was sent to VoipNow.';

type Body = Record<string, unknown>;

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const objectOf = (v: unknown): Body => (typeof v === 'object' && v !== null ? (v as Body) : {});

/** The acting user's team and org, as the payload gives them ('' when absent). */
export function actingTeam(body: Body): { teamId: string; enterpriseId: string } | undefined {
  if (typeof body.command === 'string') {
    return { teamId: text(body.user_team_id ?? body.team_id), enterpriseId: text(body.enterprise_id) };
  }
  if (body.type === 'block_actions' || body.type === 'view_submission' || body.type === 'message_action' || body.type === 'shortcut') {
    const user = objectOf(body.user);
    return { teamId: text(user.team_id), enterpriseId: text(objectOf(body.enterprise).id) };
  }
  return undefined;
}

export function mayAct(acting: { teamId: string; enterpriseId: string }, installation: Installation): boolean {
  if (acting.teamId === '') return false;
  if (acting.teamId === installation.teamId) return true;
  return Boolean(installation.enterpriseId) && acting.enterpriseId === installation.enterpriseId;
}

/** What the guard reads of a request, and its answers (Bolt's middleware arguments have them). */
export interface GuardedRequest {
  body: unknown;
  ack?: (response?: unknown) => Promise<void>;
  respond?: (message: unknown) => Promise<unknown>;
}

/**
 * Foreign users get a private refusal; everyone else goes on to `next`. Called inside the
 * app's one request-scope step (app-listeners.ts), or as Bolt middleware (`workspaceGuard`).
 */
export function guardWorkspace(installation: () => Installation | undefined, logger: Logger): (request: GuardedRequest, next: () => Promise<void>) => Promise<void> {
  return async (request, next) => {
    const body = request.body as Body;
    const acting = actingTeam(body);
    const home = installation();
    if (!acting || !home || mayAct(acting, home)) return next();
    logger.warn('refused a request from a user outside the installing workspace', { team: acting.teamId || '(none)' });
    if (typeof body.command === 'string') return void (await request.ack?.({ response_type: 'ephemeral', text: NOT_AVAILABLE }));
    await request.ack?.();
    await request.respond?.({ response_type: 'ephemeral', replace_original: false, text: NOT_AVAILABLE }).catch(() => undefined);
  };
}

/** Global middleware: foreign users get a private refusal; everyone else goes on. */
export function workspaceGuard(installation: () => Installation | undefined, logger: Logger): Middleware<AnyMiddlewareArgs> {
  const guard = guardWorkspace(installation, logger);
  return async (args) => guard(args as unknown as GuardedRequest, args.next);
}

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Wraps the Web API fetch: an `auth.test` answer records the installation's team and org. */
export function noteInstallation<F>(fetch: F, found: (i: Installation) => void): F {
  const inner = fetch as unknown as Fetch;
  const wrapped: Fetch = async (input, init) => {
    const res = await inner(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.endsWith('/auth.test') && res.ok) {
      const body = (await res
        .clone()
        .json()
        .catch(() => ({}))) as Body;
      if (body.ok === true && text(body.team_id)) found({ teamId: text(body.team_id), ...(text(body.enterprise_id) && { enterpriseId: text(body.enterprise_id) }) });
    }
    return res;
  };
  return wrapped as unknown as F;
}
