/**
 * One PhoneCallEvent of an extension, read or changed through the domain
 * (the Slack modal that edits it holds no UAPI knowledge).
 */
import { UapiError } from '../uapi/errors.js';
import type { UapiClient } from '../uapi/client.js';
import type { PhoneCallEvent } from '../uapi/schemas.js';
import { execute } from './execute.js';

export interface CallEventRef {
  extension: string;
  eventType: number;
  eventId: string;
}

/** The event as VoipNow has it now; `pce_id_invalid` (the event is gone) when it does not. */
export async function readCallEvent(client: UapiClient, ref: CallEventRef): Promise<PhoneCallEvent> {
  const [event] = await client.listPhoneCallEvents(ref);
  if (!event) throw new UapiError({ kind: 'rejected', code: 'pce_id_invalid' });
  return event;
}

/** Save changes to the event: the `events update` command; returns the event as saved, when VoipNow says. */
export async function updateCallEvent(client: UapiClient, ref: CallEventRef, changes: { url?: string; method?: 0 | 1; status?: 0 | 1; note?: string }): Promise<PhoneCallEvent | undefined> {
  const outcome = await execute(client, { kind: 'events-update', ...ref, changes });
  return outcome.kind === 'events' ? outcome.events[0] : undefined;
}
