/**
 * The gate in front of Bolt's HTTP receiver: a request to the Slack endpoint is
 * read, its signature and timestamp checked (stale AND future timestamps are
 * refused; Bolt itself only refuses stale ones) and its body parsed the way
 * Bolt will parse it. Only a body that is a JSON object reaches Bolt; `null`,
 * arrays, numbers, bad JSON or an empty body get 400 here (a signed `null`
 * used to make Bolt throw and end the process). Anything that still escapes
 * Bolt's listener is logged, never swallowed, and never ends the process.
 * A path with a broken percent-escape (any path, any method) gets 400 here.
 * The body is read, verified and parsed once here: with `deliver` the parsed
 * body goes straight to the app (slack-events.ts); otherwise Bolt's receiver,
 * built with its own signature check off (see app.ts), reads it again. Slack's
 * unsigned ssl_check reaches Bolt as `ssl_check=1` alone, whatever else the
 * body held.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQs } from 'node:querystring';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../log.js';
import type { SlackEvents } from './slack-events.js';

/** Slack's own window: requests more than five minutes away from our clock, either way, are refused. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
/**
 * The largest Slack request body read: Slack's payloads (a modal's whole state, a
 * message with 50 blocks) stay well under it. Bolt's own limit is 4 MB; past this
 * one the answer is 413 without reading on.
 */
export const MAX_BODY_BYTES = 1024 * 1024;
/** An unsigned request is only read when it can be Slack's ssl_check (`ssl_check=1&token=...`). */
export const MAX_UNSIGNED_BYTES = 1024;
const FORM = 'application/x-www-form-urlencoded';

export interface GateOptions {
  signingSecret: string;
  /** Paths Bolt handles as Slack requests. */
  endpoints: readonly string[];
  logger: Logger;
  now?: () => number;
  /** True while shutting down: Slack requests get 503, so Slack retries them elsewhere. */
  stopping?: () => boolean;
  /** Where a request that passed goes with its parsed body (slack-events.ts); without it, on to Bolt's receiver. */
  deliver?: () => SlackEvents | undefined;
  /** A verified Slack request was answered (Bolt's ack), `ms` after it arrived. */
  answered?: (kind: 'command' | 'interactive' | 'event', status: number, ms: number) => void;
}

/** A v0 signature's form: Slack sends the SHA-256 HMAC as 64 lowercase hex digits. */
const SIGNATURE = /^v0=[0-9a-f]{64}$/;

type Verdict = { ok: true } | { ok: false; status: number; why: string };
/** A body that passed, parsed the way Bolt parses it. */
type Parsed = { ok: true; body: Record<string, unknown> } | { ok: false; status: number; why: string };

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The signature check of Slack's v0 scheme, with the timestamp window applied both ways. */
export function verifySignature(secret: string, headers: IncomingMessage['headers'], raw: Buffer, nowMs: number): Verdict {
  const ts = headers['x-slack-request-timestamp'];
  const sig = headers['x-slack-signature'];
  if (typeof ts !== 'string' || typeof sig !== 'string') return { ok: false, status: 401, why: 'missing signature headers' };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, status: 401, why: 'malformed timestamp' };
  if (Math.abs(Math.floor(nowMs / 1000) - Number(ts)) > MAX_CLOCK_SKEW_SECONDS) {
    return { ok: false, status: 401, why: 'timestamp more than 5 minutes from now' };
  }
  // `v0=` and the lowercase hex of the HMAC: compared as the digest's 32 bytes (no hex string made).
  if (!SIGNATURE.test(sig)) return { ok: false, status: 401, why: 'signature mismatch' };
  const expected = createHmac('sha256', secret).update(`v0:${ts}:`).update(raw).digest();
  if (!timingSafeEqual(Buffer.from(sig.slice(3), 'hex'), expected)) return { ok: false, status: 401, why: 'signature mismatch' };
  return { ok: true };
}

/**
 * Would Bolt's parser produce an object from this body? (Mirrors HTTPModuleFunctions.parseHTTPRequestBody.)
 * `form` is the body already parsed as a form, when the caller has it.
 */
export function checkBody(contentType: string | undefined, raw: Buffer | string, form?: ReturnType<typeof parseQs>): Parsed {
  const text = typeof raw === 'string' ? raw : raw.toString();
  if (text.trim() === '') return { ok: false, status: 400, why: 'empty body' };
  let parsed: unknown;
  try {
    if (contentType === FORM) {
      const qs = form ?? parseQs(text);
      if (qs.payload === undefined) return { ok: true, body: qs };
      if (typeof qs.payload !== 'string') return { ok: false, status: 400, why: 'payload given twice' };
      parsed = JSON.parse(qs.payload);
    } else {
      parsed = JSON.parse(text);
    }
  } catch {
    return { ok: false, status: 400, why: 'body is not valid JSON' };
  }
  return isObject(parsed)
    ? { ok: true, body: parsed }
    : { ok: false, status: 400, why: `body is ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`}, not an object` };
}

function read(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      if (size > limit) return;
      size += c.length;
      if (size <= limit) return void chunks.push(c);
      // Stop at the limit: the rest is never read (the connection closes after the answer).
      req.pause();
      resolve('too-large');
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function refuse(res: ServerResponse, status: number): void {
  if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'text/plain' });
  res.end(status === 400 ? 'Malformed request body' : status === 413 ? 'Request body too large' : 'Request refused');
}

/** Answer without reading (the rest of) the body, and close the connection rather than drain it. */
function refuseEarly(res: ServerResponse, status: number): void {
  res.setHeader('Connection', 'close');
  refuse(res, status);
}

/** A path whose percent-escapes decode (`%ZZ`, a lone `%` or a broken UTF-8 sequence do not). */
export function decodablePath(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/** Wrap Bolt's request listener: Slack requests pass the gate first; any other path goes straight on. */
export function gateRequests(bolt: RequestListener, opts: GateOptions): RequestListener {
  const now = opts.now ?? Date.now;
  const passOn = (req: IncomingMessage, res: ServerResponse) => {
    try {
      bolt(req, res);
    } catch (err) {
      // An unknown path lands here too (Bolt throws HTTPReceiverDeferredRequestError).
      const unknown = (err as { code?: string }).code === 'slack_bolt_http_receiver_deferred_request_error';
      if (!unknown) opts.logger.error('Slack request failed in Bolt', { path: req.url, error: err instanceof Error ? err.message : String(err) });
      refuse(res, unknown ? 404 : 500);
    }
  };
  return (req, res) => {
    // Slack's own path as it is (the common case) needs no parsing, and decodes.
    const exact = opts.endpoints.includes(req.url ?? '');
    const path = exact ? req.url! : new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!exact && !decodablePath(path)) {
      // Bolt's route matcher would throw URIError on it and answer 500.
      res.writeHead(400, { 'Content-Type': 'text/plain', Connection: 'close' });
      res.end('Malformed path: a % in a path must start a valid percent-escape (e.g. %20)');
      req.resume();
      return;
    }
    if (req.method !== 'POST' || !opts.endpoints.includes(path)) return passOn(req, res);
    if (opts.stopping?.()) {
      res.writeHead(503, { 'Content-Type': 'text/plain', Connection: 'close' });
      res.end('Shutting down');
      req.resume();
      return;
    }
    const arrived = performance.now();
    // Headers first: nothing is buffered for a request that cannot be Slack's.
    const declared = Number(req.headers['content-length'] ?? 0);
    const signed = typeof req.headers['x-slack-signature'] === 'string' && typeof req.headers['x-slack-request-timestamp'] === 'string';
    const limit = signed ? MAX_BODY_BYTES : MAX_UNSIGNED_BYTES;
    if (!signed && (req.headers['content-type'] !== FORM || declared > limit)) {
      opts.logger.warn('refused a Slack request: missing signature headers', { status: 401 });
      return refuseEarly(res, 401);
    }
    if (declared > limit) {
      opts.logger.warn(`refused a Slack request: body of ${declared} bytes is over ${limit}`, { status: 413 });
      return refuseEarly(res, 413);
    }
    read(req, limit).then(
      (raw) => {
        if (raw === 'too-large') return refuseEarly(res, signed ? 413 : 401);
        const contentType = req.headers['content-type'];
        const text = raw.toString();
        const form = contentType === FORM ? parseQs(text) : undefined;
        // Bolt reuses a body already read (BufferedIncomingMessage.rawBody).
        const buffered = req as IncomingMessage & { rawBody?: Buffer };
        // Slack's ssl_check is unsigned: Bolt answers it, and nothing else of its body goes on.
        if (form?.ssl_check === '1') {
          buffered.rawBody = Buffer.from('ssl_check=1');
          return passOn(req, res);
        }
        const verdict = verifySignature(opts.signingSecret, req.headers, raw, now());
        const body = verdict.ok ? checkBody(contentType, text, form) : verdict;
        if (!body.ok) {
          opts.logger.warn(`refused a Slack request: ${body.why}`, { status: body.status });
          return refuse(res, body.status);
        }
        if (opts.answered) {
          const kind = form ? (form.payload !== undefined ? 'interactive' : 'command') : 'event';
          const answered = opts.answered;
          res.once('finish', () => answered(kind, res.statusCode, performance.now() - arrived));
        }
        const deliver = opts.deliver?.();
        if (deliver) {
          try {
            return deliver(req, res, body.body);
          } catch (err) {
            opts.logger.error('Slack request failed', { path: req.url, error: err instanceof Error ? err.message : String(err) });
            return refuse(res, 500);
          }
        }
        buffered.rawBody = raw;
        passOn(req, res);
      },
      (err: unknown) => {
        opts.logger.warn('could not read a Slack request', { error: err instanceof Error ? err.message : String(err) });
        refuse(res, 400);
      },
    );
  };
}

interface SocketModeInternals {
  on(event: 'ws_message', listener: (data: unknown, isBinary: boolean) => void): void;
  removeAllListeners(event: 'ws_message'): void;
  onWebSocketMessage(data: unknown, isBinary: boolean): Promise<void>;
  send(envelopeId: string, body?: Record<string, unknown>): Promise<void>;
}

/**
 * Socket Mode: the client reads `event.payload.event` of every envelope; an envelope
 * with a `null` payload (or a `null` message) threw inside an async listener, an
 * unhandled rejection that ends the process. Such envelopes are acknowledged (so
 * Slack does not send them again), logged and dropped; anything else still escaping
 * is logged.
 */
export function guardSocketMode(receiver: { client: unknown }, logger: Logger): void {
  const client = receiver.client as SocketModeInternals;
  client.removeAllListeners('ws_message');
  client.on('ws_message', (data, isBinary) => {
    let message: unknown;
    if (!isBinary) {
      try {
        message = JSON.parse(typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString() : String(data));
      } catch {
        message = undefined;
      }
    }
    const m: Record<string, unknown> = isObject(message) ? message : {};
    const control = m.type === 'hello' || m.type === 'disconnect';
    const envelope = typeof m.envelope_id === 'string' && isObject(m.payload);
    const wellFormedEvent = !envelope || m.type !== 'events_api' || isObject((m.payload as Record<string, unknown>).event);
    if (!isBinary && !control && !(envelope && wellFormedEvent)) {
      logger.warn('dropped a malformed Socket Mode message');
      if (typeof m.envelope_id === 'string') client.send(m.envelope_id).catch(() => undefined);
      return;
    }
    client.onWebSocketMessage(data, isBinary).catch((err: unknown) => {
      logger.error('Socket Mode message failed', { error: err instanceof Error ? err.message : String(err) });
    });
  });
}
