/**
 * What each PhoneCallAction does to a live call. Called right after a request
 * passed validation, before the 202 is written, so a GET right after the 202
 * shows the intermediate state; anything that must ring finishes after
 * pickupDelayMs (or is cancelled after waitForPickup).
 *
 * The only worked examples are the seed pages (reference §3.1); the rest is
 * inferred and commented where it is.
 */
import type { ActionRequest } from './validate.js';
import { flowOf, isoDate, type Extension, type PhoneCall, type PhoneCallView, type World } from './world.js';

const PARK_FIELDS = ['parked', 'parkedPos', 'parkedBy'] as const;

export function applyAction(world: World, call: PhoneCall, req: ActionRequest, acting: Extension): void {
  const { view } = req;
  const now = isoDate();
  switch (req.action) {
    case 'OnHold':
      // OnHold page: the view gains onHold (the page's JSON spells it `onhold`;
      // the resource model says `onHold`) and holder 1; status stays 5.
      view.onHold ??= now;
      view.holder = 1;
      return;
    case 'OffHold':
      delete view.onHold;
      delete view.holder;
      return;
    case 'StartRecording':
      view.recording ??= now;
      view.recordingFormat = req.format;
      return;
    case 'StopRecording':
      delete view.recording;
      delete view.recordingFormat;
      return;
    case 'Park':
      view.parked ??= now;
      view.parkedPos ??= world.nextParkingPosition(call.ownerId);
      view.parkedBy = acting.number;
      // When maxInParking runs out the call goes back to the extension that
      // parked it: the view is as it was before Park.
      world.schedule(`${call.id}:park:${view.id}`, req.maxInParking * 1000, () => {
        for (const k of PARK_FIELDS) delete view[k];
      });
      return;
    case 'UnPark':
      ringOnView(world, call, view, req.sendCallTo, req.waitForPickup, acting, req.callerId, () => {
        world.cancel(`${call.id}:park:${view.id}`);
        unpark(world, view, req.sendCallTo, req.callerId ?? world.extensions.get(req.sendCallTo)?.callerId);
      });
      return;
    case 'PickUp': {
      // The ringing view is taken by sendCallTo once it answers.
      world.ring({
        call, key: `action:${view.id}`, target: req.sendCallTo, waitForPickupSec: req.waitForPickup,
        leg: { caller: view.source[0] ?? '', called: req.sendCallTo, callerId: req.callerId ?? view.callerId },
        onAnswer: () => {
          // The original ringing attempt is over: this phone took the call.
          world.dropRing(`${call.id}:ring:${view.id}`, false);
          const taken = view.destination.includes(view.extension) ? view.extension : view.destination[0];
          view.destination = view.destination.map((n) => (n === taken ? req.sendCallTo : n));
          view.extension = req.sendCallTo;
          if (req.callerId) view.callerId = req.callerId;
          answer(call, view);
        },
        onCancel: () => undefined,
      });
      return;
    }
    case 'Whisper':
    case 'Monitor':
    case 'BargeIn': {
      // Whisper page: the service calls sendCallTo first showing callerId; once
      // it answers a new view ("02", …) exists: extension = URI extension,
      // source [sendCallTo], destination [URI extension], status 5. The page
      // says the view is created "once the connection is made"; we add it as
      // soon as the phone rings, with status 3 (ringing), so that the
      // intermediate state is visible — after pickup it is exactly the page's view.
      const added: PhoneCallView = {
        id: world.nextViewId(call), extension: acting.number, ringing: now, status: 3,
        callerId: req.callerId ?? world.extensions.get(req.sendCallTo)?.callerId,
        source: [req.sendCallTo], destination: [acting.number], flow: 2,
        mode: req.action === 'Whisper' ? 'whisper' : req.action === 'Monitor' ? 'monitor' : 'bargeIn',
        ...(req.action === 'Whisper' ? { private: req.private } : {}),
      };
      call.views.push(added);
      world.ring({
        call, key: `action:${added.id}`, target: req.sendCallTo, waitForPickupSec: req.waitForPickup,
        leg: { caller: acting.number, called: req.sendCallTo, callerId: added.callerId },
        onAnswer: () => answer(call, added),
        onCancel: () => { call.views = call.views.filter((v) => v !== added); },
      });
      return;
    }
    case 'Transfer':
      // The transferred-away party (transferFromNumber, default the view's own
      // extension) is replaced by sendCallTo once it answers.
      ringOnView(world, call, view, req.sendCallTo, req.waitForPickup, acting, req.callerId, () => {
        const replace = (list: string[]) => list.map((n) => (n === req.transferFrom ? req.sendCallTo : n));
        view.source = replace(view.source);
        view.destination = replace(view.destination);
        if (!view.source.includes(view.extension) && !view.destination.includes(view.extension)) {
          const local = [...view.source, ...view.destination].find((n) => world.extensions.has(n));
          if (local) view.extension = local;
        }
        if (req.callerId) view.callerId = req.callerId;
        view.flow = flowOf(world, view.source, view.destination);
        view.status = 5;
        delete view.ringing;
      });
      return;
    case 'TransferToVoicemail':
      // Voicemail picks up at once: the transferred party now talks to sendCallTo's mailbox.
      Object.assign(view, {
        extension: req.sendCallTo, source: [req.transferNumber], destination: [req.sendCallTo],
        status: 5, mode: 'voicemail',
      });
      for (const k of [...PARK_FIELDS, 'onHold', 'holder', 'ringing'] as const) delete view[k];
      view.flow = flowOf(world, view.source, view.destination);
      return;
  }
}

/**
 * The view rings sendCallTo (status 3) until it answers (`connect`) or
 * waitForPickup runs out, in which case the view is restored.
 */
function ringOnView(
  world: World, call: PhoneCall, view: PhoneCallView, target: string, waitSec: number,
  acting: Extension, callerId: string | undefined, connect: () => void,
): void {
  const before = { status: view.status, ringing: view.ringing };
  view.status = 3;
  view.ringing = isoDate();
  world.ring({
    call, key: `action:${view.id}`, target, waitForPickupSec: waitSec,
    leg: { caller: acting.number, called: target, callerId },
    onAnswer: connect,
    onCancel: () => {
      view.status = before.status;
      if (before.ringing === undefined) delete view.ringing; else view.ringing = before.ringing;
    },
  });
}

/**
 * UnPark page: the party in the parking lot (the view's source — 0003*210 in
 * the page's example) is connected with sendCallTo: view extension :=
 * sendCallTo, source [sendCallTo], destination [parked party], status 5.
 */
function unpark(world: World, view: PhoneCallView, to: string, callerId: string | undefined): void {
  const parkedParty = view.source;
  view.extension = to;
  view.source = [to];
  view.destination = parkedParty;
  view.status = 5;
  view.flow = flowOf(world, view.source, view.destination);
  if (callerId) view.callerId = callerId;
  for (const k of PARK_FIELDS) delete view[k];
  delete view.ringing;
  view.answered ??= isoDate();
}

/** The view's phone picked up: status 5 ("on call"). */
export function answer(call: PhoneCall, view: PhoneCallView): void {
  const now = isoDate();
  view.status = 5;
  view.answered ??= now;
  call.answered ??= now;
  delete view.ringing;
}
