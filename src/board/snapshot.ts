/**
 * What the board knows about a call: a PhoneCall read from the PBX reduced to
 * what a supervisor reads (who calls whom, the state and since when, what each
 * leg is). Pure; snapshots are compared to find the changes worth an audit line.
 */
import type { PhoneCall, PhoneCallView } from '../uapi/schemas.js';

export type BoardState = 'ringing' | 'on call' | 'on hold' | 'parked' | 'ended';

export interface LegSnapshot {
  id: string;
  /** "agent 0003*024 with customer 7778888", "whisper from 0003*024 (private)", "listening: 0003*025" */
  text: string;
  state: Exclude<BoardState, 'ended'>;
  /** whisper, listen, barge-in: a supervisor leg */
  mode?: 'whisper' | 'listen' | 'barge';
  /** The view as read, for the buttons its state offers. */
  view: PhoneCallView;
}

export interface CallSnapshot {
  id: string;
  /** The extension the call is charged to (a queue, say). */
  extension: string;
  /** The caller as VoipNow names them: "Customer <7778888>", or the number. */
  caller: string;
  /** The caller's number or extension (the first party of the call). */
  from?: string;
  /** Whom the caller called. */
  called: string;
  state: BoardState;
  /** ISO time the current state began (hold, park, ringing, answer), when known. */
  since?: string;
  started?: string;
  answered?: string;
  /** Extensions of the agents on the call (non-supervisor legs). */
  agents: string[];
  parkedPos?: number;
  parkedBy?: string;
  legs: LegSnapshot[];
  /** Set when the board saw the call end. */
  ended?: { at: string; outcome: 'answered' | 'missed' };
}

/**
 * What callops knows about a supervisor leg it started (VoipNow's PhoneCallView
 * does not say that a view is a whisper): the extension that was rung, and how.
 */
export interface LegHint {
  from: string;
  mode: 'whisper' | 'listen' | 'barge';
  private?: boolean;
}

/** A leg the call's parties do not know of (listen, whisper): drawn only on boards and in the supervisor's private views. */
export function isSilentLeg(mode: LegSnapshot['mode']): boolean {
  return mode === 'listen' || mode === 'whisper';
}

function modeOf(v: PhoneCallView, index: number, hints: readonly LegHint[]): LegSnapshot['mode'] {
  const mode = (v as { mode?: unknown }).mode;
  if (mode === 'whisper') return 'whisper';
  if (mode === 'monitor') return 'listen';
  if (mode === 'bargeIn') return 'barge';
  // Not the call's first view, rung from the extension a supervisor action sent it to.
  if (index > 0) return hints.find((h) => v.source[0] === h.from)?.mode;
  return undefined;
}

function isPrivate(v: PhoneCallView, hints: readonly LegHint[]): boolean {
  const p = (v as { private?: unknown }).private;
  return p === 1 || p === '1' || hints.some((h) => h.from === v.source[0] && h.mode === 'whisper' && h.private);
}

function legState(v: PhoneCallView): LegSnapshot['state'] {
  if (v.parked !== undefined) return 'parked';
  if (v.onHold !== undefined || v.holder === 1) return 'on hold';
  if (v.status === 5) return 'on call';
  return 'ringing';
}

/** The party of a view that is not its own extension: the customer, or the other phone. */
function otherParty(v: PhoneCallView): string {
  const all = [...v.source, ...v.destination];
  return all.find((n) => n !== v.extension) ?? all[0] ?? '?';
}

function legText(v: PhoneCallView, mode: LegSnapshot['mode'], hints: readonly LegHint[]): string {
  const who = v.source[0] ?? '?';
  if (mode === 'whisper') return `whisper from ${who}${isPrivate(v, hints) ? ' (private)' : ''}`;
  if (mode === 'listen') return `listening: ${who}`;
  if (mode === 'barge') return `barged in: ${who}`;
  const agent = v.extension ?? '?';
  const base = `agent ${agent} with ${otherParty(v)}`;
  if (v.parked !== undefined) return `${base}, parked${v.parkedPos !== undefined ? ` at position ${v.parkedPos}` : ''}${v.parkedBy ? ` by ${v.parkedBy}` : ''}`;
  if (v.onHold !== undefined || v.holder === 1) return `${base}, on hold`;
  if (v.status === 5) return `${base}, talking`;
  return `${base}, ringing`;
}

export function snapshotOf(call: PhoneCall, fallbackExtension: string, hints: readonly LegHint[] = []): CallSnapshot {
  const views = call.phoneCallView;
  const modes = views.map((v, i) => modeOf(v, i, hints));
  const legs: LegSnapshot[] = views.map((v, i) => {
    const mode = modes[i];
    return { id: v.id, text: legText(v, mode, hints), state: legState(v), ...(mode && { mode }), view: v };
  });
  const main = views.filter((_, i) => !modes[i]);
  const first = main[0] ?? views[0];
  const parked = main.find((v) => v.parked !== undefined);
  const held = main.find((v) => v.onHold !== undefined || v.holder === 1);
  const talking = main.find((v) => v.status === 5);
  let state: BoardState;
  let since: string | undefined;
  if (parked) [state, since] = ['parked', parked.parked];
  else if (held) [state, since] = ['on hold', held.onHold];
  else if (talking) [state, since] = ['on call', talking.answered ?? call.answered];
  else [state, since] = ['ringing', first?.ringing ?? call.published];
  const agents = [...new Set(main.map((v) => v.extension).filter((e): e is string => Boolean(e)))];
  return {
    id: call.id,
    extension: call.extension ?? fallbackExtension,
    caller: first?.callerId ?? first?.source[0] ?? '?',
    ...(first?.source[0] !== undefined && { from: first.source[0] }),
    called: first?.destination[0] ?? call.extension ?? fallbackExtension,
    state,
    ...(since !== undefined && { since }),
    ...(call.published !== undefined && { started: call.published }),
    ...(call.answered !== undefined && { answered: call.answered }),
    agents,
    ...(parked?.parkedPos !== undefined && { parkedPos: parked.parkedPos }),
    ...(parked?.parkedBy !== undefined && { parkedBy: parked.parkedBy }),
    legs,
  };
}

/** The snapshot of a call the PBX no longer lists. */
export function endedSnapshot(last: CallSnapshot, at: Date): CallSnapshot {
  return { ...last, state: 'ended', since: at.toISOString(), ended: { at: at.toISOString(), outcome: last.answered ? 'answered' : 'missed' } };
}

/** Same content for the card (what a re-render would change). */
export function sameSnapshot(a: CallSnapshot | undefined, b: CallSnapshot): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** Seconds as "1m 05s". */
export function durationWords(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/**
 * The audit lines for what changed between two snapshots of one call, in words:
 * answered, held, resumed, parked, unparked, whisper started, transferred, ended.
 */
export function changeLines(prev: CallSnapshot | undefined, next: CallSnapshot): string[] {
  if (!prev) {
    return [next.state === 'ringing' ? `ringing: ${next.caller} calling ${next.called}` : `seen ${next.state}: ${next.caller} with ${next.agents.join(', ') || next.called}`];
  }
  const lines: string[] = [];
  if (next.state === 'ended') {
    const from = Date.parse(prev.answered ?? prev.started ?? '');
    const dur = Number.isNaN(from) ? '' : ` after ${durationWords((Date.parse(next.ended!.at) - from) / 1000)}`;
    return [`ended${dur} (${next.ended!.outcome === 'answered' ? 'answered' : 'not answered'})`];
  }
  if (prev.state !== next.state) {
    if (next.state === 'on call')
      lines.push(prev.state === 'ringing' ? `answered by ${next.agents.join(', ') || '?'}` : prev.state === 'on hold' ? 'resumed' : prev.state === 'parked' ? 'unparked' : 'on call');
    else if (next.state === 'on hold') lines.push('put on hold');
    else if (next.state === 'parked') lines.push(`parked${next.parkedPos !== undefined ? ` at position ${next.parkedPos}` : ''}${next.parkedBy ? ` by ${next.parkedBy}` : ''}`);
    else lines.push(next.state);
  }
  const before = new Set(prev.legs.filter((l) => l.mode).map((l) => l.text));
  for (const leg of next.legs) if (leg.mode && !before.has(leg.text)) lines.push(leg.mode === 'whisper' ? `${leg.text} started` : leg.mode === 'listen' ? `${leg.text} started` : leg.text);
  const now = new Set(next.legs.filter((l) => l.mode).map((l) => l.text));
  for (const text of before) if (!now.has(text)) lines.push(`${text} stopped`);
  const gone = prev.agents.filter((a) => !next.agents.includes(a));
  const came = next.agents.filter((a) => !prev.agents.includes(a));
  if (prev.state !== 'ringing' && gone.length && came.length) lines.push(`transferred from ${gone.join(', ')} to ${came.join(', ')}`);
  return lines;
}
