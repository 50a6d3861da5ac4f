/**
 * PhoneCalls service handlers (reference §2, §4):
 * list (GET), actions (PUT), hang up (DELETE), Create Simple (POST).
 */
import { applyAction } from './actions.js';
import { ApiError, type Reply } from './errors.js';
import { placeCall } from './placeCall.js';
import { actionAcceptedJson, phoneCallJson, phoneCallUrl } from './present.js';
import type { RequestContext } from './router.js';
import { actingExtension, resolveScope, type Scope } from './scope.js';
import { isObjectId, numberLike, validateAction, validateSimpleCall } from './validate.js';
import type { PhoneCall, World } from './world.js';

const SCOPE = { allowSelf: true, denied: 'access_denied' } as const;

/** Paging of List requests: `count` (default 20, max 5000) and `startIndex` (default 0, max 5000). */
function page<T>(items: T[], query: Record<string, string>): T[] {
  const count = numberLike(query.count) ?? 20;
  const start = numberLike(query.startIndex) ?? 0;
  if (!(Number.isInteger(count) && count >= 1 && count <= 5000)) throw new ApiError('count_invalid');
  if (!(Number.isInteger(start) && start >= 0 && start <= 5000)) throw new ApiError('startindex_invalid');
  return items.slice(start, start + count);
}

export function phoneCallHandlers(world: World) {
  const scopeOf = (ctx: RequestContext): Scope => resolveScope(world, ctx.userId, ctx.params.userId, ctx.params.extension, SCOPE);

  /** Self link of a call as seen through the scope (single slash, unlike the pages' `//uapi/`). */
  const selfOf = (ctx: RequestContext, scope: Scope, call: PhoneCall): string => (
    phoneCallUrl(ctx.baseUrl, scope.userSegment, actingExtension(world, scope, call)?.number ?? call.extension, call.id)
  );

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
    const calls = page(callsOf(ctx, scope), ctx.query);
    if (calls.length === 0) return { status: 204 };
    return { status: 200, body: { entry: calls.map((c) => phoneCallJson(c, selfOf(ctx, scope, c))) } };
  }

  /**
   * PUT /uapi/phoneCalls/{userId}/{extension}/{phoneCallId} with a PhoneCallAction.
   * The pages' success tables list 200/204 but every worked example answers
   * 202 Accepted with {id, extension, link}; we answer as the examples do.
   * phoneCallId is required (the tables mark it Required, though some prose
   * says "if not provided, all phone calls … are put on hold").
   */
  function act(ctx: RequestContext): Reply {
    const scope = scopeOf(ctx);
    if (ctx.params.phoneCallId === undefined) throw new ApiError('pc_phonecall_invalid');
    const call = callsOf(ctx, scope)[0];
    const acting = call && actingExtension(world, scope, call);
    if (!call || !acting) throw new ApiError('pc_phonecall_invalid');
    const req = validateAction(world, call, ctx.body, acting);
    applyAction(world, call, req, acting);
    return { status: 202, body: actionAcceptedJson(call, selfOf(ctx, scope, call)) };
  }

  /**
   * DELETE /uapi/phoneCalls/{userId}/{extension}[/{phoneCallId}][?phoneNumber=]
   * hangs up → 200 [{id}…], or 204 when nothing was hung up.
   */
  function hangup(ctx: RequestContext): Reply {
    const scope = scopeOf(ctx);
    const number = ctx.query.phoneNumber;
    const calls = callsOf(ctx, scope).filter((c) => (
      number === undefined || c.views.some((v) => v.source.includes(number) || v.destination.includes(number))
    ));
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
      extension: req.extension.number, orgId: req.extension.orgId,
      source: req.source, destination: req.destination, callerId: req.callerId, nonce: req.nonce,
      waitForPickupSec: req.waitForPickup, callDurationSec: req.callDuration, ringSourceFirst: true,
    });
    return { status: 200, body: [phoneCallJson(call, phoneCallUrl(ctx.baseUrl, scope.userSegment, call.extension, call.id))] };
  }

  return { list, act, hangup, create };
}
