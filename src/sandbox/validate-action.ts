/**
 * The PhoneCallAction request (PUT on a phone call) validated per the seed
 * pages: which action, on which view, ringing whom, with which options.
 */
import { ApiError, type ErrorCode } from './errors.js';
import type { Extension, PhoneCall, PhoneCallView, World } from './world.js';
import { asObject, callerIdOf, oneOf, partyOf, waitForPickupOf, numberLike } from './validate-fields.js';

export const ACTIONS = ['OnHold', 'OffHold', 'Park', 'UnPark', 'PickUp', 'Whisper', 'Monitor', 'BargeIn', 'Transfer', 'TransferToVoicemail', 'StartRecording', 'StopRecording'] as const;
export type ActionName = (typeof ACTIONS)[number];

interface RingFields {
  sendCallTo: string;
  callerId?: string;
  waitForPickup: number;
}

export type ActionRequest =
  | { action: 'OnHold' | 'OffHold' | 'StopRecording'; view: PhoneCallView }
  | { action: 'StartRecording'; view: PhoneCallView; format: string }
  | { action: 'Park'; view: PhoneCallView; maxInParking: number }
  | ({ action: 'UnPark' | 'PickUp' | 'Monitor' | 'BargeIn'; view: PhoneCallView } & RingFields)
  | ({ action: 'Whisper'; view: PhoneCallView; private: 0 | 1 } & RingFields)
  | ({ action: 'Transfer'; view: PhoneCallView; transferFrom: string } & RingFields)
  | { action: 'TransferToVoicemail'; view: PhoneCallView; sendCallTo: string; transferNumber: string };

/**
 * Validates a PhoneCallAction body against the call. `acting` is the extension
 * the request acts for (the URI extension, or the user's extension in the call
 * when the URI says @self).
 */
export function validateAction(world: World, call: PhoneCall, rawBody: unknown, acting: Extension): ActionRequest {
  const body = asObject(rawBody);
  const action = ACTIONS.find((a) => a === body.action);
  if (!action) throw new ApiError('pc_action_invalid');

  const rawView = body.phoneCallViewId;
  const viewId = typeof rawView === 'number' ? String(rawView).padStart(2, '0') : rawView;
  let view = typeof viewId === 'string' ? world.view(call, viewId) : undefined;
  // Transfer page: its example sends no phoneCallViewId, only the parties
  // (`transferFromNumber`, `transferNumber`); the view is the one they are in.
  if (!view && (rawView === undefined || rawView === null) && (action === 'Transfer' || action === 'TransferToVoicemail')) {
    view = viewOfParties(world, call, body, acting);
  }
  if (!view) throw new ApiError('pc_phonecallview_invalid');

  switch (action) {
    case 'OnHold':
    case 'OffHold':
    case 'StopRecording':
      return { action, view };
    case 'StartRecording': {
      const format = body.format ?? 'wav';
      if (format !== 'wav' && format !== 'wav49') throw new ApiError('pc_format_invalid');
      return { action, view, format };
    }
    case 'Park': {
      // Park page: maxInParking in seconds; the MCP server documents 10..3600, default 180.
      const max = numberLike(body.maxInParking) ?? 180;
      if (!(max >= 10 && max <= 3600)) throw new ApiError('pc_maxinparking_invalid');
      return { action, view, maxInParking: max };
    }
    case 'UnPark':
      // Not on the page: a view that is not in the parking lot cannot be
      // retrieved from it, so it is not a valid view for UnPark.
      if (view.parked === undefined) throw new ApiError('pc_phonecallview_invalid', 'The phone call view is not parked.');
      return { action, view, ...ringFields(world, body, acting) };
    case 'PickUp':
      if (view.status !== 3) throw new ApiError('pc_phonecallview_invalid', 'The phone call view is not ringing.');
      return { action, view, ...ringFields(world, body, acting) };
    case 'Monitor':
    case 'BargeIn':
      return { action, view, ...ringFields(world, body, acting) };
    case 'Whisper': {
      const fields = ringFields(world, body, acting);
      const priv = oneOf(body.private, [0, 1], 'pc_private_invalid') ?? 0;
      return { action, view, ...fields, private: priv as 0 | 1 };
    }
    case 'Transfer': {
      // Transfer page: sendCallTo is an extension or a public number.
      const target = partyOf(world, body.sendCallTo, acting.orgId);
      const ext = target === null ? undefined : world.extensions.get(target);
      if (target === null || (ext && ext.orgId !== acting.orgId)) throw new ApiError('pc_sendcallto_invalid');
      return {
        action,
        view,
        sendCallTo: target,
        callerId: callerIdOf(body.callerId),
        waitForPickup: waitForPickupOf(body),
        transferFrom: viewParty(world, view, body.transferFromNumber, acting, 'pc_transferfromnumber_invalid') ?? defaultLocalParty(view),
      };
    }
    case 'TransferToVoicemail': {
      const ext = typeof body.sendCallTo === 'string' ? world.findExtension(body.sendCallTo, acting.orgId) : undefined;
      if (ext?.type !== 'phoneTerminal' || ext.orgId !== acting.orgId) throw new ApiError('pc_sendcallto_invalid');
      return {
        action,
        view,
        sendCallTo: ext.number,
        transferNumber: viewParty(world, view, body.transferNumber, acting, 'pc_transfernumber_invalid') ?? defaultRemoteParty(view),
      };
    }
  }
}

/**
 * sendCallTo "must refer to a Phone Terminal Extension" (UnPark, Whisper) and
 * "must be in the same Organization as the Extension given in the URI-Fragment"
 * (Whisper, BargeIn); we apply both to every action that rings an extension.
 */
function ringFields(world: World, body: Record<string, unknown>, acting: Extension): RingFields {
  const raw = typeof body.sendCallTo === 'number' ? String(body.sendCallTo) : body.sendCallTo;
  const ext = typeof raw === 'string' ? world.findExtension(raw.trim(), acting.orgId) : undefined;
  if (ext?.type !== 'phoneTerminal' || ext.orgId !== acting.orgId) throw new ApiError('pc_sendcallto_invalid');
  return { sendCallTo: ext.number, callerId: callerIdOf(body.callerId), waitForPickup: waitForPickupOf(body) };
}

/** The view holding the transfer's parties, else the acting extension's own view, else the first. */
function viewOfParties(world: World, call: PhoneCall, body: Record<string, unknown>, acting: Extension): PhoneCallView | undefined {
  const parties = [body.transferFromNumber, body.transferNumber].map((v) => (v === undefined || v === null ? null : partyOf(world, v, acting.orgId))).filter((p): p is string => p !== null);
  const has = (v: PhoneCallView, n: string) => v.source.includes(n) || v.destination.includes(n);
  return (
    call.views.find((v) => parties.length > 0 && parties.every((p) => has(v, p))) ??
    call.views.find((v) => parties.some((p) => has(v, p))) ??
    call.views.find((v) => v.extension === acting.number) ??
    call.views[0]
  );
}

/** A number that must be the source or destination of the view; undefined when absent. */
function viewParty(world: World, view: PhoneCallView, v: unknown, acting: Extension, code: ErrorCode): string | undefined {
  if (v === undefined || v === null) return undefined;
  const party = partyOf(world, v, acting.orgId);
  if (party === null || ![...view.source, ...view.destination].includes(party)) throw new ApiError(code);
  return party;
}

/** The party whose perspective the view describes (its extension), when it takes part. */
function defaultLocalParty(view: PhoneCallView): string {
  return [...view.source, ...view.destination].includes(view.extension) ? view.extension : (view.source[0] ?? view.extension);
}

/** The other side of the view. */
function defaultRemoteParty(view: PhoneCallView): string {
  return [...view.source, ...view.destination].find((n) => n !== view.extension) ?? view.source[0] ?? view.extension;
}

// ------------------------------------------------------------ Create simple
