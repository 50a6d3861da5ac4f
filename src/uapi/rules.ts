/**
 * The input rules the seed pages state, checked before anything is sent, with
 * the same error code the server would answer. A rule returns the normalised
 * value or throws a UapiError of kind `invalid_input` naming the field.
 */
import { UapiError } from './errors.js';

function invalid(code: string, field: string, sentence: string): never {
  throw new UapiError({ kind: 'invalid_input', code, field, sentence });
}

/** `0003*210`, `210`: UAPI-Extension-Number is `*( DIGIT / "*" )` (Data Types page). */
const EXTENSION = /^\d+(\*\d+)?$/;
/** UAPI-Phone-Number: `*( DIGIT / "+" )`, a leading + only. */
const PHONE_NUMBER = /^\+?\d{2,20}$/;
/** Object-Id: alpha-numeric (OnHold page, pc_phonecall_invalid). */
const OBJECT_ID = /^[A-Za-z0-9]{1,64}$/;
/** A name, then a number in angle brackets: `John Doe <+3334444>` (pc_callerid_invalid). */
const CALLER_ID = /^[^<>\r\n]{1,80}<\+?[0-9*]{1,32}>$/;

export const rules = {
  extension(value: string, opts: { allowSelf?: boolean; field?: string } = {}): string {
    const v = value.trim();
    if (v === '@self' && opts.allowSelf) return v;
    if (EXTENSION.test(v)) return v;
    const self = opts.allowSelf ? ', or @self for all your extensions' : '';
    return invalid(
      'extension_invalid',
      opts.field ?? 'extension',
      `\`${value}\` is not an extension number. Use digits with an optional organization prefix, like \`0003*210\` or \`210\`${self}.`,
    );
  },

  userId(value: string): string {
    const v = value.trim();
    if (/^@(me|viewer|owner)$/.test(v) || /^\d+$/.test(v)) return v;
    return invalid('user_invalid', 'userId', `\`${value}\` is not a VoipNow user: use @me, @owner or a numeric user id.`);
  },

  phoneCallId(value: string): string {
    if (OBJECT_ID.test(value.trim())) return value.trim();
    return invalid('pc_phonecall_invalid', 'phoneCallId', `\`${value}\` is not a call id: call ids are letters and digits, like \`b817d2618fe6f1804333\`.`);
  },

  phoneCallViewId(value: string): string {
    if (OBJECT_ID.test(value.trim())) return value.trim();
    return invalid('pc_phonecallview_invalid', 'phoneCallViewId', `\`${value}\` is not a view id: view ids look like \`01\`.`);
  },

  sendCallTo(value: string, opts: { allowPhoneNumber?: boolean } = {}): string {
    const v = value.trim();
    if (EXTENSION.test(v)) return v;
    if (opts.allowPhoneNumber && PHONE_NUMBER.test(v)) return v;
    const what = opts.allowPhoneNumber ? 'an extension like `0003*024` or a phone number like `+15551234567`' : 'a phone terminal extension like `0003*024`';
    return invalid('pc_sendcallto_invalid', 'sendCallTo', `\`${value}\` is not a valid target: use ${what}.`);
  },

  callerId(value: string): string {
    const v = value.trim().replace(/\s+/g, ' ');
    if (CALLER_ID.test(v) && /\S/.test(v.slice(0, v.indexOf('<')))) return v;
    return invalid('pc_callerid_invalid', 'callerId', `\`${value}\` is not a caller ID: write a name, then the number in angle brackets, like \`John Doe <+3334444>\`.`);
  },

  waitForPickup(value: string | number): number {
    const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
    if (Number.isInteger(n) && n > 0 && n <= 3600) return n;
    return invalid('pc_timeout_invalid', 'waitForPickup', `\`${value}\` is not a wait time: use whole seconds above 0, like \`20\` (VoipNow's default is 25).`);
  },

  private(value: string | number | boolean): 0 | 1 {
    if (value === true || value === 1 || value === '1') return 1;
    if (value === false || value === 0 || value === '0') return 0;
    return invalid('pc_private_invalid', 'private', `\`${String(value)}\` is not allowed for private: use 0 or 1.`);
  },

  maxInParking(value: string | number): number {
    const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
    if (Number.isInteger(n) && n >= 10 && n <= 3600) return n;
    // Park's error table was not readable; 10..3600 is the vendor MCP server's range (reference §3).
    return invalid('pc_maxinparking_invalid', 'maxInParking', `\`${value}\` is not a parking time: use 10 to 3600 seconds (default 180).`);
  },

  /** Create PhoneCalls `destination`: "any extension number or a public number". */
  destination(value: string): string {
    const v = value.trim().replace(/[\s().-]/g, '');
    if (EXTENSION.test(v) || PHONE_NUMBER.test(v)) return v;
    return invalid('pc_destination_invalid', 'destination', `\`${value}\` is not a number to call: use an extension like \`0003*024\` or a phone number like \`+15551234567\`.`);
  },

  /** StartRecording `format`: `wav` or `wav49` (resource page; the vendor's MCP server defaults to wav). */
  recordingFormat(value: string): 'wav' | 'wav49' {
    const v = value.trim().toLowerCase();
    if (v === 'wav' || v === 'wav49') return v;
    return invalid('pc_format_invalid', 'format', `\`${value}\` is not a recording format: use \`wav\` or \`wav49\` (GSM in WAV, smaller).`);
  },

  /**
   * Transfer / TransferToVoicemail `transferNumber` and `transferFromNumber`:
   * the number of the source or the destination party of the call (vendor MCP
   * server): an extension or a phone number.
   */
  partyNumber(value: string, field: 'transferNumber' | 'transferFromNumber'): string {
    const v = value.trim();
    if (EXTENSION.test(v) || PHONE_NUMBER.test(v)) return v;
    return invalid(`pc_${field.toLowerCase()}_invalid`, field, `\`${value}\` is not a party of a call: use an extension like \`0003*024\` or a phone number like \`+15551234567\`.`);
  },

  eventType(value: string | number): 0 | 1 | 2 | 3 | 4 {
    const s = String(value).trim().toLowerCase();
    const byName: Record<string, 0 | 1 | 2 | 3 | 4> = {
      '0': 0,
      'dial-in': 0,
      dialin: 0,
      in: 0,
      '1': 1,
      'dial-out': 1,
      dialout: 1,
      out: 1,
      '2': 2,
      hangup: 2,
      '3': 3,
      'answer-in': 3,
      answer: 3,
      '4': 4,
      'answer-out': 4,
    };
    const t = Object.hasOwn(byName, s) ? byName[s] : undefined;
    if (t !== undefined) return t;
    return invalid('pce_type_invalid', 'eventType', `\`${value}\` is not an event type: use 0 (dial-in), 1 (dial-out), 2 (hangup), 3 (answer, incoming) or 4 (answer, outgoing).`);
  },

  eventId(value: string): string {
    // Resource page: alpha-numeric, 1 to 255 characters (the Update page's "32 characters" conflicts with its own 30-char example).
    if (/^[A-Za-z0-9]{1,255}$/.test(value.trim())) return value.trim();
    return invalid('pce_id_invalid', 'eventId', `\`${value}\` is not an event id: event ids are letters and digits, like \`NqeyDRqo4FtabmFj8gNWq3hsiGNYyq\`.`);
  },

  eventMethod(value: string | number): 0 | 1 {
    const s = String(value).trim().toLowerCase();
    if (s === '0' || s === 'get') return 0;
    if (s === '1' || s === 'post') return 1;
    return invalid('pce_method_invalid', 'method', `\`${value}\` is not an event method: use GET or POST.`);
  },

  eventNote(value: string): string {
    if (value.length <= 1024) return value;
    return invalid('pce_note_invalid', 'note', `The note has ${value.length} characters; at most 1024 are allowed.`);
  },

  eventUrl(value: string): string {
    const v = value.trim().replace(/^<(.*)>$/, '$1'); // Slack wraps links as <http://...>
    try {
      const u = new URL(v);
      if ((u.protocol === 'http:' || u.protocol === 'https:') && u.hostname) return u.href;
    } catch {
      /* fall through */
    }
    return invalid('pce_url_invalid', 'url', `\`${value}\` is not a web address: use an http:// or https:// URL, like \`https://crm.example.com/voipnow\`.`);
  },

  eventStatus(value: string | number | boolean): 0 | 1 {
    // Resource page and vendor code: 1 = enabled, 0 = disabled (the Update page's error text says the opposite).
    const s = String(value).trim().toLowerCase();
    if (s === '1' || s === 'enabled' || s === 'enable' || s === 'on' || s === 'true') return 1;
    if (s === '0' || s === 'disabled' || s === 'disable' || s === 'off' || s === 'false') return 0;
    return invalid('pce_status_invalid', 'status', `\`${value}\` is not an event status: use enabled or disabled.`);
  },
};
