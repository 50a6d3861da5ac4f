/**
 * Who a Slack Call shows, read from the PBX call's legs: nobody before an answer, the parties
 * of connected legs after, never a listening or whispering supervisor, never a value from the
 * PBX that is not a plain number or extension.
 */
import { describe, expect, it } from 'vitest';
import { snapshotOf } from '../src/board/snapshot.js';
import { callUserOf, connectedParties, partiesChange, placedParties } from '../src/slack/phone/slack-call-parties.js';
import type { PhoneCall, PhoneCallView } from '../src/uapi/schemas.js';

const view = (v: Partial<PhoneCallView> & { id: string }): PhoneCallView => ({ source: [], destination: [], ...v }) as PhoneCallView;
const call = (...views: PhoneCallView[]): PhoneCall => ({ id: 'c0ffee0011223344aabb', extension: '0003*210', phoneCallView: views }) as PhoneCall;
const parties = (c: PhoneCall) => connectedParties(snapshotOf(c, '0003*210'));

describe('Slack Call parties', () => {
  it('no one is connected while the far end rings', () => {
    expect(parties(call(view({ id: '01', status: 4, source: ['0003*210'], destination: ['5550999'] })))).toBeUndefined();
  });

  it('an answered call has its two parties; a barge-in adds the supervisor', () => {
    const answered = view({ id: '01', status: 5, source: ['0003*210'], destination: ['5550999'] });
    expect(parties(call(answered))).toEqual(['0003*210', '5550999']);
    const barge = view({ id: '02', status: 5, source: ['0003*024'], destination: ['0003*210'], mode: 'bargeIn' } as Partial<PhoneCallView> & { id: string });
    expect(parties(call(answered, barge))).toEqual(['0003*024', '0003*210', '5550999']);
  });

  it('a supervisor listening or whispering is not a party', () => {
    const answered = view({ id: '01', status: 5, source: ['0003*210'], destination: ['5550999'] });
    for (const mode of ['monitor', 'whisper']) {
      const silent = view({ id: '02', status: 5, source: ['0003*025'], destination: ['0003*210'], mode } as Partial<PhoneCallView> & { id: string });
      expect(parties(call(answered, silent))).toEqual(['0003*210', '5550999']);
    }
  });

  it('what is not a plain number or extension is left out', () => {
    const hostile = view({ id: '01', status: 5, source: ['0003*210'], destination: ['<!channel> 555', '+15550001111'] });
    expect(parties(call(hostile))).toEqual(['+15550001111', '0003*210']);
    expect(placedParties('0003*210', '*<@U1>*')).toEqual(['0003*210']);
  });

  it('a change names who joined and who left; a party is its linked Slack user, else its number', () => {
    expect(partiesChange(['0003*210', '5550999'], ['0003*024', '0003*210'])).toEqual({ joined: ['0003*024'], left: ['5550999'] });
    const slackUserOf = (p: string) => (p === '0003*024' ? 'UB' : undefined);
    expect(callUserOf('0003*024', slackUserOf)).toEqual({ slack_id: 'UB' });
    expect(callUserOf('5550999', slackUserOf)).toEqual({ external_id: '5550999', display_name: '5550999' });
  });
});
