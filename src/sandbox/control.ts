/**
 * Test and demo controls under `/_sandbox/` (not part of the UAPI; no token):
 *   GET  /                   short description
 *   GET  /_sandbox/world     users, extensions, calls, faults
 *   POST /_sandbox/reset     back to the starting data (tokens kept)
 *   POST /_sandbox/faults    {latencyMs?, errorRate?, hang?}
 *   POST /_sandbox/calls     {to, from?, callerId?, waitForPickup?}: a public caller rings `to`
 */
import type { Reply } from './errors.js';
import { validateFaults, type SandboxFaults } from './faults.js';
import { placeCall } from './placeCall.js';
import { phoneCallJson, phoneCallUrl } from './present.js';
import type { RequestContext } from './router.js';
import { validateInboundCall } from './validate.js';
import type { World } from './world.js';

export interface ControlDeps {
  world: World;
  faults: () => SandboxFaults;
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
        `Controls:  GET  ${ctx.baseUrl}/_sandbox/world, POST /_sandbox/reset, /_sandbox/faults, /_sandbox/calls`,
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
        calls: [...world.calls.values()].map((c) => ({ id: c.id, extension: c.extension, views: c.views.length })),
        faults: deps.faults(),
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

  function inboundCall(ctx: RequestContext): Reply {
    const req = validateInboundCall(world, ctx.body);
    const call = placeCall(world, {
      extension: req.to.number, orgId: req.to.orgId, source: [req.from], destination: [req.to.number],
      callerId: req.callerId, waitForPickupSec: req.waitForPickup, ringSourceFirst: false,
    });
    return { status: 201, body: phoneCallJson(call, phoneCallUrl(ctx.baseUrl, req.to.ownerId, req.to.number, call.id)) };
  }

  return { index, state, reset, faults, inboundCall };
}
