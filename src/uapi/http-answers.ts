/**
 * What a VoipNow answer means: JSON or not, which failures a GET may retry,
 * `Retry-After`, and the UapiError an error status and body become.
 */
import { UapiError } from './errors.js';
import { uapiErrorBodySchema } from './schemas.js';

/** What to tell a person who was rate-limited: when to try again. */
export function rateLimitSentence(seconds: number | undefined, now: Date = new Date()): string {
  if (seconds === undefined) return 'VoipNow is rate-limiting requests and did not say for how long. Wait a minute and try again.';
  if (seconds <= 1) return 'VoipNow is rate-limiting requests. Try again in a second.';
  const at = new Date(now.getTime() + seconds * 1000).toISOString().slice(11, 19);
  const span = seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  return `VoipNow is rate-limiting requests. Try again in ${span} (after ${at} UTC).`;
}

/** `/uapi/phoneCalls/@me/0003*210/b817d...` → `/uapi/phoneCalls/@me/:id/:id`: bounded label values. */
export function routeOf(pathOrUrl: string): string {
  let path = pathOrUrl;
  try {
    path = new URL(pathOrUrl, 'http://x').pathname;
  } catch {
    // keep as given
  }
  return (
    path
      .split('/')
      // Words stay (phoneCalls, @me); anything with a digit or symbol, or hex-looking, is an id.
      .map((seg) => (seg === '' || (/^@?[A-Za-z]+$/.test(seg) && !/^[0-9a-f]{8,}$/i.test(seg)) ? seg : ':id'))
      .join('/')
      .replace(/\/{2,}/g, '/')
  );
}

export const NOT_JSON = Symbol('not json');
export const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/** A network failure (not a timeout: the server may still be working on it) or a 5xx answer. */
export function isRetryable(err: UapiError): boolean {
  return err.kind === 'network' || (err.kind === 'rejected' && err.status !== undefined && err.status >= 500);
}

/**
 * Seconds to wait from a `Retry-After` header: delay-seconds or an HTTP-date
 * (RFC 9110 §10.2.3). Undefined when absent or unreadable.
 */
export function retryAfterSeconds(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

export function errorFromResponse(status: number, raw: unknown, text: string, retryAfter: string | null = null): UapiError {
  if (status === 429) {
    const seconds = retryAfterSeconds(retryAfter);
    const code = uapiErrorBodySchema.safeParse(raw).data?.error.code ?? 'too_many_requests';
    return new UapiError({ kind: 'rejected', status, code, retryAfterSec: seconds, sentence: rateLimitSentence(seconds) });
  }
  const body = uapiErrorBodySchema.safeParse(raw);
  if (body.success) {
    return new UapiError({ kind: 'rejected', status, code: body.data.error.code, serverMessage: body.data.error.message });
  }
  // OAuth endpoints answer {"error":"invalid_grant","error_description":"..."}.
  if (raw && typeof raw === 'object' && typeof (raw as { error?: unknown }).error === 'string') {
    const o = raw as { error: string; error_description?: string };
    return new UapiError({ kind: 'rejected', status, code: o.error, serverMessage: o.error_description });
  }
  const fallback = status === 401 || status === 403 ? 'access_denied' : `http_${status}`;
  return new UapiError({ kind: 'rejected', status, code: fallback, serverMessage: raw === NOT_JSON ? text.slice(0, 120) : undefined });
}
