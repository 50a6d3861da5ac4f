/**
 * The sandbox PBX: a real HTTP server (node:http) that behaves like a VoipNow
 * Unified API server as the seed pages describe it. It is the demo backend and
 * the peer for every test of the UAPI client.
 *
 * Request pipeline: normalize path → match the routing table → read body →
 * (UAPI only) faults, Bearer token → parse body → handler → reply. Every error
 * becomes a reply through errorReply(); nothing a client sends can crash it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { CallEventDispatcher, type DeliveryStats } from './call-events.js';
import { ChangeLog, type CallChange } from './changes.js';
import { controlHandlers } from './control.js';
import { ApiError, errorReply, type Reply } from './errors.js';
import { FaultGate, SandboxClosed, type SandboxFaults } from './faults.js';
import { baseUrlOf, BodyTooLargeError, normalizePath, parseForm, parseJson, readBody, writeReply } from './http.js';
import { oauthHandlers, TokenStore } from './oauth.js';
import { phoneCallEventHandlers } from './phone-call-events.js';
import { phoneCallHandlers } from './phone-calls.js';
import { matchRoute } from './route-matcher.js';
import { sandboxRoutes } from './routes.js';
import { seedWorld } from './seed.js';
import { TrafficGenerator, validateTraffic, type TrafficStatus } from './traffic.js';
import { tokenFile } from './token-file.js';
import { World } from './world.js';

export type { SandboxFaults } from './faults.js';
export type { DeliveryStats } from './call-events.js';
export type { CallChange, CallState } from './changes.js';
export type { TrafficConfig, TrafficStatus } from './traffic.js';
export { World } from './world.js';
export type { Extension, PhoneCall, PhoneCallEvent, PhoneCallView, User } from './world.js';
export { SEED_IDS } from './seed.js';

export interface SandboxOptions {
  /** 0 = ephemeral (default) */
  port?: number;
  /** default '127.0.0.1' */
  host?: string;
  /** default 'callops-demo' */
  clientId?: string;
  /** default 'callops-demo-secret' */
  clientSecret?: string;
  /** how long a rung extension takes to answer (UnPark/Whisper/Monitor/BargeIn/Transfer…), default 1500 */
  pickupDelayMs?: number;
  /** default 3600 */
  tokenTtlSeconds?: number;
  /** action answers carry the pages' `https://host//uapi/…` link.self (default true; false = single slash) */
  pageLinks?: boolean;
  /** how long one second of maxInParking lasts, in ms (default 1000; tests shorten it) */
  parkingSecondMs?: number;
  faults?: SandboxFaults;
  /** for errorRate; default Math.random */
  random?: () => number;
  /** request log lines; never contain tokens */
  log?: (line: string) => void;
  /** keep issued tokens (as digests) in this file, so a restart on the same file keeps clients signed in; default: memory only */
  stateFile?: string;
  /** Serve HTTPS with this key and certificate (PEM); see selfSignedCertificate() in tls.ts. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface SandboxRequestRecord {
  method: string;
  /** decoded path, no query */
  path: string;
  query: Record<string, string>;
  /** authenticated user id, e.g. '12' */
  userId: string | null;
  body: unknown;
  /** 0 while unanswered */
  status: number;
  /** true once the client closed the connection before the answer was written (tests wait for it) */
  clientGone?: boolean;
}

export interface Sandbox {
  /** e.g. http://127.0.0.1:43121 (no trailing slash) */
  url: string;
  /** every request received, in order */
  requests: SandboxRequestRecord[];
  setFaults(f: SandboxFaults): void;
  /** test helper */
  issueToken(userId: string, ttlSeconds?: number): { accessToken: string; refreshToken: string; expiresIn: number };
  world: World;
  /** back to the starting data, tokens kept */
  reset(): void;
  /** resolves once no call event delivery is in flight */
  idle(): Promise<void>;
  /** call event deliveries so far: delivered, dropped, failed, pending */
  deliveries(): DeliveryStats;
  /** generated calls: `configure` takes what POST /_sandbox/traffic takes (throws on bad input) */
  traffic: { configure(body: unknown): TrafficStatus; status(): TrafficStatus };
  /** every call state change the PBX made, with its time (changes.ts); also GET /_sandbox/changes?since=N */
  changes: { since(seq: number): CallChange[]; subscribe(listener: (c: CallChange) => void): () => void };
  /** resolves once no call event (webhook) delivery is in flight (the same drain point as `idle()`) */
  callEventsDelivered(): Promise<void>;
  /** also clears timers and ends hung requests */
  close(): Promise<void>;
}

/** The user a client_credentials token acts as: John Doe, owner of 0003*210. */
const APP_OWNER_USER_ID = '12';

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => undefined);
  const client = {
    id: opts.clientId ?? 'callops-demo',
    secret: opts.clientSecret ?? 'callops-demo-secret',
    name: 'CallOps',
    ownerUserId: APP_OWNER_USER_ID,
  };
  const gate = new FaultGate(opts.faults, opts.random ?? Math.random);
  const tokens = new TokenStore(opts.tokenTtlSeconds ?? 3600, opts.stateFile ? tokenFile(opts.stateFile, log) : undefined);
  let dispatcher: CallEventDispatcher | undefined;
  let changeLog: ChangeLog | undefined;
  const world = new World({
    pickupDelayMs: opts.pickupDelayMs ?? 1500,
    parkingSecondMs: opts.parkingSecondMs,
    seed: () => seedWorld(),
    onSignal: (s) => dispatcher?.dispatch(s),
    onChange: () => changeLog?.check(),
    log,
  });
  const changes = new ChangeLog(world);
  changeLog = changes;
  changes.check();
  dispatcher = new CallEventDispatcher(
    () => world.events,
    log,
    undefined,
    () => gate.dropEvent(),
  );
  const deliveries = dispatcher;
  const requests: SandboxRequestRecord[] = [];
  const traffic = new TrafficGenerator(world, log);
  const resetWorld = () => {
    traffic.stop();
    world.reset();
    changes.check();
  };

  const calls = phoneCallHandlers(world, { pageLinks: opts.pageLinks });
  const events = phoneCallEventHandlers(world);
  const oauth = oauthHandlers(world, tokens, client);
  const control = controlHandlers({
    world,
    clientId: client.id,
    faults: () => gate.current,
    deliveries: () => deliveries.stats,
    setFaults: (f) => gate.set(f),
    reset: resetWorld,
    traffic,
    changes,
  });

  const routes = sandboxRoutes({ calls, events, oauth, control });

  let url = '';

  async function answer(req: IncomingMessage, record: SandboxRequestRecord, gone: () => boolean): Promise<Reply> {
    const norm = normalizePath(req.url ?? '/');
    if (!norm) throw new ApiError('request_invalid', 'The request path is not valid.');
    record.path = norm.path;
    record.query = norm.query;
    const match = matchRoute(routes, record.method, norm.segments);
    const isUapi = match.kind === 'found' ? match.route.uapi : match.uapi;

    let raw: Buffer;
    try {
      raw = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) throw new ApiError('request_invalid', 'The request body is too large.');
      throw err;
    }
    const kind = match.kind === 'found' ? match.route.body : 'json';
    const form = kind === 'form' ? parseForm(raw, req.headers['content-type']) : undefined;
    const json = kind === 'form' ? undefined : parseJson(raw);
    record.body = form ?? (json?.ok ? json.value : json?.raw);

    if (isUapi) {
      await gate.pass({ method: record.method, path: norm.path });
      // The client gave up while the request hung or waited: do not act on it.
      if (gone()) throw new SandboxClosed();
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
      record.userId = bearer === undefined ? null : tokens.userOf(bearer);
      if (record.userId === null) throw new ApiError('access_denied');
    }
    if (match.kind === 'none') throw new ApiError('request_not_implemented');
    // Not documented: a body that is not JSON. See errors.ts `request_invalid`.
    if (kind === 'json' && json && !json.ok) throw new ApiError('request_invalid', 'The request body is not valid JSON.');

    return match.route.handler({
      method: record.method,
      path: norm.path,
      params: match.params,
      query: norm.query,
      headers: req.headers,
      body: form ?? (json?.ok ? json.value : undefined),
      baseUrl: baseUrlOf(req, url),
      userId: record.userId,
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const record: SandboxRequestRecord = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: (req.url ?? '/').split('?')[0] ?? '/',
      query: {},
      userId: null,
      body: undefined,
      status: 0,
    };
    requests.push(record);
    let aborted = false;
    res.once('close', () => {
      aborted = !res.writableFinished;
      if (aborted) record.clientGone = true;
    });
    let reply: Reply;
    try {
      reply = await answer(req, record, () => aborted);
    } catch (err) {
      if (err instanceof SandboxClosed) {
        res.destroy();
        return;
      }
      if (!(err instanceof Error && 'status' in err)) log(`sandbox: internal error on ${record.method} ${record.path}: ${String(err)}`);
      reply = errorReply(err);
    }
    record.status = reply.status;
    changes.check();
    try {
      writeReply(res, reply);
    } catch (err) {
      log(`sandbox: could not write the reply: ${String(err)}`);
      res.destroy();
    }
    log(`${record.method} ${record.path} -> ${reply.status} ${Date.now() - started}ms user=${record.userId ?? '-'}`);
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => res.destroy());
  };
  const server = opts.tls ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, onRequest) : createServer(onRequest);
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  url = `${opts.tls ? 'https' : 'http'}://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    requests,
    world,
    setFaults: (f) => gate.set(f),
    issueToken: (userId, ttlSeconds) => tokens.issue(userId, client.id, ttlSeconds),
    reset: resetWorld,
    traffic: { configure: (body) => traffic.configure(validateTraffic(world, body)), status: () => traffic.status() },
    changes: { since: (seq) => changes.since(seq), subscribe: (l) => changes.subscribe(l) },
    idle: () => deliveries.idle(),
    deliveries: () => deliveries.stats,
    callEventsDelivered: () => deliveries.idle(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        gate.close();
        traffic.stop();
        world.dispose();
        dispatcher?.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
