/**
 * The cases of `npm run check:vendor` (scripts/check-vendor.ts): which tool of
 * VoipNow's own client is called with which arguments, and what 4PSA's pages
 * say its request and answer are. `clientDefect` names a defect of the client
 * the case is known to show.
 */
import { SEED_IDS, type Sandbox } from '../src/sandbox/server.js';

const CALL = SEED_IDS.seedCall;
const PARKED = SEED_IDS.parkedCall;

/** What the pages say the request looks like and how it is answered. */
export interface Expect {
  method: string;
  path: RegExp;
  body?: Record<string, unknown>;
  query?: Record<string, string>;
  status: number[];
  /** page or reference section the expectation comes from */
  page: string;
}

export interface Case {
  tool: string;
  /** run the module's own runner, bypassing the client's registry */
  direct?: { module: string; runner: string };
  args: Record<string, unknown>;
  expect: Expect;
  setup?: (sb: Sandbox) => Promise<void> | void;
  /** a known defect of the client this case shows, when the client misbehaves */
  clientDefect?: string;
}

const ACTION = (id: string, ext = '0003\\*210') => new RegExp(`^/uapi/phoneCalls/@me/${ext}/${id}$`);
const S202 = [202];

/**
 * One call made twice: through the client's tool registry, which `defect` says
 * hands it the wrong runner, and through the module's own runner (`direct`).
 */
function registryAndOwnRunner(c: Omit<Case, 'direct' | 'clientDefect'>, defect: string, direct: NonNullable<Case['direct']>): Case[] {
  return [
    { ...c, clientDefect: defect },
    { ...c, direct },
  ];
}

/** The calls made with the vendor's tools; `state.ringing` is set by a setup for the next args. */
export function vendorCases(state: { ringing: string }): Case[] {
  return [
    {
      tool: 'phone-calls-list',
      args: { extension: '0003*210' },
      expect: { method: 'GET', path: /^\/uapi\/phoneCalls\/@me\/0003\*210$/, query: { count: '20', startIndex: '0' }, status: [200], page: 'List PhoneCalls' },
    },
    {
      tool: 'phone-calls-list',
      args: { extension: '0003*210', filterBy: 'published', filterOp: 'present', sortOrder: 'descending', fields: ['id', 'published'] },
      expect: {
        method: 'GET',
        path: /^\/uapi\/phoneCalls\/@me\/0003\*210$/,
        query: { filterBy: 'published', filterOp: 'present', sortOrder: 'descending', fields: 'id,published' },
        status: [200],
        page: 'List PhoneCalls (parameters)',
      },
    },
    {
      tool: 'phone-calls-list',
      args: { extension: '0003*210', filterBy: 'id', filterOp: 'equals', filterValue: 'nosuchcall' },
      expect: { method: 'GET', path: /^\/uapi\/phoneCalls\/@me\/0003\*210$/, status: [204], page: 'List PhoneCalls: 204 when nothing to return' },
      clientDefect: 'parses the empty 204 answer as JSON',
    },
    {
      tool: 'phone-calls-update-onhold-offhold',
      args: { extension: '0003*210', phoneCallId: CALL, action: 'OnHold', phoneCallViewId: '01' },
      expect: { method: 'PUT', path: ACTION(CALL), body: { action: 'OnHold', phoneCallViewId: '01' }, status: S202, page: 'OnHold PhoneCalls (seed 000)' },
    },
    {
      tool: 'phone-calls-update-onhold-offhold',
      args: { extension: '0003*210', phoneCallId: CALL, action: 'OffHold', phoneCallViewId: '01' },
      setup: (sb) => {
        sb.world.calls.get(CALL)!.views[0]!.onHold = '2026-01-01T00:00:00+00:00';
        sb.world.calls.get(CALL)!.views[0]!.holder = 1;
      },
      expect: { method: 'PUT', path: ACTION(CALL), body: { action: 'OffHold', phoneCallViewId: '01' }, status: S202, page: 'OffHold PhoneCalls (seed 001)' },
    },
    {
      tool: 'phone-calls-update-park',
      args: { extension: '0003*210', phoneCallId: CALL, action: 'Park', phoneCallViewId: '01', maxInParking: 30 },
      expect: { method: 'PUT', path: ACTION(CALL), body: { action: 'Park', phoneCallViewId: '01', maxInParking: 30 }, status: S202, page: 'Park PhoneCalls' },
    },
    ...registryAndOwnRunner(
      {
        tool: 'phone-calls-update-unpark',
        args: { extension: '0003*210', phoneCallId: PARKED, action: 'UnPark', phoneCallViewId: '01', sendCallTo: '0003*024', callerId: 'John Doe <42420042>', waitForPickup: '20' },
        expect: {
          method: 'PUT',
          path: ACTION(PARKED),
          body: { action: 'UnPark', sendCallTo: '0003*024', callerId: 'John Doe <42420042>', waitForPickup: '20', phoneCallViewId: '01' },
          status: S202,
          page: 'UnPark PhoneCalls (seed 002)',
        },
      },
      "its tool registry gives both tools of phone-calls-update-park-unpark.ts the first runner it finds (Park's), so UnPark runs as Park",
      { module: 'phone-calls-update-park-unpark.js', runner: 'runPhonecallsUpdateUnparkTool' },
    ),
    {
      tool: 'phone-calls-update-whisper',
      args: {
        extension: '0003*210',
        phoneCallId: CALL,
        action: 'Whisper',
        sendCallTo: '0003*024',
        callerId: 'Whisper To Me <42420042>',
        waitForPickup: '20',
        phoneCallViewId: '01',
        privateW: '0',
      },
      expect: {
        method: 'PUT',
        path: ACTION(CALL),
        body: { action: 'Whisper', sendCallTo: '0003*024', private: '0', callerId: 'Whisper To Me <42420042>', waitForPickup: '20', phoneCallViewId: '01' },
        status: S202,
        page: 'Whisper PhoneCalls (seed 004)',
      },
    },
    {
      tool: 'phone-calls-update-monitor',
      args: { extension: '0003*210', phoneCallId: CALL, action: 'Monitor', sendCallTo: '0003*024', phoneCallViewId: '01' },
      expect: {
        method: 'PUT',
        path: ACTION(CALL),
        body: { action: 'Monitor', sendCallTo: '0003*024', phoneCallViewId: '01' },
        status: S202,
        page: 'PhoneCallAction table (Monitor, vendor MCP)',
      },
    },
    {
      tool: 'phone-calls-update-pickup-bargein',
      args: { extension: '0003*210', phoneCallId: CALL, action: 'BargeIn', sendCallTo: '0003*024', phoneCallViewId: '01' },
      expect: { method: 'PUT', path: ACTION(CALL), body: { action: 'BargeIn', sendCallTo: '0003*024', phoneCallViewId: '01' }, status: S202, page: 'BargeIn PhoneCalls' },
    },
    {
      tool: 'phone-calls-update-pickup-bargein',
      args: { extension: '0003*300', phoneCallId: '{ringing}', action: 'PickUp', sendCallTo: '0003*210', phoneCallViewId: '01' },
      setup: async (sb) => {
        // A caller rings the support queue 0003*300 (owned by user 12); nobody answers it yet.
        sb.world.pickupDelayMs = 3_600_000;
        const res = await fetch(`${sb.url}/_sandbox/calls`, { method: 'POST', body: JSON.stringify({ to: '0003*300', from: '5550100', waitForPickup: 600 }) });
        state.ringing = ((await res.json()) as { id: string }).id;
      },
      expect: {
        method: 'PUT',
        path: /^\/uapi\/phoneCalls\/@me\/0003\*300\/[0-9a-f]{20}$/,
        body: { action: 'PickUp', sendCallTo: '0003*210', phoneCallViewId: '01' },
        status: S202,
        page: 'PickUp PhoneCalls',
      },
    },
    {
      tool: 'phone-calls-update-start-stop-recording',
      args: { extension: '0003*210', phoneCallId: CALL, action: 'StartRecording', phoneCallViewId: '01', format: 'wav49' },
      expect: {
        method: 'PUT',
        path: ACTION(CALL),
        body: { action: 'StartRecording', phoneCallViewId: '01', format: 'wav49' },
        status: S202,
        page: 'PhoneCallAction table (StartRecording, format)',
      },
    },
    {
      tool: 'phone-calls-update-start-stop-recording',
      args: { extension: '0003*210', phoneCallId: CALL, action: 'StopRecording', phoneCallViewId: '01' },
      setup: (sb) => {
        sb.world.calls.get(CALL)!.views[0]!.recording = '2026-01-01T00:00:00+00:00';
      },
      expect: { method: 'PUT', path: ACTION(CALL), body: { action: 'StopRecording', phoneCallViewId: '01' }, status: S202, page: 'PhoneCallAction table (StopRecording)' },
    },
    {
      tool: 'phone-calls-update-transfer',
      args: { extension: '0003*210', phoneCallId: CALL, action: 'Transfer', sendCallTo: '3334444', transferFromNumber: '0003*024', transferNumber: '0003*210' },
      expect: {
        method: 'PUT',
        path: ACTION(CALL),
        body: { action: 'Transfer', sendCallTo: '3334444', transferFromNumber: '0003*024', transferNumber: '0003*210' },
        status: S202,
        page: 'Transfer PhoneCalls (example body)',
      },
    },
    ...registryAndOwnRunner(
      {
        tool: 'phone-calls-update-transfer-tovoicemail',
        args: { extension: '0003*210', phoneCallId: CALL, action: 'TransferToVoicemail', sendCallTo: '0003*024', transferNumber: '0003*210' },
        expect: {
          method: 'PUT',
          path: ACTION(CALL),
          body: { action: 'TransferToVoicemail', sendCallTo: '0003*024', transferNumber: '0003*210' },
          status: S202,
          page: 'TransferToVoicemail PhoneCalls',
        },
      },
      "its tool registry gives both tools of phone-calls-update-transfer-tovoicemail.ts the first runner it finds (Transfer's), so TransferToVoicemail runs as Transfer",
      { module: 'phone-calls-update-transfer-tovoicemail.js', runner: 'runPhonecallsUpdateTransferTovoicemailTool' },
    ),
    {
      tool: 'phone-calls-create',
      args: { type: 'simple', extension: '0003*210', source: ['0003*210'], destination: ['0003*024'], callerId: 'John Doe <3333>', waitForPickup: '20' },
      expect: {
        method: 'POST',
        path: /^\/uapi\/phoneCalls\/@me\/simple$/,
        query: { waitForPickup: '20' },
        body: { extension: '0003*210', phoneCallView: [{ source: ['0003*210'], destination: ['0003*024'], callerId: 'John Doe <3333>' }] },
        status: [200],
        page: 'Create Simple PhoneCalls',
      },
    },
    {
      tool: 'phone-calls-create',
      args: { type: 'callback', extension: '0003*210', source: ['0003*210'], destination: ['+15551234567'] },
      expect: { method: 'POST', path: /^\/uapi\/phoneCalls\/@me\/callback$/, body: { extension: '0003*210' }, status: [200], page: 'PhoneCalls service (callback)' },
    },
    {
      tool: 'phone-calls-create',
      args: { type: 'conferenceInvite', extension: '0003*210', source: ['0003*210'], destination: ['0003*024'], number: '0003*800', pin: '1234' },
      expect: { method: 'POST', path: /^\/uapi\/phoneCalls\/@me\/conferenceInvite$/, status: [200], page: 'PhoneCalls service (conferenceInvite)' },
    },
    {
      tool: 'phone-calls-delete',
      args: { extension: '0003*210', phoneCallId: CALL },
      expect: { method: 'DELETE', path: ACTION(CALL), status: [200], page: 'Delete PhoneCalls' },
    },
    {
      tool: 'phone-calls-delete',
      args: { extension: '0003*210', phoneCallId: CALL, phoneNumber: '5559999' },
      expect: { method: 'DELETE', path: ACTION(CALL), query: { phoneNumber: '5559999' }, status: [204], page: 'Delete PhoneCalls: 204 when nothing was hung up' },
      clientDefect: 'parses the empty 204 answer as JSON',
    },
    {
      tool: 'extensions-phone-call-events-list',
      args: { extension: '0003*210', sortOrder: 'descending' },
      expect: { method: 'GET', path: /^\/uapi\/extensions\/@me\/0003\*210\/phoneCallEvents$/, query: { sortOrder: 'descending' }, status: [200], page: 'List PhoneCallEvents' },
      clientDefect: 'sends sortOrder as `sortOder`, so the order asked for is ignored',
    },
    {
      tool: 'extensions-phone-call-events-create',
      args: { extension: '0003*210', type: '2', method: '1', url: 'http://hooks.example/hangup', note: 'hangups', status: '1' },
      expect: {
        method: 'POST',
        path: /^\/uapi\/extensions\/@me\/0003\*210\/phoneCallEvents$/,
        body: { type: '2', method: '1', url: 'http://hooks.example/hangup' },
        status: [200],
        page: 'Add PhoneCallEvents',
      },
    },
    {
      tool: 'extensions-phone-call-events-update',
      args: { extension: '0003*210', eventType: '0', eventID: 'MyPhoneCallEvent', method: '1', note: 'I want to use POST for my event' },
      expect: {
        method: 'PUT',
        path: /^\/uapi\/extensions\/@me\/0003\*210\/phoneCallEvents\/0\/MyPhoneCallEvent$/,
        body: { method: '1', note: 'I want to use POST for my event' },
        status: [200],
        page: 'Update PhoneCallEvents (seed 003)',
      },
    },
    {
      tool: 'extensions-phone-call-events-delete',
      args: { extension: '0003*210', eventType: '0', eventID: SEED_IDS.seedEvent },
      expect: { method: 'DELETE', path: new RegExp(`^/uapi/extensions/@me/0003\\*210/phoneCallEvents/0/${SEED_IDS.seedEvent}$`), status: [200], page: 'Delete PhoneCallEvents' },
    },
  ];
}
