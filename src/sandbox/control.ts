/**
 * Test and demo controls under `/_sandbox/` (not part of the UAPI; no token):
 *   GET  /                   short description
 *   GET  /_sandbox/world     users, extensions, calls, faults
 *   POST /_sandbox/reset     back to the starting data (tokens kept)
 *   POST /_sandbox/faults    {latencyMs?, errorRate?, hang?, hangReadsEndingWith?, dropEvents?, seed?}
 *   POST /_sandbox/calls     {to, from?, callerId?, waitForPickup?, autoAnswer?}: a public caller rings `to`
 *                            (an extension or a queue), or extension `from` dials public number `to`
 *   POST /_sandbox/calls/{id}/answer|hold|resume|park|unpark|transfer|hangup   desk-phone controls (desk.ts)
 *   POST /_sandbox/traffic   {callsPerMinute, extensions?, holdShare?, …}: generated calls (traffic.ts); GET: status
 *   GET  /_sandbox/changes?since=N   call state changes with their times (changes.ts)
 *   POST /_sandbox/extensions {count, orgId?, first?}: more phone terminals (extensions.ts)
 */
import type { DeliveryStats } from './call-events.js';
import { callState, type ChangeLog } from './changes.js';
import type { Reply } from './errors.js';
import { validateFaults, type SandboxFaults } from './faults.js';
import { DESK_ACTIONS, deskControl, DeskError, deskOptionsOf, placeSandboxCall, type DeskAction } from './desk.js';
import { phoneCallJson, phoneCallUrl } from './present.js';
import type { RequestContext } from './route-matcher.js';
import { validateTraffic, type TrafficGenerator } from './traffic.js';
import { addExtensions, validateAddExtensions } from './extensions.js';
import type { PhoneCall, World } from './world.js';

export interface ControlDeps {
  world: World;
  faults: () => SandboxFaults;
  deliveries: () => DeliveryStats;
  traffic: TrafficGenerator;
  changes: ChangeLog;
  setFaults: (f: SandboxFaults) => void;
  reset: () => void;
  clientId: string;
}

export function controlHandlers(deps: ControlDeps) {
  const { world } = deps;

  function index(ctx: RequestContext): Reply {
    return {
      status: 200,
      text: [
        'callops sandbox PBX — a VoipNow Unified API (UAPI) look-alike.',
        '',
        `Token:     POST ${ctx.baseUrl}/oauth/token.php  (grant_type=client_credentials&client_id=${deps.clientId}&client_secret=…)`,
        `Consent:   GET  ${ctx.baseUrl}/oauth/authorize.php?response_type=code&client_id=${deps.clientId}&redirect_uri=…&state=…`,
        `Calls:     GET  ${ctx.baseUrl}/uapi/phoneCalls/@me/0003*210   (Authorization: Bearer …)`,
        `Events:    GET  ${ctx.baseUrl}/uapi/extensions/@me/0003*210/phoneCallEvents`,
        `Controls:  GET  ${ctx.baseUrl}/_sandbox/world, POST /_sandbox/reset, /_sandbox/faults, /_sandbox/calls, /_sandbox/calls/{id}/answer|hold|resume|park|unpark|transfer|hangup, /_sandbox/traffic`,
        '',
      ].join('\n'),
    };
  }

  function state(): Reply {
    return {
      status: 200,
      body: {
        users: [...world.users.values()],
        extensions: [...world.extensions.values()],
        calls: [...world.calls.values()].map((c) => ({ id: c.id, extension: c.extension, state: callState(c), views: c.views.length })),
        faults: deps.faults(),
        deliveries: deps.deliveries(),
        traffic: deps.traffic.status(),
      },
    };
  }

  function reset(): Reply {
    deps.reset();
    return { status: 200, body: { reset: true } };
  }

  function faults(ctx: RequestContext): Reply {
    deps.setFaults(validateFaults(ctx.body));
    return { status: 200, body: { faults: deps.faults() } };
  }

  function callJson(ctx: RequestContext, call: PhoneCall): unknown {
    const charged = world.extensions.get(call.extension);
    return phoneCallJson(call, phoneCallUrl(ctx.baseUrl, charged?.ownerId ?? call.ownerId, call.extension, call.id));
  }

  function inboundCall(ctx: RequestContext): Reply {
    try {
      const { call } = placeSandboxCall(world, ctx.body);
      return { status: 201, body: callJson(ctx, call) };
    } catch (err) {
      return deskErrorReply(err);
    }
  }

  function desk(ctx: RequestContext): Reply {
    const id = ctx.params.id ?? '';
    const action = DESK_ACTIONS.find((a) => a === ctx.params.action) as DeskAction | undefined;
    if (!action) {
      return deskErrorReply(new DeskError(404, 'control_invalid', `Unknown desk control "${ctx.params.action ?? ''}"; allowed: ${DESK_ACTIONS.join(', ')}.`));
    }
    try {
      const call = deskControl(world, id, action, deskOptionsOf(ctx.body));
      return { status: 200, body: call ? callJson(ctx, call) : { id, ended: true } };
    } catch (err) {
      return deskErrorReply(err);
    }
  }

  function traffic(ctx: RequestContext): Reply {
    return { status: 200, body: { traffic: deps.traffic.configure(validateTraffic(world, ctx.body)) } };
  }

  function trafficStatus(): Reply {
    return { status: 200, body: { traffic: deps.traffic.status() } };
  }

  /** GET /_sandbox/changes?since=N: call state changes after seq N, oldest first. */
  function changes(ctx: RequestContext): Reply {
    const since = Number(ctx.query.since ?? 0);
    if (!Number.isInteger(since) || since < 0) {
      return { status: 400, body: { error: { code: 'request_invalid', message: 'since must be a whole number >= 0 (the seq of the last change you have).' } } };
    }
    const list = deps.changes.since(since);
    return { status: 200, body: { changes: list, last: list.at(-1)?.seq ?? since } };
  }

  /** POST /_sandbox/extensions: `count` more phone terminals, each with its own user. */
  function extensions(ctx: RequestContext): Reply {
    const added = addExtensions(world, validateAddExtensions(world, ctx.body));
    return { status: 201, body: { added: added.length, first: added[0]?.number, last: added.at(-1)?.number } };
  }

  return { index, state, reset, faults, inboundCall, desk, traffic, trafficStatus, changes, extensions };
}

/** A DeskError as `{error:{code,message}}` with its status; anything else is rethrown to errorReply(). */
function deskErrorReply(err: unknown): Reply {
  if (err instanceof DeskError) return { status: err.status, body: { error: { code: err.code, message: err.message } } };
  throw err;
}
