/**
 * zod schemas of the UAPI resources, as real VoipNow servers send them.
 *
 * Servers are inconsistent (4PSA's resource pages and worked examples disagree): numbers
 * arrive as strings ("5") or numbers (5), the on-hold time is `onHold` on the
 * resource page and `onhold` in the OnHold seed, the self link is `links` on
 * resource pages and `link` in the action seeds. The schemas accept all of these
 * and normalise them to one shape, so nothing past this file sees the variance.
 */
import { z } from 'zod';
import { UapiError } from './errors.js';
import { rules } from './rules.js';

/** A number sent as a JSON number or a numeric string. */
const looseNumber = z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform(Number);

const stringList = z.union([z.array(z.union([z.string(), z.number()])), z.string(), z.number()]).transform((v) => (Array.isArray(v) ? v : [v]).map(String));

const selfLink = z.object({ self: z.string().optional() }).passthrough();

/** Status of a phoneCallView (PhoneCalls resource page). */
export const PHONE_CALL_STATUS = {
  0: 'unknown',
  1: 'off hook',
  2: 'trying',
  3: 'ringing',
  4: 'other side is ringing',
  5: 'on call',
} as const;

export const phoneCallViewSchema = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String),
    extension: z.string().optional(),
    source: stringList.optional(),
    destination: stringList.optional(),
    flow: looseNumber.optional(),
    status: looseNumber.optional(),
    ringing: z.string().optional(),
    callerId: z.string().optional(),
    // The resource page's JSON example spells it callerID.
    callerID: z.string().optional(),
    recording: z.string().optional(),
    answered: z.string().optional(),
    parked: z.string().optional(),
    parkedPos: looseNumber.optional(),
    parkedBy: z.string().optional(),
    onHold: z.string().optional(),
    // The OnHold seed spells it onhold.
    onhold: z.string().optional(),
    holder: looseNumber.optional(),
    disposition: looseNumber.optional(),
  })
  .passthrough()
  .transform(({ callerID, onhold, ...v }) => ({
    ...v,
    source: v.source ?? [],
    destination: v.destination ?? [],
    callerId: v.callerId ?? callerID,
    onHold: v.onHold ?? onhold,
  }));
export type PhoneCallView = z.infer<typeof phoneCallViewSchema>;

const linksOf = <T extends { link?: { self?: string }; links?: { self?: string } }>(v: T) => v.links?.self ?? v.link?.self;

export const phoneCallSchema = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String),
    nonce: z.string().optional(),
    extension: z.string().optional(),
    ownerId: z.union([z.string(), z.number()]).transform(String).optional(),
    ownerName: z.string().optional(),
    published: z.string().optional(),
    answered: z.string().optional(),
    phoneCallView: z.array(phoneCallViewSchema).optional(),
    link: selfLink.optional(),
    links: selfLink.optional(),
  })
  .passthrough()
  .transform(({ link, links, phoneCallView, ...v }) => ({
    ...v,
    phoneCallView: phoneCallView ?? [],
    self: linksOf({ link, links }),
  }));
export type PhoneCall = z.infer<typeof phoneCallSchema>;

/** The short answer of an action (`202 Accepted` in the seeds): id, extension, self link. */
export const actionAcceptedSchema = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String).optional(),
    extension: z.string().optional(),
    link: selfLink.optional(),
    links: selfLink.optional(),
  })
  .passthrough()
  .transform((v) => ({ id: v.id, extension: v.extension, self: linksOf(v) }));
export type ActionAccepted = z.infer<typeof actionAcceptedSchema>;

/** PhoneCallEvent types: reference §5.2. */
export const PHONE_CALL_EVENT_TYPES = {
  0: 'dial-in',
  1: 'dial-out',
  2: 'hangup',
  3: 'answer (incoming)',
  4: 'answer (outgoing)',
} as const;
export type PhoneCallEventType = 0 | 1 | 2 | 3 | 4;

export const phoneCallEventSchema = z
  .object({
    type: looseNumber.optional(),
    id: z.union([z.string(), z.number()]).transform(String),
    url: z.string().optional(),
    method: looseNumber.optional(),
    status: looseNumber.optional(),
    note: z.string().optional(),
    modified: z.string().optional(),
    link: selfLink.optional(),
    links: selfLink.optional(),
  })
  .passthrough()
  .transform(({ link, links, ...v }) => ({ ...v, self: linksOf({ link, links }) }));
export type PhoneCallEvent = z.infer<typeof phoneCallEventSchema>;

/**
 * `{"entry":[...]}` (reference §1); some servers answer a bare array, a single
 * resource, or an envelope without `entry` when the list is empty.
 */
export function collectionOf<T extends z.ZodTypeAny>(item: T) {
  type Item = z.output<T>;
  return z.union([
    z
      .object({ entry: z.array(item) })
      .passthrough()
      .transform((v): Item[] => v.entry),
    z
      .object({ entry: item })
      .passthrough()
      .transform((v): Item[] => [v.entry]),
    z.array(item),
    item.transform((v): Item[] => [v]),
    z
      .object({ entry: z.undefined(), id: z.undefined() })
      .passthrough()
      .transform((): Item[] => []),
  ]);
}

/** A list of PhoneCalls in any of the shapes servers send. */
export const phoneCallListSchema = collectionOf(phoneCallSchema);

/** `{"error":{"code","message"}}`, the UAPI error body (HTTP Return Codes page). */
export const uapiErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string().optional() }).passthrough(),
});

/** OAuth 2.0 token endpoint answer. */
export const tokenResponseSchema = z
  .object({
    access_token: z.string().min(1),
    token_type: z.string().optional(),
    expires_in: looseNumber.optional(),
    refresh_token: z.string().optional(),
  })
  .passthrough();
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

// ---------------------------------------------------------------------------
// Request bodies. Each field goes through the seeds' input rule (rules.ts), so a
// body that parses is one the server accepts, and a body that does not carries
// the code the server would have answered.

/** A field checked by one of `rules`, its UapiError carried as a zod issue. */
function ruled<T>(rule: (v: string) => T) {
  return z.union([z.string(), z.number(), z.boolean()]).transform((v, ctx): T => {
    try {
      return rule(v as string);
    } catch (err) {
      if (!(err instanceof UapiError)) throw err;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: err.sentence, params: { uapiCode: err.code, field: err.field } });
      return z.NEVER;
    }
  });
}

const viewId = ruled(rules.phoneCallViewId);
// The seeds send numbers as strings ("waitForPickup":"20") except `private` (0).
const ringFields = {
  sendCallTo: ruled((v) => rules.sendCallTo(v)),
  callerId: ruled(rules.callerId).optional(),
  waitForPickup: ruled(rules.waitForPickup).transform(String).optional(),
  phoneCallViewId: viewId,
};

const transferFields = {
  transferFromNumber: ruled((v) => rules.partyNumber(v, 'transferFromNumber')).optional(),
  transferNumber: ruled((v) => rules.partyNumber(v, 'transferNumber')).optional(),
};

/** PhoneCallAction, the body of `PUT /uapi/phoneCalls/{userId}/{extension}/{phoneCallId}`. */
export const phoneCallActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('OnHold'), phoneCallViewId: viewId }),
  z.object({ action: z.literal('OffHold'), phoneCallViewId: viewId }),
  z.object({
    action: z.literal('Park'),
    phoneCallViewId: viewId,
    maxInParking: ruled(rules.maxInParking).transform(String).optional(),
  }),
  z.object({ action: z.literal('UnPark'), ...ringFields }),
  z.object({ action: z.literal('Whisper'), ...ringFields, private: ruled(rules.private).optional() }),
  z.object({ action: z.literal('Monitor'), ...ringFields }),
  z.object({ action: z.literal('BargeIn'), ...ringFields }),
  // PickUp page: the same fields as the other ringing actions; sendCallTo takes the ringing call.
  z.object({ action: z.literal('PickUp'), ...ringFields }),
  z.object({
    action: z.literal('StartRecording'),
    phoneCallViewId: viewId,
    format: ruled(rules.recordingFormat).optional(),
  }),
  z.object({ action: z.literal('StopRecording'), phoneCallViewId: viewId }),
  // Transfer page: its example sends no phoneCallViewId, only the two party numbers.
  z.object({
    action: z.literal('Transfer'),
    sendCallTo: ruled((v) => rules.sendCallTo(v, { allowPhoneNumber: true })),
    ...transferFields,
    phoneCallViewId: viewId.optional(),
  }),
  // TransferToVoicemail: sendCallTo is the extension whose mailbox takes the call.
  z.object({
    action: z.literal('TransferToVoicemail'),
    sendCallTo: ruled((v) => rules.sendCallTo(v)),
    ...transferFields,
    phoneCallViewId: viewId.optional(),
  }),
]);
export type PhoneCallActionInput = z.input<typeof phoneCallActionSchema>;
export type PhoneCallAction = z.output<typeof phoneCallActionSchema>;
export type PhoneCallActionName = PhoneCallAction['action'];

/** PhoneCallEvent body for add and update (the Update page sends any subset). */
export const phoneCallEventBodySchema = z.object({
  type: ruled(rules.eventType).transform(String).optional(),
  method: ruled(rules.eventMethod).transform(String).optional(),
  note: ruled(rules.eventNote).optional(),
  url: ruled(rules.eventUrl).optional(),
  status: ruled(rules.eventStatus).transform(String).optional(),
});
export type PhoneCallEventBodyInput = z.input<typeof phoneCallEventBodySchema>;

/** The first failed rule of a body, as the UapiError the server would have answered. */
export function bodyError(error: z.ZodError): UapiError {
  const issue = error.issues[0];
  const params = (issue && 'params' in issue ? issue.params : undefined) as { uapiCode?: string; field?: string } | undefined;
  if (params?.uapiCode) {
    return new UapiError({ kind: 'invalid_input', code: params.uapiCode, field: params.field, sentence: issue!.message });
  }
  const field = issue?.path.join('.') || 'body';
  const code = field === 'action' ? 'pc_action_invalid' : 'request_invalid';
  return new UapiError({ kind: 'invalid_input', code, field, sentence: `${field}: ${issue?.message ?? 'invalid'}` });
}
