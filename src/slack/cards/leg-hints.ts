/**
 * What callops knows about the supervisor legs it started (VoipNow's
 * PhoneCallView does not say that a view is a whisper): filled after a
 * whisper, listen or barge runs, read when a call card is drawn, so the leg
 * says what it is and gets only the buttons that make sense for it. Bounded;
 * in-process (a replica that did not run the action draws the leg as a plain
 * one until the PBX says more).
 */
import type { LegHint } from '../../board/snapshot.js';
import type { UapiCommand } from '../../calls/execute.js';

const MAX_CALLS = 1000;
const hints = new Map<string, LegHint[]>();

export function legHintsOf(phoneCallId: string): readonly LegHint[] {
  return hints.get(phoneCallId) ?? [];
}

export function rememberLeg(phoneCallId: string, hint: LegHint): void {
  const list = (hints.get(phoneCallId) ?? []).filter((h) => h.from !== hint.from);
  hints.delete(phoneCallId);
  hints.set(phoneCallId, [...list, hint]);
  while (hints.size > MAX_CALLS) hints.delete(hints.keys().next().value!);
}

/** The hint a whisper, listen or barge command leaves (none for other commands). */
export function legHintOf(cmd: UapiCommand): LegHint | undefined {
  if (cmd.kind !== 'action' || !cmd.params.to) return undefined;
  const mode = cmd.action === 'whisper' ? 'whisper' : cmd.action === 'listen' ? 'listen' : cmd.action === 'barge' ? 'barge' : undefined;
  return mode && { from: cmd.params.to, mode, ...(cmd.params.private === 1 && { private: true }) };
}
