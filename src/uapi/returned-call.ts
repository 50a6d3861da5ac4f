/**
 * What a 200 answer to a PhoneCallAction says. The UAPI pages allow an action to
 * answer 200 with the phone call itself; then the call after the action is in the
 * answer and need not be read back. A server may also answer 200 with only the
 * short answer of the seeds' 202 (id, extension, link), which is no call.
 */
import { quickParse } from './quick-parse.js';
import { phoneCallListSchema, type PhoneCall } from './schemas.js';

/**
 * The call a 200 answer carries, bare or in a list; undefined when the body is only
 * the short answer (a live call always has a view, the short answer has none).
 */
export function returnedCall(raw: unknown, phoneCallId: string): PhoneCall | undefined {
  const calls = quickParse(phoneCallListSchema, raw).data ?? [];
  const call = calls.find((c) => c.id === phoneCallId) ?? (calls.length === 1 ? calls[0] : undefined);
  return call && call.phoneCallView.length > 0 ? call : undefined;
}
