/**
 * JSON representations of resources, as the resource pages and seed examples
 * show them. Absent (null) fields are left out. Number-valued fields keep the
 * seeds' typing: `status` is a string ("status":"5"), `holder` a number
 * ("holder":1); PhoneCallEvent `type`/`method`/`status` are strings.
 */
import type { PhoneCall, PhoneCallEvent, PhoneCallView } from './world.js';

export function phoneCallUrl(base: string, userSegment: string, extension: string, callId: string): string {
  return `${base}/uapi/phoneCalls/${userSegment}/${extension}/${callId}`;
}

/**
 * The `link.self` of an action's 202 answer. Every action page shows it with a
 * double slash (`https://x.x.x.x//uapi/phoneCalls/…`), as the real server
 * builds it; `pageLinks: false` gives the clean form.
 */
export function actionUrl(base: string, userSegment: string, extension: string, callId: string, pageLinks: boolean): string {
  return `${base}${pageLinks ? '//' : '/'}uapi/phoneCalls/${userSegment}/${extension}/${callId}`;
}

export function eventUrl(base: string, userSegment: string, ev: PhoneCallEvent): string {
  // The Update page's example link omits the type segment
  // (…/phoneCallEvents/MyPhoneCallEvent); the List/Update model paths need it.
  return `${base}/uapi/extensions/${userSegment}/${ev.extension}/phoneCallEvents/${ev.type}/${ev.id}`;
}

export function viewJson(v: PhoneCallView): Record<string, unknown> {
  return {
    id: v.id,
    extension: v.extension,
    ringing: v.ringing,
    answered: v.answered,
    status: String(v.status),
    callerId: v.callerId,
    source: v.source,
    destination: v.destination,
    flow: v.flow,
    recording: v.recording,
    parked: v.parked,
    parkedPos: v.parkedPos,
    parkedBy: v.parkedBy,
    // The OnHold page's JSON spells `onhold`; the resource model says `onHold`.
    onHold: v.onHold,
    holder: v.holder,
    disposition: v.disposition,
  };
}

/**
 * A PhoneCall. The self link appears twice on purpose: the resource page
 * names it `links`, while the OnHold/OffHold examples show `link`.
 */
export function phoneCallJson(call: PhoneCall, self: string): Record<string, unknown> {
  return {
    id: call.id,
    nonce: call.nonce,
    extension: call.extension,
    ownerId: call.ownerId,
    ownerName: call.ownerName,
    answered: call.answered,
    published: call.published,
    phoneCallView: call.views.map(viewJson),
    link: { self },
    links: { self },
  };
}

/** The 202 answer to a PhoneCallAction, as every action example shows it. */
export function actionAcceptedJson(call: PhoneCall, self: string): Record<string, unknown> {
  return { id: call.id, extension: call.extension, link: { self } };
}

export function eventJson(ev: PhoneCallEvent, self: string): Record<string, unknown> {
  return {
    type: String(ev.type),
    id: ev.id,
    method: String(ev.method),
    note: ev.note,
    url: ev.url,
    status: String(ev.status),
    modified: ev.modified,
    links: { self },
  };
}
