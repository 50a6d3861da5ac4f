/**
 * The PhoneCallEvents receiver: `POST|GET /voipnow/events/<secret>`. VoipNow
 * signs nothing and retries nothing, so an event is only a hint: a known secret
 * triggers a (coalesced) read of that watch's extension with the owner's token;
 * what the event claims is never acted on. Unknown secret: 404. Malformed or
 * oversized: 400. Never throws.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const EVENTS_PATH = '/voipnow/events/:secret';
/** VoipNow's form has a dozen short fields; anything near this is not an event. */
export const MAX_EVENT_BYTES = 16 * 1024;
const SECRET = /^[A-Za-z0-9_-]{16,64}$/;
const FIELD = /^[A-Za-z]{2,32}$/;

function reply(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', Connection: status === 400 ? 'close' : 'keep-alive' });
  res.end(text);
}

/** Reads at most `max` bytes; undefined when there are more. */
async function readLimited(req: IncomingMessage, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The event's fields, or undefined when it is not a VoipNow call event form. */
export function parseEventForm(text: string): Record<string, string> | undefined {
  if (text.trim() === '') return undefined;
  const params = new URLSearchParams(text);
  const out: Record<string, string> = {};
  for (const [k, v] of params) {
    if (!FIELD.test(k) || v.length > 512) return undefined;
    out[k] = v;
  }
  return out.CallID !== undefined || out.CallStatus !== undefined ? out : undefined;
}

export interface EventTarget {
  /** True when this secret belongs to a watch (of any replica: read from the store). */
  known(secret: string): Promise<boolean>;
  /** Read that watch's extension soon (coalesced). */
  eventArrived(secret: string): Promise<boolean>;
}

export function eventReceiver(target: EventTarget, log: (m: string, f?: Record<string, unknown>) => void) {
  return (req: IncomingMessage & { params?: Record<string, string> }, res: ServerResponse): void => {
    void (async () => {
      try {
        const secret = req.params?.secret ?? '';
        if (Number(req.headers['content-length'] ?? 0) > MAX_EVENT_BYTES) {
          req.resume();
          return reply(res, 400, 'too large');
        }
        const body = await readLimited(req, MAX_EVENT_BYTES);
        if (body === undefined) {
          req.resume();
          return reply(res, 400, 'too large');
        }
        if (!SECRET.test(secret) || !(await target.known(secret))) return reply(res, 404, 'unknown');
        const query = new URL(req.url ?? '/', 'http://x').search.slice(1);
        if (!parseEventForm(req.method === 'GET' ? query : body)) return reply(res, 400, 'not a call event');
        await target.eventArrived(secret);
        reply(res, 204, '');
      } catch (err) {
        log('call event receiver failed', { error: err instanceof Error ? err.message : String(err) });
        reply(res, 400, 'bad request');
      }
    })();
  };
}
