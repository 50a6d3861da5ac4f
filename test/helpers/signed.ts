/**
 * Correctly signed Slack requests, sent over real HTTP to a Bolt HTTP receiver.
 *
 * Slack signs `v0:${timestamp}:${rawBody}` with HMAC-SHA256 keyed by the app's signing
 * secret and sends `x-slack-signature: v0=<hex>` plus `x-slack-request-timestamp`. Bolt
 * (receivers/verify-request.js) rejects a mismatch or a timestamp older than 5 minutes
 * with 401. Bolt compares the content type exactly against
 * 'application/x-www-form-urlencoded' (a `; charset=...` suffix makes it try JSON.parse and
 * answer 400), so these helpers send exactly what Slack sends.
 */
import { createHmac } from 'node:crypto';
import { eventCallbackBody, slashCommandBody, type SlashCommandFields, type TeamRef } from './payloads.js';

export {
  blockActionPayload,
  eventCallbackBody,
  slashCommandBody,
  viewSubmissionPayload,
  type BlockActionArgs,
  type SlashCommandFields,
  type ViewSubmissionArgs,
  type ViewStateValue,
} from './payloads.js';

export const FORM = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';

export interface SendOptions {
  /** Path on the receiver (default '/slack/events', or the path already in baseUrl). */
  path?: string;
  /**
   * Forge the request:
   * - 'bad-signature': signed with the wrong secret;
   * - 'stale-timestamp': correctly signed, but the timestamp is 10 minutes old;
   * - 'no-signature': no x-slack-signature / x-slack-request-timestamp headers.
   */
  forge?: 'bad-signature' | 'stale-timestamp' | 'no-signature';
  /** Unix seconds to sign with (default now). */
  timestamp?: number;
  /** Extra headers, e.g. { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }. */
  headers?: Record<string, string>;
  /** Abort the request after this many ms (default 10000). */
  timeoutMs?: number;
}

export interface SlackHttpResult {
  status: number;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
  headers: Record<string, string>;
}

/** The v0 signature Slack would send for this body. */
export function sign(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** Headers for a signed request (content-type included). */
export function signedHeaders(secret: string, rawBody: string, contentType: string, opts: Pick<SendOptions, 'forge' | 'timestamp' | 'headers'> = {}): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  let timestamp = opts.timestamp ?? now;
  let key = secret;
  if (opts.forge === 'stale-timestamp') timestamp = now - 10 * 60;
  if (opts.forge === 'bad-signature') key = `${secret}-wrong`;
  const headers: Record<string, string> = { 'content-type': contentType };
  if (opts.forge !== 'no-signature') {
    headers['x-slack-request-timestamp'] = String(timestamp);
    headers['x-slack-signature'] = sign(key, timestamp, rawBody);
  }
  return { ...headers, ...(opts.headers ?? {}) };
}

function targetUrl(baseUrl: string, path: string | undefined): string {
  const u = new URL(baseUrl);
  if (path !== undefined) return new URL(path, u).toString();
  if (u.pathname === '' || u.pathname === '/') return new URL('/slack/events', u).toString();
  return u.toString();
}

/** Send any raw body, signed, to the receiver. */
export async function sendSigned(baseUrl: string, secret: string, rawBody: string, contentType: string, opts: SendOptions = {}): Promise<SlackHttpResult> {
  const res = await fetch(targetUrl(baseUrl, opts.path), {
    method: 'POST',
    headers: signedHeaders(secret, rawBody, contentType, opts),
    body: rawBody,
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  });
  const body = await res.text();
  const result: SlackHttpResult = { status: res.status, body, headers: Object.fromEntries(res.headers.entries()) };
  if (body.length > 0) {
    try {
      result.json = JSON.parse(body) as unknown;
    } catch {
      /* not JSON */
    }
  }
  return result;
}

/** Form-encode fields the way Slack does (URLSearchParams: spaces as '+'). */
export function formEncode(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/**
 * A slash command, form-encoded like Slack's. Defaults: command '/call', team_id 'T1',
 * channel_id 'C1', a fresh trigger_id and a (dead) hooks.slack.com response_url — pass
 * `response_url: slackApi.responseUrl()` to record `respond()` calls.
 */
export function slashCommand(baseUrl: string, secret: string, fields: SlashCommandFields, opts?: SendOptions): Promise<SlackHttpResult> {
  return sendSigned(baseUrl, secret, formEncode(slashCommandBody(fields)), FORM, opts);
}

/** Any interactive payload (block_actions, view_submission, view_closed, shortcut...) as `payload=<json>`. */
export function interactive(baseUrl: string, secret: string, payload: Record<string, unknown>, opts?: SendOptions): Promise<SlackHttpResult> {
  return sendSigned(baseUrl, secret, formEncode({ payload: JSON.stringify(payload) }), FORM, opts);
}

/** A block_actions payload (build it with blockActionPayload()). */
export function blockAction(baseUrl: string, secret: string, payload: Record<string, unknown>, opts?: SendOptions): Promise<SlackHttpResult> {
  return interactive(baseUrl, secret, payload, opts);
}

/** A view_submission payload (build it with viewSubmissionPayload()). The ack body (e.g. response_action errors) comes back as json. */
export function viewSubmission(baseUrl: string, secret: string, payload: Record<string, unknown>, opts?: SendOptions): Promise<SlackHttpResult> {
  return interactive(baseUrl, secret, payload, opts);
}

/** An Events API event_callback (JSON body) around `event`, e.g. {type:'app_home_opened', user:'U1', channel:'D1', tab:'home'}. */
export function eventCallback(baseUrl: string, secret: string, event: Record<string, unknown>, team?: TeamRef, opts?: SendOptions): Promise<SlackHttpResult> {
  return sendSigned(baseUrl, secret, JSON.stringify(eventCallbackBody(event, team)), JSON_TYPE, opts);
}

/** Slack's url_verification handshake (Bolt answers {challenge}). */
export function urlVerification(baseUrl: string, secret: string, challenge = 'challenge-token', opts?: SendOptions): Promise<SlackHttpResult> {
  return sendSigned(baseUrl, secret, JSON.stringify({ token: 'verification-token', challenge, type: 'url_verification' }), JSON_TYPE, opts);
}
