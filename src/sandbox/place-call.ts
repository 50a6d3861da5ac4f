/**
 * Starting new calls: Create Simple PhoneCalls (click-to-call: the PBX rings
 * the source first, then the destination) and inbound calls started through
 * the sandbox controls (the destination rings).
 *
 * Status progression (PhoneCalls resource): 3 ringing → 4 other side ringing
 * → 5 on call. A call nobody answers within waitForPickup is cancelled.
 */
import { answer } from './phone-call-actions.js';
import { connectAgent } from './queue.js';
import { flowOf, isoDate, newCallId, type PhoneCall, type PhoneCallView, type World } from './world.js';

export interface PlaceCallSpec {
  /** extension charged for the call (and whose view "01" is) */
  extension: string;
  orgId: string;
  source: string[];
  destination: string[];
  callerId?: string;
  nonce?: string;
  waitForPickupSec: number;
  callDurationSec?: number;
  /** click-to-call: ring the source before dialling the destination */
  ringSourceFirst: boolean;
  /** the destination picks up after this long instead of pickupDelayMs; Infinity = only a desk answer */
  answerAfterMs?: number;
}

export function placeCall(world: World, spec: PlaceCallSpec): PhoneCall {
  const now = isoDate();
  const caller = spec.source[0] ?? spec.extension;
  const called = spec.destination[0] ?? spec.extension;
  const view: PhoneCallView = {
    id: '01',
    extension: spec.extension,
    ringing: now,
    status: 3,
    callerId: spec.callerId ?? world.extensions.get(caller)?.callerId,
    source: spec.source,
    destination: spec.destination,
    flow: flowOf(world, spec.source, spec.destination),
  };
  const call: PhoneCall = {
    id: newCallId(),
    extension: spec.extension,
    ownerId: spec.orgId,
    ownerName: world.org(spec.orgId)?.name ?? '',
    published: now,
    views: [view],
    ...(spec.nonce !== undefined ? { nonce: spec.nonce } : {}),
  };
  world.calls.set(call.id, call);

  const drop = () => world.hangup(call, false);
  const dialDestination = () => {
    if (spec.ringSourceFirst) view.status = 4;
    world.ring({
      call,
      key: `ring:${view.id}`,
      target: called,
      waitForPickupSec: spec.waitForPickupSec,
      leg: { caller, called, callerId: view.callerId },
      ...(spec.answerAfterMs !== undefined ? { answerAfterMs: spec.answerAfterMs } : {}),
      onAnswer: () => {
        answer(call, view);
        connectAgent(world, call, view);
        if (spec.callDurationSec !== undefined) {
          world.schedule(`${call.id}:duration`, spec.callDurationSec * 1000, () => world.hangup(call));
        }
      },
      onCancel: drop,
    });
  };
  if (spec.ringSourceFirst) {
    world.ring({
      call,
      key: `ring:${view.id}`,
      target: caller,
      waitForPickupSec: spec.waitForPickupSec,
      onAnswer: dialDestination,
      onCancel: drop,
    });
  } else {
    dialDestination();
  }
  return call;
}
