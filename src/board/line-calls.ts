/**
 * One phone user's extension, read after read: which calls are live on it, and
 * what became of the ones that are gone. A call that rang in on the extension
 * and disappeared from its list without ever having been answered on it is a
 * missed call (it rang out, the caller hung up, or it went to voicemail); every
 * call that disappeared has ended as far as this extension is concerned. Pure:
 * the caller reads the PBX and says when.
 */
import type { PhoneCall, PhoneCallView } from '../uapi/schemas.js';
import { snapshotOf, type CallSnapshot } from './snapshot.js';

/** A call that rang on the extension and was never answered there. */
export interface MissedCall {
  phoneCallId: string;
  extension: string;
  /** The caller as the PBX names them ("Name <number>", or the number): untrusted text. */
  caller: string;
  /** The caller's number, to call back, when the PBX gave one. */
  number?: string;
  /** ISO time it began ringing. */
  rangAt: string;
  /** Seconds it rang (until it was gone from the list). */
  rangSeconds: number;
  /** The last read showed it sent to a voicemail extension. */
  voicemail: boolean;
}

/** A call of the extension that ended, answered or not, for the recent-calls list. */
export interface EndedCall {
  phoneCallId: string;
  extension: string;
  /** The other party as the PBX names them (untrusted). */
  party: string;
  /** The other party's number, to call back. */
  number?: string;
  direction: 'in' | 'out';
  startedAt: string;
  endedAt: string;
  answered: boolean;
}

interface Tracked {
  snapshot: CallSnapshot;
  inbound: boolean;
  /** A view of the extension carried an answer time: a person picked up. */
  answeredAt: boolean;
  /** A view of the extension was on call (a person, or a mailbox the call was sent to). */
  talking: boolean;
  voicemail: boolean;
  firstSeen: number;
}

export interface LineRead {
  /** Live calls now, as snapshots (for panels). */
  live: CallSnapshot[];
  /** Calls gone from the list since the previous read. */
  ended: EndedCall[];
  /** Of those, the ones that rang in and were never answered here. */
  missed: MissedCall[];
  /** Anything differs from the previous read (a call came, went or changed state). */
  changed: boolean;
}

/** Views of the call in which this extension takes part. */
function ownViews(call: PhoneCall, extension: string): PhoneCallView[] {
  return call.phoneCallView.filter((v) => v.extension === extension || v.destination.includes(extension) || v.source.includes(extension));
}

/** A view the PBX marks as sent to a mailbox: talking to voicemail, not to a person. */
const isVoicemailLeg = (v: PhoneCallView) => (v as { mode?: unknown }).mode === 'voicemail';

export class LineCalls {
  private readonly calls = new Map<string, Tracked>();

  constructor(
    readonly extension: string,
    /** Extensions that are voicemail (a call sent there was not answered by a person). */
    private readonly isVoicemail: (extension: string) => boolean = () => false,
    /**
     * Calls callops itself sent to voicemail (TransferToVoicemail): the PBX then shows the view on
     * call with no answer time, which is the mailbox talking, not the user.
     */
    private readonly sentToVoicemail: (phoneCallId: string) => boolean = () => false,
  ) {}

  /** Ids of the calls live on the last read. */
  get liveIds(): string[] {
    return [...this.calls.keys()];
  }

  /** Take in one read of the extension's calls, made at `now` (ms since epoch). */
  read(calls: PhoneCall[], now: number): LineRead {
    const ext = this.extension;
    const seen = new Set<string>();
    let changed = false;
    for (const call of calls) {
      const views = ownViews(call, ext);
      if (views.length === 0) continue;
      seen.add(call.id);
      const snapshot = snapshotOf(call, ext);
      const prev = this.calls.get(call.id);
      const inbound = views.some((v) => v.destination.includes(ext) && !v.source.includes(ext));
      const person = views.filter((v) => !isVoicemailLeg(v) && !this.isVoicemail(v.extension ?? ''));
      const answeredAt = person.some((v) => v.answered !== undefined);
      const talking = person.some((v) => v.status === 5);
      const voicemail = call.phoneCallView.some((v) => isVoicemailLeg(v) || v.destination.some((d) => this.isVoicemail(d)) || this.isVoicemail(v.extension ?? ''));
      if (!prev || prev.snapshot.state !== snapshot.state || prev.snapshot.legs.length !== snapshot.legs.length) changed = true;
      this.calls.set(call.id, {
        snapshot,
        // Once seen ringing in, it stays an inbound call; once answered here, it stays answered.
        inbound: prev?.inbound ?? inbound,
        answeredAt: (prev?.answeredAt ?? false) || answeredAt,
        talking: (prev?.talking ?? false) || talking,
        voicemail: (prev?.voicemail ?? false) || voicemail,
        firstSeen: prev?.firstSeen ?? now,
      });
    }
    const ended: EndedCall[] = [];
    const missed: MissedCall[] = [];
    for (const [id, t] of [...this.calls]) {
      if (seen.has(id)) continue;
      this.calls.delete(id);
      changed = true;
      const s = t.snapshot;
      const voicemail = t.voicemail || this.sentToVoicemail(id);
      const answered = t.answeredAt || (t.talking && !voicemail);
      const startedAt = s.started ?? new Date(t.firstSeen).toISOString();
      const other = t.inbound ? s.from : s.called;
      ended.push({
        phoneCallId: id,
        extension: this.extension,
        party: t.inbound ? s.caller : s.called,
        ...(other !== undefined && other !== this.extension && { number: other }),
        direction: t.inbound ? 'in' : 'out',
        startedAt,
        endedAt: new Date(now).toISOString(),
        answered,
      });
      if (t.inbound && !answered) {
        const rangAt = s.legs[0]?.view.ringing ?? startedAt;
        const from = Date.parse(rangAt);
        missed.push({
          phoneCallId: id,
          extension: this.extension,
          caller: s.caller,
          ...(s.from !== undefined && { number: s.from }),
          rangAt,
          rangSeconds: Number.isNaN(from) ? 0 : Math.max(0, Math.round((now - from) / 1000)),
          voicemail,
        });
      }
    }
    return { live: [...this.calls.values()].map((t) => t.snapshot), ended, missed, changed };
  }
}
