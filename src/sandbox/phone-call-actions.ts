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
import { DEFAULT_WAIT_FOR_PICKUP_SEC, flowOf, isoDate, type Extension, type PhoneCall, type PhoneCallView, type World } from './world.js';

/** Distinguishes concurrent rings of Whisper/Monitor/BargeIn on one call. */
let joinSeq = 0;

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
      // When maxInParking runs out VoipNow rings the extension that parked the
      // call back (Park page: maxInParking is how long the call waits in the lot).
      world.schedule(`${call.id}:park:${view.id}`, req.maxInParking * world.parkingSecondMs, () => ringBack(world, call, view));
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
        call,
        key: `action:${view.id}`,
        target: req.sendCallTo,
        waitForPickupSec: req.waitForPickup,
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
      // Whisper page: the service calls sendCallTo first showing callerId, and
      // "once the connection is made, the 02 phoneCallView is created":
      // extension = URI extension, source [sendCallTo], destination [URI
      // extension], status 5. While the phone rings the call is unchanged.
      const callerId = req.callerId ?? world.extensions.get(req.sendCallTo)?.callerId;
      const mode = req.action === 'Whisper' ? 'whisper' : req.action === 'Monitor' ? 'monitor' : 'bargeIn';
      const priv = req.action === 'Whisper' ? req.private : undefined;
      joinSeq += 1;
      world.ring({
        call,
        key: `action:join:${joinSeq}`,
        target: req.sendCallTo,
        waitForPickupSec: req.waitForPickup,
        leg: { caller: acting.number, called: req.sendCallTo, callerId },
        onAnswer: () => {
          const at = isoDate();
          call.views.push({
            id: world.nextViewId(call),
            extension: acting.number,
            answered: at,
            status: 5,
            callerId,
            source: [req.sendCallTo],
            destination: [acting.number],
            flow: 2,
            mode,
            ...(priv !== undefined ? { private: priv } : {}),
          });
          call.answered ??= at;
        },
        onCancel: () => undefined,
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
        extension: req.sendCallTo,
        source: [req.transferNumber],
        destination: [req.sendCallTo],
        status: 5,
        mode: 'voicemail',
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
function ringOnView(world: World, call: PhoneCall, view: PhoneCallView, target: string, waitSec: number, acting: Extension, callerId: string | undefined, connect: () => void): void {
  const before = { status: view.status, ringing: view.ringing };
  view.status = 3;
  view.ringing = isoDate();
  world.ring({
    call,
    key: `action:${view.id}`,
    target,
    waitForPickupSec: waitSec,
    leg: { caller: acting.number, called: target, callerId },
    onAnswer: connect,
    onCancel: () => {
      view.status = before.status;
      if (before.ringing === undefined) delete view.ringing;
      else view.ringing = before.ringing;
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

/**
 * maxInParking ran out: the parked call rings the extension that parked it.
 * When it answers it talks to the parked party again; when nobody answers
 * within the default waitForPickup the call ends.
 */
function ringBack(world: World, call: PhoneCall, view: PhoneCallView): void {
  const parker = view.parkedBy ?? call.extension;
  const parkedParty = [...view.source, ...view.destination].find((n) => n !== parker) ?? view.source[0] ?? parker;
  for (const k of PARK_FIELDS) delete view[k];
  view.status = 3;
  view.ringing = isoDate();
  world.ring({
    call,
    key: `parkback:${view.id}`,
    target: parker,
    waitForPickupSec: DEFAULT_WAIT_FOR_PICKUP_SEC,
    leg: { caller: parkedParty, called: parker, callerId: view.callerId },
    onAnswer: () => {
      view.extension = parker;
      view.source = [parker];
      view.destination = [parkedParty];
      view.flow = flowOf(world, view.source, view.destination);
      view.status = 5;
      delete view.ringing;
    },
    onCancel: () => world.hangup(call),
  });
}

/** The view's phone picked up: status 5 ("on call"). */
export function answer(call: PhoneCall, view: PhoneCallView): void {
  const now = isoDate();
  view.status = 5;
  view.answered ??= now;
  call.answered ??= now;
  delete view.ringing;
}
