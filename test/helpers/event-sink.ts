/**
 * A local HTTP server standing in for a PhoneCallEvents receiver: records every
 * request the sandbox PBX delivers (GET query or POST form) for tests to inspect.
 * Deliveries are fire-and-forget, so tests wait with `sandbox.idle()` (no
 * delivery in flight) or `waitFor()` (a polled predicate with a deadline).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedEvent {
  method: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string>;
  contentType?: string;
  /** query for GET, form for POST: the call event's parameters */
  params: Record<string, string>;
}

export interface EventSink {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  received: ReceivedEvent[];
  /** Resolves when `predicate(received)` holds; rejects after `timeoutMs` (default 5000) showing what came. */
  waitFor(predicate: (r: ReceivedEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startEventSink(): Promise<EventSink> {
  const received: ReceivedEvent[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const query = Object.fromEntries(u.searchParams);
      const form = Object.fromEntries(new URLSearchParams(body));
      received.push({
        method: req.method ?? '',
        path: u.pathname,
        query,
        form,
        contentType: req.headers['content-type'],
        params: req.method === 'POST' ? form : query,
      });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    async waitFor(predicate, timeoutMs = 5000) {
      const end = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > end) throw new Error(`call events: condition not met within ${timeoutMs} ms; received ${JSON.stringify(received.map((r) => [r.path, r.params]))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Registers, with the given token, one POST PhoneCallEvent per type on `extension`, each at `${sink}/<ext>/<type>`. */
export async function registerAllEvents(base: string, token: string, extension: string, sink: string, method: 0 | 1 = 1): Promise<void> {
  for (const type of [0, 1, 2, 3, 4]) {
    const res = await fetch(`${base}/uapi/extensions/@me/${extension}/phoneCallEvents`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ type, method, url: `${sink}/${extension}/${type}`, note: 'test' }),
    });
    if (res.status !== 200) throw new Error(`registering event ${type} on ${extension}: ${res.status} ${await res.text()}`);
  }
}

/** `[extension, type]` of a received event, from the path registerAllEvents gave it. */
export function eventKey(e: ReceivedEvent): string {
  return e.path.slice(1);
}
