/**
 * Starting data: the world of the seed pages.
 *
 * - Organization 3 "Default Organization" (the seeds' `ownerId` "3" /
 *   `ownerName`), which is also user 3, the Organization account.
 * - User 12 owns Phone Terminal 0003*210 (the seeds' `/uapi/phoneCalls/12/0003*210/…`);
 *   user 13 owns 0003*024, the other party of the seed call.
 * - Call b817d2618fe6f1804333 with view "01" exactly as on the OnHold page.
 * - PhoneCallEvent NqeyDRqo4FtabmFj8gNWq3hsiGNYyq (type 0) on 0003*210, the one
 *   the Update PhoneCallEvents page changes.
 *
 * Dates are relative to the moment of (re)seeding so the demo looks live.
 */
import type { Extension, SeedData } from './world.js';
import { isoDate } from './world.js';

export const SEED_IDS = {
  /** OnHold / OffHold / UnPark / Whisper pages */
  seedCall: 'b817d2618fe6f1804333',
  /** public caller 7778888 through queue 0003*300, answered by agent 0003*024 */
  queueCall: 'a3c9e27f01b4d5e6f789',
  /** public caller 5551234 parked by 0003*210 */
  parkedCall: 'c0ffee0011223344aabb',
  /** Update PhoneCallEvents page (the id its answer shows) */
  seedEvent: 'NqeyDRqo4FtabmFj8gNWq3hsiGNYyq',
  /** Update PhoneCallEvents page (the id its Model example puts in the URI) */
  pageEvent: 'MyPhoneCallEvent',
} as const;

export function seedWorld(now: Date = new Date()): SeedData {
  const ago = (seconds: number) => isoDate(new Date(now.getTime() - seconds * 1000));
  const pt = (number: string, ownerId: string, label: string, callerId: string, extra: Partial<Extension> = {}): Extension => ({
    number,
    type: 'phoneTerminal',
    label,
    ownerId,
    orgId: number.startsWith('0004') ? '4' : '3',
    callerId,
    answers: true,
    ...extra,
  });
  const org = { ownerId: '3', ownerName: 'Default Organization' };
  return {
    orgs: [
      { id: '3', name: 'Default Organization', code: '0003' },
      { id: '4', name: 'Other Organization', code: '0004' },
    ],
    users: [
      { id: '3', name: 'Default Organization', orgId: '3', role: 'organization' },
      { id: '12', name: 'John Doe', orgId: '3', role: 'user' },
      { id: '13', name: 'Jane Roe', orgId: '3', role: 'user' },
      { id: '14', name: 'Bob Smith', orgId: '3', role: 'user' },
      { id: '4', name: 'Other Organization', orgId: '4', role: 'organization' },
      { id: '41', name: 'Olga Other', orgId: '4', role: 'user' },
    ],
    extensions: [
      pt('0003*210', '12', 'John Doe desk phone', 'John Doe <3333>', { did: '3333' }),
      pt('0003*024', '13', 'Jane Roe desk phone', 'Jane Roe <3334444>', { did: '3334444' }),
      pt('0003*025', '14', 'Bob Smith desk phone', 'Bob Smith <3335555>'),
      // Never picks up: rings until waitForPickup runs out.
      pt('0003*026', '14', 'Lobby phone (never answers)', 'Lobby <3336666>', { answers: false }),
      // Its calls ring until an agent picks up: 0003*024 or 0003*025, the least busy first (queue.ts).
      {
        number: '0003*300',
        type: 'queue',
        label: 'Support queue',
        ownerId: '12',
        orgId: '3',
        callerId: 'Support <3000>',
        did: '3000',
        answers: true,
        agents: ['0003*024', '0003*025'],
      },
      { number: '0003*500', type: 'voicemailCenter', label: 'Voicemail center', ownerId: '3', orgId: '3', callerId: 'Voicemail <5000>', answers: true },
      pt('0004*100', '41', 'Olga Other desk phone', 'Olga Other <4441000>'),
    ],
    calls: [
      {
        id: SEED_IDS.seedCall,
        extension: '0003*210',
        ...org,
        published: ago(300),
        answered: ago(295),
        views: [
          {
            id: '01',
            extension: '0003*210',
            answered: ago(295),
            status: 5,
            callerId: 'John Doe <3333>',
            source: ['0003*210'],
            destination: ['0003*024'],
            flow: 2,
          },
        ],
      },
      {
        id: SEED_IDS.queueCall,
        extension: '0003*300',
        ...org,
        published: ago(200),
        answered: ago(180),
        views: [
          { id: '01', extension: '0003*300', answered: ago(190), status: 5, callerId: 'Customer <7778888>', source: ['7778888'], destination: ['0003*300'], flow: 8 },
          { id: '02', extension: '0003*024', answered: ago(180), status: 5, callerId: 'Customer <7778888>', source: ['7778888'], destination: ['0003*024'], flow: 8 },
        ],
      },
      {
        id: SEED_IDS.parkedCall,
        extension: '0003*210',
        ...org,
        published: ago(120),
        answered: ago(115),
        views: [
          {
            id: '01',
            extension: '0003*210',
            answered: ago(115),
            status: 5,
            callerId: 'Parked Caller <5551234>',
            source: ['5551234'],
            destination: ['0003*210'],
            flow: 8,
            parked: ago(60),
            parkedPos: 1,
            parkedBy: '0003*210',
          },
        ],
      },
    ],
    events: [
      {
        extension: '0003*210',
        type: 0,
        id: SEED_IDS.seedEvent,
        method: 0,
        note: 'Log incoming calls',
        // The seed page shows http://myevent.com/SaveMyPhoneCallDetails; we use the
        // reserved .example domain so the sandbox never posts call data to a real host.
        url: 'http://myevent.example/SaveMyPhoneCallDetails',
        status: 1,
        modified: ago(86400),
      },
      {
        // The page's Model example: PUT …/0003*210/phoneCallEvents/0/MyPhoneCallEvent.
        extension: '0003*210',
        type: 0,
        id: SEED_IDS.pageEvent,
        method: 0,
        url: 'http://myevent.example/SaveMyPhoneCallDetails',
        status: 1,
        modified: ago(86400),
      },
    ],
  };
}
