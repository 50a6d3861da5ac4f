/**
 * LineCalls, the reconciliation of one phone user's extension read after read: a call that
 * rang in and is gone without having been answered there is missed (rang out, caller hung up,
 * sent to voicemail); answered and outgoing calls are only ended.
 */
import { describe, expect, it } from 'vitest';
import { LineCalls } from '../src/board/line-calls.js';
import type { PhoneCall, PhoneCallView } from '../src/uapi/schemas.js';

const EXT = '0003*210';
const T0 = Date.parse('2026-12-03T09:00:00Z');

function call(id: string, view: Partial<PhoneCallView>): PhoneCall {
  return {
    id,
    extension: EXT,
    published: new Date(T0).toISOString(),
    phoneCallView: [{ id: '01', extension: EXT, source: ['5551234'], destination: [EXT], status: 3, ringing: new Date(T0).toISOString(), callerId: 'Ann <5551234>', ...view }],
  } as PhoneCall;
}

describe('LineCalls', () => {
  it('a call that rang in and is gone unanswered is missed, with who, when and how long it rang', () => {
    const line = new LineCalls(EXT);
    expect(line.read([call('c1', {})], T0 + 1000)).toMatchObject({ missed: [], ended: [], changed: true });
    expect(line.read([call('c1', {})], T0 + 2000).changed).toBe(false);
    const gone = line.read([], T0 + 12_000);
    expect(gone.missed).toEqual([{ phoneCallId: 'c1', extension: EXT, caller: 'Ann <5551234>', number: '5551234', rangAt: new Date(T0).toISOString(), rangSeconds: 12, voicemail: false }]);
    expect(gone.ended).toMatchObject([{ phoneCallId: 'c1', direction: 'in', answered: false, number: '5551234' }]);
    expect(line.read([], T0 + 13_000)).toMatchObject({ missed: [], ended: [], changed: false });
  });

  it('a call answered on the extension is not missed, even if the last read saw it ringing again', () => {
    const line = new LineCalls(EXT);
    line.read([call('c2', {})], T0);
    line.read([call('c2', { status: 5, answered: new Date(T0 + 3000).toISOString() })], T0 + 4000);
    expect(line.read([], T0 + 9000)).toMatchObject({ missed: [], ended: [{ phoneCallId: 'c2', answered: true }] });
  });

  it('a call sent to voicemail counts as missed, with the voicemail noted; an outgoing call is never missed', () => {
    const line = new LineCalls(EXT);
    line.read([call('c3', {}), call('c4', { source: [EXT], destination: ['5559999'], status: 5 })], T0);
    const outgoingGone = line.read([call('c3', { status: 5, mode: 'voicemail' } as Partial<PhoneCallView>)], T0 + 5000);
    expect(outgoingGone).toMatchObject({ missed: [], ended: [{ phoneCallId: 'c4', direction: 'out' }] });
    const r = line.read([], T0 + 30_000);
    expect(r.missed).toMatchObject([{ phoneCallId: 'c3', voicemail: true }]);
    expect(r.ended).toMatchObject([{ phoneCallId: 'c3', direction: 'in', answered: false }]);
  });

  it('a call callops sent to voicemail shows on call without an answer time: missed, not answered', () => {
    const sent = new Set<string>();
    const line = new LineCalls(
      EXT,
      () => false,
      (id) => sent.has(id),
    );
    line.read([call('c5', {}), call('c6', {})], T0);
    sent.add('c5');
    // Both show on call afterwards with no answer time; only c5 was sent to voicemail.
    line.read([call('c5', { status: 5, ringing: undefined }), call('c6', { status: 5 })], T0 + 3000);
    const r = line.read([], T0 + 20_000);
    expect(r.missed).toMatchObject([{ phoneCallId: 'c5', voicemail: true }]);
    expect(r.ended.find((e) => e.phoneCallId === 'c6')).toMatchObject({ answered: true });
  });
});
