/**
 * Desk-phone controls: what a person at the phone does to a call, with no UAPI
 * token — pick up a ringing call, hold and resume, park and take it back,
 * transfer, hang up. Hold, park and transfer go through the same code as the
 * PhoneCallActions (actions.ts), so a desk hold looks exactly like an OnHold
 * request; call events fire as for any call (none for hold or park).
 *
 * Also the sandbox's own way of placing calls: inbound (a public caller rings
 * an extension or a queue) and outbound (an extension dials a public number).
 */
import { applyAction } from './phone-call-actions.js';
import { placeCall } from './place-call.js';
import { isQueue, preferAgent } from './queue.js';
import { validateInboundCall } from './validate.js';
import type { Extension, PhoneCall, PhoneCallView, World } from './world.js';

export const DESK_ACTIONS = ['answer', 'hold', 'resume', 'park', 'unpark', 'transfer', 'hangup'] as const;
export type DeskAction = (typeof DESK_ACTIONS)[number];

/** A refused desk control: 400 bad input, 404 no such call, 409 the call is not in a state that allows it. */
export class DeskError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DeskOptions {
  /** view id to act on; default the phone terminal's view (the agent's on a queue call) */
  view?: string;
  /** answer: the queue agent who picks up */
  agent?: string;
  /** transfer: the extension or public number to send the call to */
  to?: string;
  /** park: seconds in the parking lot before it rings back, default 180 */
  maxInParking?: number;
}

function bad(message: string): never {
  throw new DeskError(400, 'control_invalid', message);
}

/** The desk's view: the one whose extension is a phone terminal (not a whisper/listen leg), else view 01. */
export function deskView(world: World, call: PhoneCall, viewId?: string): PhoneCallView {
  if (viewId !== undefined) {
    const v = world.view(call, viewId);
    if (!v) throw new DeskError(404, 'view_not_found', `Call ${call.id} has no view "${viewId}"; it has ${call.views.map((x) => x.id).join(', ')}.`);
    return v;
  }
  const own = call.views.filter((v) => v.mode === undefined);
  const terminal = [...own].reverse().find((v) => world.extensions.get(v.extension)?.type === 'phoneTerminal');
  const view = terminal ?? own[0] ?? call.views[0];
  if (!view) throw new DeskError(409, 'call_state_invalid', `Call ${call.id} has no view to act on.`);
  return view;
}

function actingExtension(world: World, call: PhoneCall, view: PhoneCallView): Extension {
  const ext = world.extensions.get(view.extension) ?? world.extensions.get(call.extension);
  if (!ext) throw new DeskError(409, 'call_state_invalid', `Call ${call.id} has no local extension to act from.`);
  return ext;
}

function conflict(call: PhoneCall, what: string, why: string): never {
  throw new DeskError(409, 'call_state_invalid', `Cannot ${what} call ${call.id}: ${why}.`);
}

/** Runs one desk control on a live call; returns the call (undefined after hangup). */
export function deskControl(world: World, callId: string, action: DeskAction, opts: DeskOptions = {}): PhoneCall | undefined {
  const call = world.calls.get(callId);
  if (!call) throw new DeskError(404, 'call_not_found', `No live call ${callId}; GET /_sandbox/world lists the live calls.`);
  if (action === 'hangup') {
    world.hangup(call);
    return undefined;
  }
  if (action === 'answer') {
    const [key] = world.ringsOf(call.id);
    if (key === undefined) conflict(call, 'answer', 'nothing is ringing on it');
    if (opts.agent !== undefined) {
      const queue = world.extensions.get(call.extension);
      if (!isQueue(queue) || !(queue.agents ?? []).includes(opts.agent)) {
        bad(`agent must be one of the queue's agents (${(queue?.agents ?? []).join(', ') || 'none: not a queue call'}).`);
      }
      preferAgent(call, opts.agent);
    }
    world.answerRing(key);
    return call;
  }
  const view = deskView(world, call, opts.view);
  const acting = actingExtension(world, call, view);
  const talking = view.status === 5 && view.parked === undefined;
  switch (action) {
    case 'hold':
      if (!talking) conflict(call, 'hold', view.parked !== undefined ? 'it is parked' : 'it is not answered yet');
      if (view.onHold !== undefined) conflict(call, 'hold', 'it is already on hold');
      applyAction(world, call, { action: 'OnHold', view }, acting);
      return call;
    case 'resume':
      if (view.onHold !== undefined) {
        applyAction(world, call, { action: 'OffHold', view }, acting);
        return call;
      }
      if (view.parked !== undefined) return unparkHere(world, call, view);
      return conflict(call, 'resume', 'it is neither on hold nor parked');
    case 'unpark':
      if (view.parked === undefined) conflict(call, 'unpark', 'it is not parked');
      return unparkHere(world, call, view);
    case 'park': {
      if (!talking) conflict(call, 'park', view.parked !== undefined ? 'it is already parked' : 'it is not answered yet');
      const max = opts.maxInParking ?? 180;
      if (!(max >= 10 && max <= 3600)) bad('maxInParking must be a number of seconds from 10 to 3600.');
      applyAction(world, call, { action: 'Park', view, maxInParking: max }, acting);
      return call;
    }
    case 'transfer': {
      if (!talking) conflict(call, 'transfer', 'it is not an answered call');
      const to = opts.to === undefined ? undefined : (world.findExtension(opts.to, acting.orgId)?.number ?? (/^\+?\d{1,32}$/.test(opts.to) ? opts.to : undefined));
      if (to === undefined) bad('to must be an extension (e.g. 0003*025) or a public number (e.g. +15550001111).');
      const from = [...view.source, ...view.destination].includes(view.extension) ? view.extension : (view.source[0] ?? view.extension);
      applyAction(
        world,
        call,
        {
          action: 'Transfer',
          view,
          sendCallTo: to,
          waitForPickup: 25,
          transferFrom: from,
        },
        acting,
      );
      return call;
    }
  }
}

/**
 * The person who parked the call takes it back at their phone: the call leaves
 * the parking lot and is on call again. No call event (VoipNow has none for park).
 */
function unparkHere(world: World, call: PhoneCall, view: PhoneCallView): PhoneCall {
  world.cancel(`${call.id}:park:${view.id}`);
  delete view.parked;
  delete view.parkedPos;
  delete view.parkedBy;
  return call;
}

/** The options of a desk control from a JSON body. */
export function deskOptionsOf(body: unknown): DeskOptions {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) bad('The body must be a JSON object (or empty).');
  const b = body as Record<string, unknown>;
  const out: DeskOptions = {};
  for (const k of ['view', 'agent', 'to'] as const) {
    if (b[k] === undefined) continue;
    if (typeof b[k] !== 'string') bad(`${k} must be a string.`);
    out[k] = b[k] as string;
  }
  if (b.maxInParking !== undefined) {
    if (typeof b.maxInParking !== 'number') bad('maxInParking must be a number of seconds from 10 to 3600.');
    out.maxInParking = b.maxInParking;
  }
  return out;
}

export interface PlacedCall {
  call: PhoneCall;
  charged: Extension;
}

/**
 * POST /_sandbox/calls. Inbound: `{to: extension or queue, from?, callerId?, waitForPickup?}`.
 * Outbound: `{from: extension, to: public number}`. `autoAnswer: false` keeps the
 * destination ringing until a desk answer (or waitForPickup runs out).
 */
export function placeSandboxCall(world: World, raw: unknown): PlacedCall {
  const body = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  if (body.autoAnswer !== undefined && typeof body.autoAnswer !== 'boolean') bad('autoAnswer must be true or false.');
  const answerAfterMs = body.autoAnswer === false ? Number.POSITIVE_INFINITY : undefined;
  const from = typeof body.from === 'string' ? world.findExtension(body.from.trim()) : undefined;
  const toIsExtension = typeof body.to === 'string' && world.findExtension(body.to.trim()) !== undefined;
  if (from && !toIsExtension) {
    // Dial-out: a phone terminal calls a public number.
    const to = typeof body.to === 'string' ? body.to.trim() : '';
    if (!/^\+?\d{1,32}$/.test(to)) bad('to must be an extension (e.g. 0003*210) or, for a call from an extension, a public number (e.g. +15550001111).');
    if (from.type !== 'phoneTerminal') bad('from must be a phone terminal extension to dial out, e.g. 0003*210.');
    const wait = body.waitForPickup === undefined ? 25 : Number(body.waitForPickup);
    if (!(wait > 0)) bad('waitForPickup must be a number of seconds above 0.');
    const call = placeCall(world, {
      extension: from.number,
      orgId: from.orgId,
      source: [from.number],
      destination: [to],
      waitForPickupSec: wait,
      ringSourceFirst: false,
      ...(answerAfterMs !== undefined ? { answerAfterMs } : {}),
    });
    return { call, charged: from };
  }
  const req = validateInboundCall(world, body);
  const call = placeCall(world, {
    extension: req.to.number,
    orgId: req.to.orgId,
    source: [req.from],
    destination: [req.to.number],
    callerId: req.callerId,
    waitForPickupSec: req.waitForPickup,
    ringSourceFirst: false,
    ...(answerAfterMs !== undefined ? { answerAfterMs } : {}),
  });
  return { call, charged: req.to };
}
