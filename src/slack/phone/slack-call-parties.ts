/**
 * Who is in a PBX call, as a Slack Call's participants: the parties of its
 * legs that are connected (answered, held or parked), without the legs the
 * parties do not know of (a supervisor listening or whispering). A party is a
 * number or an extension; one that a linked user has is that Slack user, any
 * other is an external participant named by its number. What the PBX sends is
 * untrusted: a party that is not a plain number or extension is left out.
 */
import type { CallUser } from '@slack/types';
import { type CallSnapshot, isSilentLeg } from '../../board/snapshot.js';

/** A number or an extension as the PBX lists it ("+15550001111", "0003*024"). */
const PARTY = /^\+?[0-9*#]{1,32}$/;

/** The parties connected in the call, sorted; undefined while no one has answered yet. */
export function connectedParties(call: CallSnapshot): string[] | undefined {
  const legs = call.legs.filter((l) => l.state !== 'ringing' && !isSilentLeg(l.mode));
  if (!legs.length) return undefined;
  const parties = new Set<string>();
  for (const l of legs) for (const p of [...l.view.source, ...l.view.destination]) if (PARTY.test(p)) parties.add(p);
  return [...parties].sort();
}

/** The parties a call placed from Slack starts with: the dialer's extension and what they dialled. */
export function placedParties(extension: string, destination: string): string[] {
  return [...new Set([extension, destination].filter((p) => PARTY.test(p)))].sort();
}

/** What changed between two sets of parties. */
export function partiesChange(before: readonly string[], after: readonly string[]): { joined: string[]; left: string[] } {
  return { joined: after.filter((p) => !before.includes(p)), left: before.filter((p) => !after.includes(p)) };
}

/** A party as a Slack Call participant: the linked Slack user of that extension, else the number. */
export function callUserOf(party: string, slackUserOf: (party: string) => string | undefined): CallUser {
  const slackId = slackUserOf(party);
  return slackId ? { slack_id: slackId } : { external_id: party, display_name: party };
}

/** The one party the dialer talks to (for the call's title), when there is exactly one. */
export function farEnd(parties: readonly string[], dialerExtension: string): string | undefined {
  const others = parties.filter((p) => p !== dialerExtension);
  return others.length === 1 ? others[0] : undefined;
}
