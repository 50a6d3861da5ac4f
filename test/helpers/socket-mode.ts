/**
 * A local Socket Mode endpoint for Bolt's SocketModeReceiver (@slack/socket-mode).
 *
 * Wire protocol (from @slack/socket-mode SocketModeClient.js):
 * - the client calls `apps.connections.open` with the app token (xapp-) in the
 *   Authorization header and opens the returned `url`;
 * - the server sends `{type:'hello', ...}`; only then does `app.start()` resolve;
 * - the server sends envelopes `{envelope_id, type, payload, accepts_response_payload}` with
 *   type 'slash_commands' | 'interactive' | 'events_api' (events also carry retry_attempt/retry_reason);
 * - the client acks with `{envelope_id, payload: {...}}` (payload is `{}` for a bare ack(),
 *   `{text}` for ack('text'), or the object given to ack());
 * - `{type:'disconnect', reason}` makes the client drop and reconnect.
 * The client pings every clientPingTimeout/3 (~1.7 s); `ws` answers pongs by itself.
 *
 * Shut down in this order: `await app.stop()` first, then `await socket.close()` (which waits
 * for the client's close handshake), then `await slackApi.close()`. If the server drops the
 * connection while the app is still running, the client schedules a reconnect in 5 s and its
 * `apps.connections.open` failure surfaces as an unhandled rejection.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { eventCallbackBody, slashCommandBody, TEST_APP_ID, type SlashCommandFields, type TeamRef } from './payloads.js';
import type { SlackApi } from './slack-api.js';

/** What the client sends back for an envelope. */
export interface AckMessage {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export interface Envelope {
  envelope_id: string;
  type: 'slash_commands' | 'interactive' | 'events_api' | string;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface SocketModeServerOptions {
  /** How long send*() waits for the ack, ms (default 3000, Slack's own limit). */
  ackTimeoutMs?: number;
}

export interface SocketModeServer {
  /** ws://127.0.0.1:PORT/link — what apps.connections.open hands out (plus ?ticket=...). */
  url: string;
  port: number;
  /** Every message received from clients (acks and anything else), parsed. */
  received: unknown[];
  /** Resolves once a client is connected and has been sent `hello`. */
  connected(): Promise<void>;
  /** Number of currently open client connections. */
  openConnections(): number;
  /** Send a raw envelope (envelope_id filled in if missing) and wait for its ack. */
  send(envelope: Omit<Envelope, 'envelope_id'> & { envelope_id?: string }, timeoutMs?: number): Promise<AckMessage>;
  sendSlashCommand(fields: SlashCommandFields, timeoutMs?: number): Promise<AckMessage>;
  /** Any interactive payload (block_actions, view_submission, view_closed, shortcut...). */
  sendInteractive(payload: Record<string, unknown>, timeoutMs?: number): Promise<AckMessage>;
  sendBlockAction(payload: Record<string, unknown>, timeoutMs?: number): Promise<AckMessage>;
  sendViewSubmission(payload: Record<string, unknown>, timeoutMs?: number): Promise<AckMessage>;
  /** An events_api envelope around an event_callback body built from `event`. */
  sendEvent(event: Record<string, unknown>, team?: TeamRef, timeoutMs?: number): Promise<AckMessage>;
  /** Ask the client to reconnect, as Slack does when it recycles a connection. */
  sendDisconnect(reason?: 'refresh_requested' | 'warning' | 'link_disabled' | string): void;
  /** Waits (up to graceMs, default 2000) for clients to close, then terminates the rest and stops listening. */
  close(graceMs?: number): Promise<void>;
}

export async function startSocketModeServer(slackApi: SlackApi, opts: SocketModeServerOptions = {}): Promise<SocketModeServer> {
  const ackTimeoutMs = opts.ackTimeoutMs ?? 3000;
  const httpServer: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('upgrade required');
  });
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  const received: unknown[] = [];
  const pending = new Map<string, { resolve: (a: AckMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let latest: WebSocket | undefined;
  let connectedWaiters: Array<() => void> = [];
  let ticket = 0;

  httpServer.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (!path.startsWith('/link')) {
      socket.write('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    latest = ws;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      let msg: unknown;
      try {
        msg = JSON.parse(rawToString(data));
      } catch {
        received.push(rawToString(data));
        return;
      }
      received.push(msg);
      const id = typeof msg === 'object' && msg !== null ? (msg as { envelope_id?: unknown }).envelope_id : undefined;
      if (typeof id === 'string') {
        const p = pending.get(id);
        if (p) {
          pending.delete(id);
          clearTimeout(p.timer);
          p.resolve(msg as AckMessage);
        }
      }
    });
    ws.on('close', () => {
      sockets.delete(ws);
      if (latest === ws) latest = [...sockets].pop();
    });
    ws.on('error', () => {
      /* the close event follows */
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: sockets.size,
        debug_info: { host: 'applink-test-harness', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: TEST_APP_ID },
      }),
    );
    const waiters = connectedWaiters;
    connectedWaiters = [];
    for (const w of waiters) w();
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `ws://127.0.0.1:${port}/link`;
  const detach = slackApi.attachSocketMode(() => {
    ticket += 1;
    return `${url}?ticket=${ticket}&app_id=${TEST_APP_ID}`;
  });

  function openSocket(): WebSocket | undefined {
    if (latest && latest.readyState === WebSocket.OPEN) return latest;
    return [...sockets].reverse().find((s) => s.readyState === WebSocket.OPEN);
  }

  const server: SocketModeServer = {
    url,
    port,
    received,
    connected() {
      if (openSocket()) return Promise.resolve();
      return new Promise<void>((resolve) => connectedWaiters.push(resolve));
    },
    openConnections: () => [...sockets].filter((s) => s.readyState === WebSocket.OPEN).length,
    send(envelope, timeoutMs = ackTimeoutMs) {
      const ws = openSocket();
      if (!ws) return Promise.reject(new Error('Socket Mode: no client connected (did app.start() finish?)'));
      const full = { ...envelope, envelope_id: envelope.envelope_id ?? randomUUID() } as Envelope;
      return new Promise<AckMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(full.envelope_id);
          reject(new Error(`Socket Mode: no ack for ${full.type} envelope ${full.envelope_id} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(full.envelope_id, { resolve, reject, timer });
        ws.send(JSON.stringify(full), (err) => {
          if (err) {
            pending.delete(full.envelope_id);
            clearTimeout(timer);
            reject(err);
          }
        });
      });
    },
    sendSlashCommand(fields, timeoutMs) {
      return server.send({ type: 'slash_commands', payload: slashCommandBody(fields), accepts_response_payload: true }, timeoutMs);
    },
    sendInteractive(payload, timeoutMs) {
      // Slack lets the ack carry a response only for view_submission and block_suggestion.
      const accepts = payload.type === 'view_submission' || payload.type === 'block_suggestion';
      return server.send({ type: 'interactive', payload, accepts_response_payload: accepts }, timeoutMs);
    },
    sendBlockAction(payload, timeoutMs) {
      return server.sendInteractive(payload, timeoutMs);
    },
    sendViewSubmission(payload, timeoutMs) {
      return server.sendInteractive(payload, timeoutMs);
    },
    sendEvent(event, team, timeoutMs) {
      return server.send(
        {
          type: 'events_api',
          payload: eventCallbackBody(event, team),
          accepts_response_payload: false,
          retry_attempt: 0,
          retry_reason: '',
        },
        timeoutMs,
      );
    },
    sendDisconnect(reason = 'refresh_requested') {
      openSocket()?.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-test-harness' } }));
    },
    async close(graceMs = 2000) {
      detach();
      for (const [id, p] of pending) {
        clearTimeout(p.timer);
        p.reject(new Error(`Socket Mode server closed before envelope ${id} was acked`));
      }
      pending.clear();
      // Give clients that are shutting down (app.stop()) time to finish the close handshake.
      const deadline = Date.now() + graceMs;
      while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      for (const ws of sockets) ws.terminate();
      sockets.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        if (!httpServer.listening) return resolve();
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    },
  };
  return server;
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
