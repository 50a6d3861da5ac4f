import { CallopsError } from '../errors.js';

/**
 * One error type for everything that can go wrong talking to VoipNow, and the
 * table that turns UAPI error codes into sentences a call-center agent can act on.
 */

/** Where the failure happened. */
export type UapiErrorKind =
  | 'rejected' // the server answered 4xx/5xx
  | 'invalid_input' // our own check of the seeds' input rules, before anything was sent
  | 'timeout'
  | 'network'
  | 'bad_response' // 2xx with a body we cannot read
  | 'unsafe_link'; // a link.self pointing away from the configured server

/**
 * Plain-language sentence for each known code. Codes come from the seed pages,
 * the HTTP Return Codes page and the PhoneCallEvents pages of 4PSA's UAPI documentation.
 */
export const UAPI_ERROR_SENTENCES: Record<string, string> = {
  pc_phonecall_invalid: 'That call does not exist (any more). It may have ended; run `list` to see live calls.',
  pc_phonecallview_invalid: 'That call has no such view (party). Run `list` to see the views of the call.',
  pc_timeout_invalid: 'The wait time must be a whole number of seconds above 0, for example `wait 20`.',
  pc_callerid_invalid: 'The caller ID must look like `John Doe <+3334444>`: a name, then a number in angle brackets.',
  pc_private_invalid: '`private` must be 0 (the whisperer hears the call) or 1 (they do not).',
  pc_sendcallto_invalid: 'The target must be the number of a phone terminal extension in the same organization, for example `0003*024`.',
  pc_action_invalid: 'VoipNow does not know that call action.',
  pc_maxinparking_invalid: 'The parking time must be between 10 and 3600 seconds.',
  pc_format_invalid: 'The recording format must be `wav` or `wav49`.',
  pc_transfernumber_invalid: 'The number to transfer must be the source or the destination of the call.',
  pc_transferfromnumber_invalid: 'The number to transfer from must be the source or the destination of the call.',
  pc_extension_invalid: 'To place a call, use one of your own phone terminal extensions, for example `from 0003*210`.',
  pc_source_invalid: 'The calling side must be an extension or a phone number.',
  pc_destination_invalid: 'The number to call must be an extension like `0003*024` or a phone number like `+15551234567`.',
  pc_callerdestination_invalid: 'The caller ID shown to the called party must look like `John Doe <+3334444>`.',
  pc_callduration_invalid: 'The call duration must be a whole number of seconds above 0.',
  too_many_requests: 'VoipNow is rate-limiting requests. Wait a few seconds and try again.',
  pce_type_invalid: 'The event type must be 0 (dial-in), 1 (dial-out), 2 (hangup), 3 (answer, incoming) or 4 (answer, outgoing).',
  pce_id_invalid: 'That call event id is not valid: it must be the alphanumeric id of an existing event of this extension.',
  pce_method_invalid: 'The event method must be GET or POST.',
  pce_note_invalid: 'The event note must be text of at most 1024 characters.',
  pce_url_invalid: 'The event URL must be a valid http:// or https:// address.',
  pce_status_invalid: 'The event status must be enabled or disabled.',
  pce_access_denied: 'Your VoipNow account is not allowed to manage call events of that extension.',
  extension_invalid: 'That extension does not exist or cannot be used here. Extensions look like `0003*210`.',
  user_invalid: 'That VoipNow user is not valid here.',
  access_denied: 'VoipNow refused: your VoipNow account is not authorized to do this on that extension or call.',
  request_not_implemented: 'This VoipNow server does not support that request.',
  internal_server_error: 'VoipNow had an internal error. Try again in a moment; if it persists, contact your PBX administrator.',
  request_invalid: 'VoipNow could not read the request.',
};

/**
 * Misspellings found on the seed pages themselves (README of the seeds):
 * OffHold says pc_phoncall_invalid / pc_phoncallview_invalid, Whisper says
 * pc_honecall_invalid. A server built from those pages may send them, so they
 * are read as the majority spelling.
 */
const CODE_ALIASES: Record<string, string> = {
  pc_phoncall_invalid: 'pc_phonecall_invalid',
  pc_honecall_invalid: 'pc_phonecall_invalid',
  pc_phoncallview_invalid: 'pc_phonecallview_invalid',
  access_denided: 'access_denied',
};

/** Codes a server gives for a missing, bad or expired token (access_denied is the documented one). */
const TOKEN_REFUSAL_CODES = new Set(['access_denied', 'invalid_token', 'expired_token', 'token_expired', 'unauthorized', 'invalid_request_token']);

export function canonicalCode(code: string): string {
  const lower = code.trim().toLowerCase();
  return CODE_ALIASES[lower] ?? lower;
}

export interface UapiErrorInit {
  kind: UapiErrorKind;
  code: string;
  status?: number;
  serverMessage?: string;
  /** Overrides the sentence from the table. */
  sentence?: string;
  /** Which input field was wrong (for `invalid_input`), to point a Slack modal at it. */
  field?: string;
  /** 429: seconds to wait before trying again (`Retry-After`). */
  retryAfterSec?: number;
  cause?: unknown;
}

export class UapiError extends CallopsError {
  readonly kind: UapiErrorKind;
  readonly code: string;
  readonly status: number | undefined;
  readonly serverMessage: string | undefined;
  readonly field: string | undefined;
  /** 429: seconds to wait before trying again, from `Retry-After`. */
  readonly retryAfterSec: number | undefined;
  /** What to show a person. */
  readonly sentence: string;

  constructor(init: UapiErrorInit) {
    const code = canonicalCode(init.code);
    const sentence = init.sentence ?? sentenceFor(code, init.status, init.serverMessage);
    super(`${code}${init.status ? ` (HTTP ${init.status})` : ''}: ${sentence}`, { cause: init.cause });
    this.name = 'UapiError';
    this.kind = init.kind;
    this.code = code;
    this.status = init.status;
    this.serverMessage = init.serverMessage;
    this.field = init.field;
    this.retryAfterSec = init.retryAfterSec;
    this.sentence = sentence;
  }

  /** True when the token should be refreshed and the request tried once more. */
  get isAuthFailure(): boolean {
    // 401 is documented; 4PSA's own apps also refresh on 403 (reference §6). Only a refusal
    // about the token counts: a 401/403 with another code (pce_access_denied, say) is a plain
    // permission refusal, and refreshing would only spend the refresh token.
    return this.kind === 'rejected' && (this.status === 401 || this.status === 403) && TOKEN_REFUSAL_CODES.has(this.code);
  }
}

function sentenceFor(code: string, status: number | undefined, serverMessage: string | undefined): string {
  const known = UAPI_ERROR_SENTENCES[code];
  if (known) return known;
  if (status !== undefined && status >= 500) {
    return `VoipNow is having trouble (HTTP ${status}). Try again in a moment; if it persists, contact your PBX administrator.`;
  }
  if (status === 401 || status === 403) return UAPI_ERROR_SENTENCES.access_denied!;
  if (status === 404) return 'VoipNow does not know that resource. Check the extension and call id.';
  if (status === 429) return 'VoipNow is rate-limiting requests. Wait a few seconds and try again.';
  // The server's own words, on one line and without links (a PBX message is not trusted to point anywhere).
  const words = serverMessage
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    ?.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/<?(?:https?|ftp|mailto|tel):[^\s>|]*(?:\|[^>]*)?>?/gi, '[link removed]')
    .trim()
    .slice(0, 200);
  const detail = words ? `: ${words}` : '';
  return `VoipNow refused the request (${code}${detail}).`;
}

/** Moved to `src/redact.ts` (logging must not reach into the adapter); re-exported for existing users. */
export { redact } from '../redact.js';
