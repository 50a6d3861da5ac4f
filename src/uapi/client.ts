/**
 * The typed UAPI client: each operation is a thin function over the one request
 * path (`UapiHttp.request`), bound to one user's credentials. A client is made
 * per acting user, so an action can only ever run with that user's own token.
 */
import { UapiError } from './errors.js';
import type { HttpRequest, HttpResult, UapiHttp } from './http.js';
import { rules } from './rules.js';
import {
  actionAcceptedSchema,
  bodyError,
  collectionOf,
  phoneCallActionSchema,
  phoneCallEventBodySchema,
  phoneCallEventSchema,
  phoneCallListSchema,
  type ActionAccepted,
  type PhoneCall,
  type PhoneCallActionInput,
  type PhoneCallEvent,
  type PhoneCallEventBodyInput,
} from './schemas.js';
import { quickParse } from './quick-parse.js';
import { returnedCall } from './returned-call.js';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/** Where a user's token comes from; `refresh` is tried once when VoipNow answers 401/403. */
export interface Credentials {
  token(): Promise<string>;
  refresh?(): Promise<string>;
}

export const staticToken = (token: string): Credentials => ({ token: async () => token });

/** Identifies an extension in a user's context. `userId` defaults to `@me`. */
export interface ExtensionRef {
  userId?: string;
  extension: string;
}
export interface PhoneCallRef extends ExtensionRef {
  phoneCallId: string;
}

export interface PlaceCallRequest {
  userId?: string;
  /** The caller's own Phone Terminal extension: it rings first and is charged. */
  extension: string;
  /** An extension or a public number. */
  destination: string;
  /** Shown to the caller's phone, `Name <number>`. */
  callerId?: string;
  /** Shown to the destination, `Name <number>`. */
  callerDestination?: string;
  waitForPickup?: number;
  callDuration?: number;
  /** `simple` (default) or `callback`. */
  mode?: 'simple' | 'callback';
  /** Correlates the created call with the request; generated when absent. */
  nonce?: string;
}

export interface ActionOutcome {
  /** The server's short answer (`202 Accepted` in the seeds), when it gave one. */
  accepted: ActionAccepted | undefined;
  /** The call as it is after the action, read back from the server; undefined if it is gone. */
  call: PhoneCall | undefined;
  /**
   * Set when VoipNow accepted the action but the call could not be read back
   * (the read failed or timed out): the action happened, its result is unknown yet.
   */
  unread?: UapiError;
}

const phoneCalls = phoneCallListSchema;
const anyBody = z.unknown();
const phoneCallEvents = collectionOf(phoneCallEventSchema);
const deletedIds = collectionOf(z.object({ id: z.union([z.string(), z.number()]).transform(String) }).passthrough());

/** Encode one path segment, keeping `@` and `*` readable as VoipNow's own examples do. */
function seg(value: string): string {
  return encodeURIComponent(value).replace(/%40/g, '@').replace(/%2A/gi, '*');
}
function path(...segments: (string | number | undefined)[]): string {
  return (
    '/uapi/' +
    segments
      .filter((s) => s !== undefined && s !== '')
      .map((s) => seg(String(s)))
      .join('/')
  );
}

export class UapiClient {
  constructor(
    private readonly http: UapiHttp,
    private readonly credentials: Credentials,
  ) {}

  /** One authenticated request, with one transparent token refresh on 401/403. */
  private async send<S extends z.ZodTypeAny>(req: Omit<HttpRequest<S>, 'token'>): Promise<HttpResult<z.output<S>>> {
    const token = await this.credentials.token();
    try {
      return await this.http.request({ ...req, token });
    } catch (err) {
      if (!(err instanceof UapiError) || !err.isAuthFailure || !this.credentials.refresh) throw err;
      const fresh = await this.credentials.refresh();
      return this.http.request({ ...req, token: fresh });
    }
  }

  private static callPath(ref: ExtensionRef & { phoneCallId?: string }): string {
    return path(
      'phoneCalls',
      rules.userId(ref.userId ?? '@me'),
      rules.extension(ref.extension, { allowSelf: true }),
      ref.phoneCallId === undefined ? undefined : rules.phoneCallId(ref.phoneCallId),
    );
  }

  /**
   * List PhoneCalls: the live calls of an extension (`@self`: all of the user's), or one call.
   * VoipNow pages lists by 20 unless `count` (at most 4999) asks for more.
   */
  async listPhoneCalls(ref: ExtensionRef & { phoneCallId?: string; count?: number }): Promise<PhoneCall[]> {
    const res = await this.send({ method: 'GET', path: UapiClient.callPath(ref), schema: phoneCalls, ...(ref.count !== undefined && { query: { count: ref.count } }) });
    return res.data ?? [];
  }

  /** One call, or undefined when it no longer exists. */
  async getPhoneCall(ref: PhoneCallRef): Promise<PhoneCall | undefined> {
    try {
      const calls = await this.listPhoneCalls(ref);
      return calls.find((c) => c.id === ref.phoneCallId) ?? calls[0];
    } catch (err) {
      if (err instanceof UapiError && err.code === 'pc_phonecall_invalid') return undefined;
      throw err;
    }
  }

  /**
   * Run a PhoneCallAction (OnHold, OffHold, Park, UnPark, Whisper, Monitor, BargeIn,
   * Transfer) and read the call back. The body is checked against the seeds' rules
   * before it is sent. A 200 answer that carries the call (bare or in a list) is the
   * call after the action, and nothing more is read; any other accepted answer (the
   * seeds' 202, or a 200 with only id and link) is followed by a read of its
   * `link.self`, followed only when it points at the configured server.
   */
  async act(ref: PhoneCallRef, action: PhoneCallActionInput): Promise<ActionOutcome> {
    const body = quickParse(phoneCallActionSchema, action);
    if (!body.success) throw bodyError(body.error);
    const callPath = UapiClient.callPath(ref);
    // Any 2xx JSON is taken as it comes: the action happened, so an unexpected body must not turn it into an error.
    const res = await this.send({ method: 'PUT', path: callPath, body: body.data, schema: anyBody });
    const returned = res.status === 200 ? returnedCall(res.raw, ref.phoneCallId) : undefined;
    if (returned) return { accepted: undefined, call: returned };

    const accepted = res.raw === undefined ? undefined : quickParse(actionAcceptedSchema, res.raw).data;
    try {
      return { accepted, call: await this.readBack(ref, accepted?.self, callPath) };
    } catch (err) {
      // The PUT succeeded: failing here would invite the user to run the action again.
      if (err instanceof UapiError) return { accepted, call: undefined, unread: err };
      throw err;
    }
  }

  private async readBack(ref: PhoneCallRef, link: string | undefined, fallback: string): Promise<PhoneCall | undefined> {
    let target = fallback;
    if (link) {
      try {
        const url = this.http.resolve(link);
        target = url.pathname + url.search;
      } catch (err) {
        // A link to another host is never followed; the call is read at its canonical path instead.
        if (!(err instanceof UapiError) || err.kind !== 'unsafe_link') throw err;
      }
    }
    try {
      const res = await this.send({ method: 'GET', path: target, schema: phoneCalls });
      const calls = res.data ?? [];
      return calls.find((c) => c.id === ref.phoneCallId) ?? calls[0];
    } catch (err) {
      if (err instanceof UapiError && err.code === 'pc_phonecall_invalid') return undefined;
      throw err;
    }
  }

  /** Hang up (DELETE). Without phoneCallId every call of the extension ends. Returns the ids hung up. */
  async hangUp(ref: ExtensionRef & { phoneCallId?: string; phoneNumber?: string }): Promise<string[]> {
    const res = await this.send({
      method: 'DELETE',
      path: UapiClient.callPath(ref),
      query: { phoneNumber: ref.phoneNumber },
      schema: deletedIds,
    });
    return (res.data ?? []).map((d) => d.id);
  }

  private static eventsPath(ref: ExtensionRef, eventType?: number | string, eventId?: string): string {
    // PhoneCallEvents never take @self (Update page: extension_invalid).
    return path(
      'extensions',
      rules.userId(ref.userId ?? '@me'),
      rules.extension(ref.extension),
      'phoneCallEvents',
      eventType === undefined ? undefined : rules.eventType(eventType),
      eventId === undefined ? undefined : rules.eventId(eventId),
    );
  }

  async listPhoneCallEvents(ref: ExtensionRef & { eventType?: number | string; eventId?: string }): Promise<PhoneCallEvent[]> {
    const res = await this.send({
      method: 'GET',
      path: UapiClient.eventsPath(ref, ref.eventType, ref.eventId),
      schema: phoneCallEvents,
    });
    return res.data ?? [];
  }

  /** Add a PhoneCallEvent (webhook) of `type` to an extension. `url` is required. */
  async addPhoneCallEvent(ref: ExtensionRef, event: PhoneCallEventBodyInput & { type: number | string; url: string }): Promise<PhoneCallEvent | undefined> {
    const body = this.eventBody(event);
    const res = await this.send({
      method: 'POST',
      path: UapiClient.eventsPath(ref, event.type),
      body,
      schema: phoneCallEventSchema,
    });
    return res.data;
  }

  /** Update PhoneCallEvents (the seed): any subset of method, note, url, status. */
  async updatePhoneCallEvent(ref: ExtensionRef & { eventType: number | string; eventId: string }, changes: Omit<PhoneCallEventBodyInput, 'type'>): Promise<PhoneCallEvent | undefined> {
    const body = this.eventBody(changes);
    if (Object.keys(body).length === 0) {
      throw new UapiError({
        kind: 'invalid_input',
        code: 'request_invalid',
        sentence: 'Nothing to change: give at least one of method, note, url or status.',
      });
    }
    const res = await this.send({
      method: 'PUT',
      path: UapiClient.eventsPath(ref, ref.eventType, ref.eventId),
      body,
      schema: phoneCallEventSchema,
    });
    return res.data;
  }

  /** Delete one event, all of a type, or (neither given) all events of the extension. */
  async deletePhoneCallEvents(ref: ExtensionRef & { eventType?: number | string; eventId?: string }): Promise<string[]> {
    const res = await this.send({
      method: 'DELETE',
      path: UapiClient.eventsPath(ref, ref.eventType, ref.eventId),
      schema: deletedIds,
    });
    return (res.data ?? []).map((d) => d.id);
  }

  /**
   * Create PhoneCalls (click-to-call): `POST /uapi/phoneCalls/{userId}/simple`
   * (or `/callback`, same body and waitForPickup/callDuration in the query).
   * VoipNow rings `extension` (the user's own phone terminal, charged for the
   * call) first, then `destination`. Answers `Array<PhoneCall>`; the new call.
   */
  async placeCall(req: PlaceCallRequest): Promise<PhoneCall | undefined> {
    const extension = rules.extension(req.extension);
    const destination = rules.destination(req.destination);
    const callerId = req.callerId === undefined ? undefined : rules.callerId(req.callerId);
    const callerDestination = req.callerDestination === undefined ? undefined : rules.callerId(req.callerDestination);
    const waitForPickup = req.waitForPickup === undefined ? undefined : rules.waitForPickup(req.waitForPickup);
    const res = await this.send({
      method: 'POST',
      path: path('phoneCalls', rules.userId(req.userId ?? '@me'), req.mode ?? 'simple'),
      query: { waitForPickup, callDuration: req.callDuration },
      body: {
        extension,
        phoneCallView: [
          {
            source: [extension],
            destination: [destination],
            ...(callerId !== undefined && { callerId }),
            ...(callerDestination !== undefined && { callerDestination }),
          },
        ],
        nonce: req.nonce ?? randomUUID().replace(/-/g, ''),
      },
      schema: phoneCalls,
    });
    return res.data?.[0];
  }

  private eventBody(input: PhoneCallEventBodyInput) {
    const parsed = phoneCallEventBodySchema.safeParse(input);
    if (!parsed.success) throw bodyError(parsed.error);
    return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
  }
}
