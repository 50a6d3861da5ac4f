/**
 * PhoneCalls service handlers (reference §2, §4):
 * list (GET), actions (PUT), hang up (DELETE), Create Simple (POST).
 */
import { applyAction } from './phone-call-actions.js';
import { ApiError, type Reply } from './errors.js';
import { applyListQuery, type ListRules } from './list-query.js';
import { placeCall } from './place-call.js';
import { actionAcceptedJson, actionUrl, phoneCallJson, phoneCallUrl } from './present.js';
import type { RequestContext } from './route-matcher.js';
import { actingExtension, resolveScope, type Scope } from './scope.js';
import { isObjectId, validateAction, validateSimpleCall } from './validate.js';
import type { Extension, PhoneCall, World } from './world.js';

const SCOPE = { allowSelf: true, denied: 'access_denied' } as const;

/** List PhoneCalls page: filterBy id or published; "records are always ordered by their publish time". */
const LIST_RULES: ListRules = {
  filterable: ['id', 'published'],
  fields: ['id', 'nonce', 'extension', 'ownerId', 'ownerName', 'published', 'answered', 'phoneCallView', 'link', 'links'],
  always: ['id', 'link', 'links'],
  sortKey: 'published',
  dates: ['published', 'answered'],
};

export interface PhoneCallHandlerOptions {
  /** action answers carry the pages' `https://host//uapi/…` link (default true) */
  pageLinks?: boolean;
}

export function phoneCallHandlers(world: World, opts: PhoneCallHandlerOptions = {}) {
  const pageLinks = opts.pageLinks ?? true;
  const scopeOf = (ctx: RequestContext): Scope => resolveScope(world, ctx.userId, ctx.params.userId, ctx.params.extension, SCOPE);

  /** Self link of a call as seen through the scope (single slash, unlike the pages' `//uapi/`). */
  const selfOf = (ctx: RequestContext, scope: Scope, call: PhoneCall): string =>
    phoneCallUrl(ctx.baseUrl, scope.userSegment, actingExtension(world, scope, call)?.number ?? call.extension, call.id);

  /** Calls of the scope, narrowed to the URI phoneCallId when there is one. */
  const callsOf = (ctx: RequestContext, scope: Scope): PhoneCall[] => {
    const id = ctx.params.phoneCallId;
    if (id !== undefined && !isObjectId(id)) throw new ApiError('pc_phonecall_invalid');
    const calls = world.callsOf(scope.extensions.map((e) => e.number));
    return id === undefined ? calls : calls.filter((c) => c.id === id);
  };

  /**
   * GET /uapi/phoneCalls/{userId}/{extension}[/{phoneCallId}] → {"entry":[…]},
   * or 204 when there is nothing to return (also for a call that has ended).
   */
  function list(ctx: RequestContext): Reply {
    const scope = scopeOf(ctx);
    const all = callsOf(ctx, scope).map((c) => phoneCallJson(c, selfOf(ctx, scope, c)));
    const entry = applyListQuery(all, ctx.query, LIST_RULES);
    if (entry.length === 0) return { status: 204 };
    return { status: 200, body: { entry } };
  }

  const acceptedOf = (ctx: RequestContext, scope: Scope, call: PhoneCall, acting: Extension) =>
    actionAcceptedJson(call, actionUrl(ctx.baseUrl, scope.userSegment, acting.number, call.id, pageLinks));

  /**
   * PUT /uapi/phoneCalls/{userId}/{extension}/{phoneCallId} with a PhoneCallAction.
   * The pages' success tables list 200/204 but every worked example answers
   * 202 Accepted with {id, extension, link}; we answer as the examples do.
   * Without a phoneCallId the action applies to every call of the extension
   * (OnHold page: "if not provided, all phone calls … are put on hold"; the
   * UnPark page says the same).
   */
  function act(ctx: RequestContext): Reply {
    const scope = scopeOf(ctx);
    if (ctx.params.phoneCallId === undefined) return actOnAll(ctx, scope);
    const call = callsOf(ctx, scope)[0];
    const acting = call && actingExtension(world, scope, call);
    if (!call || !acting) throw new ApiError('pc_phonecall_invalid');
    const req = validateAction(world, call, ctx.body, acting);
    applyAction(world, call, req, acting);
    return { status: 202, body: acceptedOf(ctx, scope, call, acting) };
  }

  /**
   * Every call of the extension the action can apply to. Without a
   * phoneCallViewId each call's own view of the extension is used. 202 with
   * one short answer per call; 204 when the extension has no call; the first
   * error when the action fits none of them.
   */
  function actOnAll(ctx: RequestContext, scope: Scope): Reply {
    const calls = callsOf(ctx, scope);
    if (calls.length === 0) return { status: 204 };
    const body = ctx.body;
    const accepted: Record<string, unknown>[] = [];
    let firstError: ApiError | undefined;
    for (const call of calls) {
      const acting = actingExtension(world, scope, call);
      if (!acting) continue;
      const own = call.views.find((v) => v.extension === acting.number) ?? call.views[0];
      const withView =
        typeof body === 'object' && body !== null && !Array.isArray(body) && (body as Record<string, unknown>).phoneCallViewId === undefined && own
          ? { ...(body as Record<string, unknown>), phoneCallViewId: own.id }
          : body;
      try {
        applyAction(world, call, validateAction(world, call, withView, acting), acting);
        accepted.push(acceptedOf(ctx, scope, call, acting));
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        firstError ??= err;
      }
    }
    if (accepted.length === 0) throw firstError ?? new ApiError('pc_phonecall_invalid');
    return { status: 202, body: accepted };
  }

  /**
   * DELETE /uapi/phoneCalls/{userId}/{extension}[/{phoneCallId}][?phoneNumber=]
   * hangs up → 200 [{id}…], or 204 when nothing was hung up.
   */
  function hangup(ctx: RequestContext): Reply {
    const scope = scopeOf(ctx);
    const number = ctx.query.phoneNumber;
    const calls = callsOf(ctx, scope).filter((c) => number === undefined || c.views.some((v) => v.source.includes(number) || v.destination.includes(number)));
    for (const c of calls) world.hangup(c);
    return calls.length === 0 ? { status: 204 } : { status: 200, body: calls.map((c) => ({ id: c.id })) };
  }

  /**
   * POST /uapi/phoneCalls/{userId}/simple → 200 [PhoneCall] (4PSA's apps read
   * `[0].id` and `[0].links.self`). The PBX rings the source, then the destination.
   */
  function create(ctx: RequestContext): Reply {
    const scope = resolveScope(world, ctx.userId, ctx.params.userId, '@self', SCOPE);
    const req = validateSimpleCall(world, scope.user, ctx.body, ctx.query);
    const call = placeCall(world, {
      extension: req.extension.number,
      orgId: req.extension.orgId,
      source: req.source,
      destination: req.destination,
      callerId: req.callerId,
      nonce: req.nonce,
      waitForPickupSec: req.waitForPickup,
      callDurationSec: req.callDuration,
      ringSourceFirst: true,
    });
    return { status: 200, body: [phoneCallJson(call, phoneCallUrl(ctx.baseUrl, scope.userSegment, call.extension, call.id))] };
  }

  return { list, act, hangup, create };
}
