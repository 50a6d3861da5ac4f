/**
 * Every error the sandbox can answer, and the one function that turns a thrown
 * error into an HTTP reply.
 *
 * UAPI errors use the documented body `{"error":{"code","message"}}` (HTTP
 * Return Codes page + the "Failure" tables of the seed pages). OAuth endpoint
 * errors use the standard RFC 6749 shape `{"error","error_description"}`.
 */
import { escapeHtml, htmlPage } from './html.js';

export interface Reply {
  status: number;
  /** JSON body; omitted for 204 */
  body?: unknown;
  /** HTML body (OAuth consent pages) */
  html?: string;
  /** plain text body */
  text?: string;
  headers?: Record<string, string>;
}

interface CatalogEntry {
  status: number;
  message: string;
}

/**
 * Spelling follows the model lines and the majority of the pages: the OffHold
 * page's `pc_phoncall_invalid` / `pc_phoncallview_invalid` and the Whisper
 * page's `pc_honecall_invalid` are typos of `pc_phonecall_invalid` /
 * `pc_phonecallview_invalid`, which the OnHold and UnPark pages spell right.
 */
const CATALOG = {
  // --- common to all requests (HTTP Return Codes page)
  user_invalid: { status: 400, message: 'Value supplied in the URI-Fragment as userId is invalid. It must be a User id or one of @me, @viewer, @owner.' },
  extension_invalid: { status: 400, message: 'Value supplied in the URI-Fragment as extension is invalid. The parameter must reference the number of an existing extension.' },
  access_denied: { status: 401, message: 'You are not authorized to use this request.' },
  internal_server_error: { status: 500, message: 'Internal server error. Please contact the administrator.' },
  request_not_implemented: { status: 501, message: 'The request is not implemented.' },
  // Not documented: the pages never say what a body that is not JSON yields.
  // We answer 400 with this code, named after the documented `<thing>_invalid` pattern.
  request_invalid: { status: 400, message: 'The request body must be a JSON object.' },
  // Generic list errors (UAPI v5 HTTP Return Codes).
  count_invalid: { status: 400, message: 'Value supplied in count parameter is invalid. It must be a number between 1 and 5000.' },
  // Not documented for the UAPI (reference §6: rate limiting unknown); the
  // sandbox answers it only when a fault asks for it, with `Retry-After`.
  too_many_requests: { status: 429, message: 'Too many requests. Try again after the number of seconds in Retry-After.' },
  fields_invalid: { status: 400, message: 'Value supplied in fields parameter is invalid. It must be a comma-separated list of fields of the resource.' },
  filterby_invalid: { status: 400, message: 'Value supplied in filterBy parameter is missing or invalid. It must name a field the list can be filtered by.' },
  filterop_invalid: { status: 400, message: 'Value supplied in filterOp parameter is invalid. Allowed: contains, equals, greaterThan, inArray, lessThan, present, startsWith.' },
  filtervalue_invalid: { status: 400, message: 'Value supplied in filterValue parameter is missing or invalid.' },
  sortorder_invalid: { status: 400, message: 'Value supplied in sortOrder parameter is invalid. Allowed: ascending, descending.' },
  startindex_invalid: { status: 400, message: 'Value supplied in startIndex parameter is invalid. It must be a number between 0 and 5000.' },

  // --- PhoneCalls (seed pages 000, 001, 002, 004)
  pc_phonecall_invalid: {
    status: 400,
    message: 'Value supplied in phoneCallId from the URI-Fragment is invalid. The parameter must be set to an alpha-numeric value and reference an existing phone call.',
  },
  pc_phonecallview_invalid: {
    status: 400,
    message:
      'Value supplied in phoneCallViewId parameter is missing or invalid. The parameter must reference a view of the phone call identified by the phoneCallId given in the URI-Fragment.',
  },
  pc_timeout_invalid: { status: 400, message: 'Value supplied in waitForPickup parameter is missing or invalid. The parameter must be numeric and higher than 0.' },
  pc_callerid_invalid: { status: 400, message: 'Value supplied in callerId parameter is missing or invalid. The parameter must be set to a value with the format: John Doe <+3334444>.' },
  pc_private_invalid: { status: 400, message: 'Value supplied in private parameter is missing or invalid. The parameter must be set to 0 for non private calls or 1 for private calls.' },
  pc_sendcallto_invalid: { status: 400, message: 'Value supplied in sendCallTo parameter is missing or invalid. The parameter must be set to the number of a phone terminal extension.' },
  // Invented, following the documented `pc_<field>_invalid` pattern: the pages
  // show no code for these conditions (the Park/Transfer/Create failure tables
  // were not readable; an unknown action has no documented code at all).
  pc_action_invalid: {
    status: 400,
    message:
      'Value supplied in action parameter is missing or invalid. Allowed: OnHold, OffHold, Park, UnPark, PickUp, Whisper, Monitor, BargeIn, Transfer, TransferToVoicemail, StartRecording, StopRecording.',
  },
  pc_maxinparking_invalid: { status: 400, message: 'Value supplied in maxInParking parameter is invalid. It must be a number of seconds between 10 and 3600.' },
  pc_format_invalid: { status: 400, message: 'Value supplied in format parameter is invalid. It must be wav or wav49.' },
  pc_transferfromnumber_invalid: {
    status: 400,
    message: 'Value supplied in transferFromNumber parameter is invalid. It must be the number of the source or the destination of the phone call view.',
  },
  pc_transfernumber_invalid: {
    status: 400,
    message: 'Value supplied in transferNumber parameter is invalid. It must be the number of the source or the destination of the phone call view.',
  },
  pc_extension_invalid: { status: 400, message: 'Value supplied in extension parameter is missing or invalid. It must be a Phone Terminal extension owned by the User.' },
  pc_source_invalid: { status: 400, message: 'Value supplied in source parameter is missing or invalid. It must be a list of extension or phone numbers.' },
  pc_destination_invalid: { status: 400, message: 'Value supplied in destination parameter is missing or invalid. It must be a list of extension or phone numbers.' },
  pc_callerdestination_invalid: {
    status: 400,
    message: 'Value supplied in callerDestination parameter is invalid. The parameter must be set to a value with the format: John Doe <+3334444>.',
  },
  pc_callduration_invalid: { status: 400, message: 'Value supplied in callDuration parameter is invalid. It must be numeric and higher than 0.' },

  // --- PhoneCallEvents (seed page 003)
  pce_type_invalid: {
    status: 400,
    message:
      'Value supplied in type parameter is missing or invalid. The parameter must be set to one of the following values: 0 for DialIn, 1 for DialOut, 2 for Hangup, 3 for Answer on incoming call, 4 for Answer on outgoing call.',
  },
  pce_id_invalid: { status: 400, message: 'Value supplied in id parameter is invalid. The parameter must be alpha-numeric and reference an existing phone call event.' },
  pce_method_invalid: {
    status: 400,
    message: 'Value supplied in method parameter is missing or invalid. The parameter must be set to one of the following values: 0 for GET or 1 for POST.',
  },
  pce_note_invalid: { status: 400, message: 'Value supplied in note parameter is missing or invalid. It must be a string of at most 1024 characters.' },
  pce_url_invalid: { status: 400, message: 'Value supplied in request URL parameter is missing or invalid. It must be a valid HTTP URL.' },
  // The seed page says "0 for enabled or 1 for disabled"; the PhoneCallEvents
  // resource page (and the seed's own example, status "1" on a live event) say
  // 0 = disabled, 1 = enabled. We follow the resource model.
  pce_status_invalid: {
    status: 400,
    message: 'Value supplied in status parameter is missing or invalid. The parameter must be set to one of the following values: 0 for disabled or 1 for enabled.',
  },
  pce_access_denied: { status: 400, message: 'You are not allowed to manage the phone call events.' },
} satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof CATALOG;

/** A UAPI error answer. `detail` replaces the catalogued message when given. */
export class ApiError extends Error {
  readonly status: number;
  /** extra response headers (e.g. Retry-After on 429) */
  headers?: Record<string, string>;
  constructor(
    readonly code: ErrorCode,
    detail?: string,
  ) {
    super(detail ?? CATALOG[code].message);
    this.status = CATALOG[code].status;
  }
}

export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type';

/** An OAuth 2.0 token endpoint error (RFC 6749 §5.2). */
export class OAuthError extends Error {
  readonly status: number;
  constructor(
    readonly code: OAuthErrorCode,
    description: string,
  ) {
    super(description);
    this.status = code === 'invalid_client' ? 401 : 400;
  }
}

/** An error shown to a person in the browser (consent page). */
export class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    description: string,
  ) {
    super(description);
  }
}

/** The one error-answer function: any thrown value becomes a Reply. */
export function errorReply(err: unknown): Reply {
  if (err instanceof ApiError) {
    return { status: err.status, body: { error: { code: err.code, message: err.message } }, ...(err.headers && { headers: err.headers }) };
  }
  if (err instanceof OAuthError) {
    return {
      status: err.status,
      body: { error: err.code, error_description: err.message },
      headers: err.status === 401 ? { 'WWW-Authenticate': 'Basic realm="oauth"' } : {},
    };
  }
  if (err instanceof PageError) {
    return {
      status: err.status,
      html: htmlPage(err.title, `<h1>${escapeHtml(err.title)}</h1><p>${escapeHtml(err.message)}</p>`),
    };
  }
  const internal = new ApiError('internal_server_error');
  return { status: internal.status, body: { error: { code: internal.code, message: internal.message } } };
}
