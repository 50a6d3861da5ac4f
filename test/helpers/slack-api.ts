/**
 * A local stand-in for https://slack.com/api/ that records every Web API call.
 *
 * Point Bolt at it with `clientOptions: { slackApiUrl: api.url }` (and, for Socket Mode,
 * `installerOptions: { clientOptions: { slackApiUrl: api.url } }`). The real @slack/web-api
 * WebClient then POSTs here exactly as it would to Slack: `application/x-www-form-urlencoded`
 * bodies (objects such as `blocks`/`view` JSON-encoded inside the form), multipart for
 * file uploads, and the token in `Authorization: Bearer ...`.
 *
 * It also serves response_url endpoints (`api.responseUrl()`), which Bolt's `respond()`
 * posts JSON to; those are recorded with method 'response_url'.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQs } from 'node:querystring';
import { randomBytes } from 'node:crypto';
import { TEST_APP_ID, TEST_BOT_ID, TEST_BOT_USER_ID, TEST_TEAM } from './payloads.js';
import { RateLimiter, retryAfterSeconds, type RateLimitOptions } from './slack-limits.js';
import { MessageStore, type ChannelMessage } from './slack-messages.js';

export type { ChannelMessage } from './slack-messages.js';
export type { LimitRule, LimitTable, RateLimitOptions } from './slack-limits.js';

export interface RecordedCall {
  /** Web API method ('chat.postMessage'), or 'response_url' for posts to a responseUrl(). */
  method: string;
  /** Token from the Authorization header (falls back to a `token` body field). */
  token?: string;
  /** Parsed body. Form values stay strings, except JSON-looking values (blocks, view, attachments...) which are parsed. */
  body: Record<string, unknown>;
  /** Date.now() when the request arrived. */
  at: number;
  /** Arrival order across all calls on this server, from 1. */
  seq: number;
  /** Request path, e.g. '/api/chat.postMessage' or '/commands/T1/3/abc'. */
  path: string;
  contentType: string;
  /** The raw request body as text. */
  raw: string;
  headers: Record<string, string | string[] | undefined>;
  /** true when rate limits are on and this call was answered 429 ratelimited (nothing happened) */
  rateLimited?: boolean;
}

/** A full HTTP answer (status, headers, body). Build it with `httpReply()`. */
export interface HttpReply {
  readonly [HTTP_REPLY]: true;
  status: number;
  headers: Record<string, string>;
  /** Objects are sent as JSON, strings as text/plain. */
  body: unknown;
}
const HTTP_REPLY: unique symbol = Symbol('httpReply');

/**
 * A non-JSON-object answer: e.g. `httpReply(429, {ok:false,error:'ratelimited'}, {'retry-after':'1'})`,
 * `httpReply(500, 'boom')`, or `httpReply(404, 'expired_url')` for a response_url.
 * Beware: the WebClient retries non-200 answers per its `retryConfig` (default: 10 retries over
 * ~30 min), so pass `clientOptions.retryConfig: { retries: 0 }` when you use this.
 */
export function httpReply(status: number, body: unknown = '', headers: Record<string, string> = {}): HttpReply {
  return { [HTTP_REPLY]: true, status, headers, body };
}

function isHttpReply(x: unknown): x is HttpReply {
  return typeof x === 'object' && x !== null && (x as Partial<HttpReply>)[HTTP_REPLY] === true;
}

export type Answer = Record<string, unknown> | HttpReply;
/**
 * Computes an answer for one call. `defaults()` returns what the server would have answered
 * (so a handler can tweak it: `(c, d) => ({ ...d(), channel: 'D42' })`). May be async (to add latency).
 */
export type AnswerHandler = (call: RecordedCall, defaults: () => Record<string, unknown>) => Answer | Promise<Answer>;

export interface RespondWithOptions {
  /** Only answer this many calls, then fall back to the previous override or the default. */
  times?: number;
}

export interface StartSlackApiOptions {
  /** Port to listen on (default 0 = any free port). Always binds 127.0.0.1. */
  port?: number;
  /** Default timeout for waitFor(), ms (default 3000). */
  waitTimeoutMs?: number;
  /**
   * Enforce Slack's rate limits (slack-limits.ts): over a method's budget the call is
   * answered HTTP 429 + `Retry-After` + `{ok:false,error:'ratelimited'}`, recorded with
   * `rateLimited: true` and counted. `true` = Slack's defaults. Off by default.
   */
  rateLimits?: boolean | RateLimitOptions;
}

export interface SlackApi {
  /** e.g. 'http://127.0.0.1:PORT/api/' — the value for `slackApiUrl` (with trailing slash). */
  url: string;
  /** e.g. 'http://127.0.0.1:PORT'. */
  origin: string;
  port: number;
  /** Every recorded call, in arrival order (live array). */
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /**
   * Resolves with the first call (already recorded or still to come) to `method` that
   * satisfies `predicate`; rejects after `timeoutMs` listing what was called.
   */
  waitFor(method: string, predicate?: (c: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  /**
   * Override the answer for a method ('response_url' for response URLs). The newest override wins.
   * Returns a function that removes this override.
   */
  respondWith(method: string, answer: AnswerHandler | Answer, opts?: RespondWithOptions): () => void;
  /** A URL on this server to use as a response_url; posts to it are recorded as method 'response_url'. */
  responseUrl(path?: string): string;
  /** Forget recorded calls (overrides stay). */
  clearCalls(): void;
  /** Remove all respondWith overrides. */
  resetResponses(): void;
  /**
   * Used by socket-mode.ts: while attached, `apps.connections.open` answers `{ok:true, url: getUrl()}`.
   * Returns a detach function.
   */
  attachSocketMode(getUrl: () => string): () => void;
  /**
   * What a channel shows, rebuilt from every accepted chat.postMessage / chat.update /
   * chat.delete: current text and blocks per ts, thread replies under their parent.
   */
  messages(channel: string): ChannelMessage[];
  /** One message (or thread reply) as it is now. */
  message(channel: string, ts: string): ChannelMessage | undefined;
  /**
   * The next call to `method` that satisfies `predicate` gets no answer, ever (its connection stays
   * open until close): 'before' it was accepted (nothing happens), or 'accepted' (the message is
   * written, as when Slack took a write and the answer was lost). Resolves with that call once it
   * reached that point: the moment to kill the caller.
   */
  hold(method: string, predicate: (c: RecordedCall) => boolean, when: 'before' | 'accepted'): Promise<RecordedCall>;
  /** 429s answered (rate limits on), for one method or in all. */
  rateLimitedCount(method?: string): number;
  /** 429s answered per method. */
  rateLimitedCounts(): Record<string, number>;
  close(): Promise<void>;
}

/** JSON-looking string → parsed value, else the string. `text` stays text. */
function maybeJson(key: string, value: unknown): unknown {
  if (typeof value !== 'string' || key === 'text') return value;
  const s = value.trim();
  if (!((s.startsWith('{') && s.endsWith('}')) || (s.startsWith('[') && s.endsWith(']')))) return value;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return value;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

async function parseBody(raw: Buffer, contentType: string): Promise<Record<string, unknown>> {
  const ct = contentType.toLowerCase();
  const text = raw.toString('utf8');
  if (raw.length === 0) return {};
  if (ct.startsWith('application/json')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(parsed)) out[k] = maybeJson(k, v);
        return out;
      }
      return { _json: parsed };
    } catch {
      return { _unparsed: text };
    }
  }
  if (ct.startsWith('multipart/form-data')) {
    const form = await new Request('http://local/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: raw,
    }).formData();
    const out: Record<string, unknown> = {};
    for (const [k, v] of form.entries()) {
      out[k] = typeof v === 'string' ? maybeJson(k, v) : { filename: v.name, size: v.size, type: v.type };
    }
    return out;
  }
  // application/x-www-form-urlencoded (the WebClient's normal encoding) or anything else
  const qs = parseQs(text);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(qs)) out[k] = Array.isArray(v) ? v.map((x) => maybeJson(k, x)) : maybeJson(k, v);
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export async function startSlackApi(opts: StartSlackApiOptions = {}): Promise<SlackApi> {
  const calls: RecordedCall[] = [];
  const overrides = new Map<string, Array<{ handler: AnswerHandler; remaining: number }>>();
  const waiters = new Set<{
    method: string;
    predicate: (c: RecordedCall) => boolean;
    resolve: (c: RecordedCall) => void;
    reject: (e: Error) => void;
  }>();
  let seq = 0;
  let tsCounter = 100;
  let viewCounter = 0;
  let responseUrlCounter = 0;
  let socketUrl: (() => string) | undefined;
  let origin = '';
  const waitTimeoutMs = opts.waitTimeoutMs ?? 3000;
  const limiter = opts.rateLimits ? new RateLimiter(opts.rateLimits === true ? {} : opts.rateLimits) : undefined;
  const store = new MessageStore();

  /** Unique, increasing, Slack-shaped message ts: '1700000000.000100', '1700000000.000200', ... */
  function nextTs(): string {
    tsCounter += 100;
    const secs = 1_700_000_000 + Math.floor(tsCounter / 1_000_000);
    return `${secs}.${String(tsCounter % 1_000_000).padStart(6, '0')}`;
  }
  function nextViewId(): string {
    viewCounter += 1;
    return `V${String(viewCounter).padStart(10, '0')}`;
  }

  function viewAnswer(b: Record<string, unknown>, method: string): Record<string, unknown> {
    const view = (typeof b.view === 'object' && b.view !== null ? b.view : {}) as Record<string, unknown>;
    const id = str(b.view_id) ?? nextViewId();
    const type = str(view.type) ?? (method === 'views.publish' ? 'home' : 'modal');
    return {
      ok: true,
      view: {
        id,
        team_id: TEST_TEAM.id,
        type,
        blocks: view.blocks ?? [],
        private_metadata: view.private_metadata ?? '',
        callback_id: view.callback_id ?? '',
        state: { values: {} },
        hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
        title: view.title ?? { type: 'plain_text', text: 'Callops' },
        clear_on_close: view.clear_on_close ?? false,
        notify_on_close: view.notify_on_close ?? false,
        close: view.close ?? null,
        submit: view.submit ?? null,
        previous_view_id: null,
        root_view_id: id,
        app_id: TEST_APP_ID,
        external_id: view.external_id ?? str(b.external_id) ?? '',
        app_installed_team_id: TEST_TEAM.id,
        bot_id: TEST_BOT_ID,
      },
      response_metadata: { messages: [] },
    };
  }

  function historyItem(m: ChannelMessage, withMeta: boolean): Record<string, unknown> {
    return {
      type: 'message',
      ts: m.ts,
      text: m.text,
      user: TEST_BOT_USER_ID,
      bot_id: TEST_BOT_ID,
      ...(m.threadTs !== undefined ? { thread_ts: m.threadTs } : {}),
      ...(withMeta && m.metadata !== undefined ? { metadata: m.metadata } : {}),
    };
  }

  const holds: Array<{ method: string; predicate: (c: RecordedCall) => boolean; when: 'before' | 'accepted'; resolve: (c: RecordedCall) => void }> = [];

  function defaultAnswer(call: RecordedCall): Answer {
    const b = call.body;
    switch (call.method) {
      case 'response_url':
        // Slack answers a response_url post with a bare "ok".
        return httpReply(200, 'ok', { 'content-type': 'text/html' });
      case 'auth.test':
        return {
          ok: true,
          url: `https://${TEST_TEAM.domain}.slack.com/`,
          team: 'Callops Test',
          user: 'callops',
          team_id: TEST_TEAM.id,
          user_id: TEST_BOT_USER_ID,
          bot_id: TEST_BOT_ID,
          is_enterprise_install: false,
        };
      case 'chat.postMessage': {
        const ts = nextTs();
        const channel = str(b.channel) ?? 'C1';
        const message: Record<string, unknown> = {
          type: 'message',
          subtype: 'bot_message',
          text: b.text ?? '',
          user: TEST_BOT_USER_ID,
          bot_id: TEST_BOT_ID,
          app_id: TEST_APP_ID,
          team: TEST_TEAM.id,
          ts,
        };
        if (b.blocks !== undefined) message.blocks = b.blocks;
        if (b.attachments !== undefined) message.attachments = b.attachments;
        if (b.thread_ts !== undefined) message.thread_ts = b.thread_ts;
        if (b.metadata !== undefined) message.metadata = b.metadata;
        return { ok: true, channel, ts, message };
      }
      case 'chat.update': {
        const message: Record<string, unknown> = { text: b.text ?? '', user: TEST_BOT_USER_ID, bot_id: TEST_BOT_ID };
        if (b.blocks !== undefined) message.blocks = b.blocks;
        if (b.attachments !== undefined) message.attachments = b.attachments;
        return { ok: true, channel: str(b.channel) ?? 'C1', ts: str(b.ts) ?? nextTs(), text: b.text ?? '', message };
      }
      case 'chat.delete':
        return { ok: true, channel: str(b.channel) ?? 'C1', ts: str(b.ts) ?? '' };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'chat.getPermalink': {
        const ch = str(b.channel) ?? 'C1';
        const ts = (str(b.message_ts) ?? '').replace('.', '');
        return { ok: true, channel: ch, permalink: `https://${TEST_TEAM.domain}.slack.com/archives/${ch}/p${ts}` };
      }
      case 'views.open':
      case 'views.update':
      case 'views.push':
      case 'views.publish':
        return viewAnswer(b, call.method);
      case 'conversations.info': {
        const id = str(b.channel) ?? 'C1';
        const isIm = id.startsWith('D');
        return {
          ok: true,
          channel: {
            id,
            name: isIm ? undefined : id === 'C1' ? 'calls' : id.toLowerCase(),
            is_channel: id.startsWith('C'),
            is_group: id.startsWith('G'),
            is_im: isIm,
            is_private: !id.startsWith('C'),
            is_archived: false,
            is_general: false,
            is_member: true,
            is_ext_shared: false,
            is_org_shared: false,
            context_team_id: TEST_TEAM.id,
            created: 1_600_000_000,
            creator: 'U0',
          },
        };
      }
      case 'conversations.history': {
        // Newest first, as Slack answers; metadata only when asked for.
        const withMeta = b.include_all_metadata === true || b.include_all_metadata === 'true';
        const list = store.messages(str(b.channel) ?? '').filter((m) => m.threadTs === undefined);
        return { ok: true, messages: list.reverse().map((m) => historyItem(m, withMeta)), has_more: false };
      }
      case 'conversations.replies': {
        const withMeta = b.include_all_metadata === true || b.include_all_metadata === 'true';
        const parent = store.message(str(b.channel) ?? '', str(b.ts) ?? '');
        if (!parent) return { ok: false, error: 'thread_not_found' };
        return { ok: true, messages: [parent, ...parent.replies].map((m) => historyItem(m, withMeta)), has_more: false };
      }
      case 'conversations.open': {
        const users = str(b.users) ?? 'U0';
        return { ok: true, channel: { id: `D${users.split(',')[0]?.replace(/^U/, '') ?? '0'}` } };
      }
      case 'users.info': {
        const id = str(b.user) ?? 'U0';
        const name = id.toLowerCase();
        return {
          ok: true,
          user: {
            id,
            team_id: TEST_TEAM.id,
            name,
            deleted: false,
            real_name: `User ${id}`,
            tz: 'UTC',
            tz_label: 'Coordinated Universal Time',
            tz_offset: 0,
            is_admin: false,
            is_owner: false,
            is_bot: false,
            is_app_user: false,
            profile: { real_name: `User ${id}`, display_name: name, email: `${name}@example.com`, team: TEST_TEAM.id },
          },
        };
      }
      case 'apps.connections.open':
        if (socketUrl) return { ok: true, url: socketUrl() };
        // Unrecoverable for the SocketModeClient, so app.start() fails fast instead of retrying.
        return { ok: false, error: 'invalid_auth', detail: 'test harness: no Socket Mode server attached' };
      case 'calls.add': {
        // Slack's Calls API: the registered call, with Slack's own id (R...).
        const id = `R${randomBytes(5).toString('hex').toUpperCase()}`;
        return { ok: true, call: { id, external_unique_id: b.external_unique_id, join_url: b.join_url, date_start: Number(b.date_start ?? Math.floor(Date.now() / 1000)) } };
      }
      default:
        return { ok: true };
    }
  }

  async function answerFor(call: RecordedCall): Promise<Answer> {
    const list = overrides.get(call.method);
    const o = list && list.length > 0 ? list[list.length - 1] : undefined;
    if (!o) return defaultAnswer(call);
    o.remaining -= 1;
    if (o.remaining <= 0 && list) list.splice(list.lastIndexOf(o), 1);
    return o.handler(call, () => {
      const d = defaultAnswer(call);
      return isHttpReply(d) ? { ok: true } : d;
    });
  }

  function send(res: ServerResponse, answer: Answer): void {
    if (isHttpReply(answer)) {
      const isText = typeof answer.body === 'string';
      const body = isText ? (answer.body as string) : JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
        ...answer.headers,
      });
      res.end(body);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(answer));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const contentType = req.headers['content-type'] ?? '';
    let method: string;
    if (path.startsWith('/api/')) method = decodeURIComponent(path.slice('/api/'.length));
    else if (path.startsWith('/commands/') || path.startsWith('/actions/') || path.startsWith('/response/')) method = 'response_url';
    else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const body = await parseBody(raw, contentType);
    const auth = req.headers.authorization;
    const bearer = auth?.match(/^Bearer\s+(.+)$/i)?.[1];
    const token = bearer ?? (typeof body.token === 'string' ? body.token : undefined);
    seq += 1;
    const call: RecordedCall = {
      method,
      body,
      at: Date.now(),
      seq,
      path,
      contentType,
      raw: raw.toString('utf8'),
      headers: { ...req.headers },
    };
    if (token !== undefined) call.token = token;
    calls.push(call);
    const waitMs = limiter?.take(method, token, str(body.channel));
    if (waitMs !== undefined) {
      call.rateLimited = true;
      send(res, httpReply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfterSeconds(waitMs)) }));
      return;
    }
    for (const w of [...waiters]) {
      if (w.method === method && w.predicate(call)) {
        waiters.delete(w);
        w.resolve(call);
      }
    }
    const held = holds.findIndex((h) => h.method === method && h.predicate(call));
    const hold = held >= 0 ? holds.splice(held, 1)[0] : undefined;
    if (hold?.when === 'before') return hold.resolve(call);
    const answer = await answerFor(call);
    if (!isHttpReply(answer)) store.apply(method, body, answer, call.at);
    if (hold) return hold.resolve(call);
    send(res, answer);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'harness_error', detail: String(err) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  const api: SlackApi = {
    url: `${origin}/api/`,
    origin,
    port,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    waitFor(method, predicate = () => true, timeoutMs = waitTimeoutMs) {
      const found = calls.find((c) => c.method === method && predicate(c));
      if (found) return Promise.resolve(found);
      return new Promise<RecordedCall>((resolve, reject) => {
        const waiter = {
          method,
          predicate,
          resolve: (c: RecordedCall) => {
            clearTimeout(timer);
            resolve(c);
          },
          reject: (e: Error) => {
            clearTimeout(timer);
            reject(e);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = calls.map((c) => c.method).join(', ') || 'none';
          reject(new Error(`Slack API: no matching ${method} call within ${timeoutMs} ms (calls so far: ${seen})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    respondWith(method, answer, o = {}) {
      const handler: AnswerHandler = typeof answer === 'function' ? answer : () => answer;
      const entry = { handler, remaining: o.times ?? Number.POSITIVE_INFINITY };
      const list = overrides.get(method) ?? [];
      list.push(entry);
      overrides.set(method, list);
      return () => {
        const i = list.indexOf(entry);
        if (i >= 0) list.splice(i, 1);
      };
    },
    responseUrl(path) {
      responseUrlCounter += 1;
      const p = path ?? `${TEST_TEAM.id}/${responseUrlCounter}/${randomBytes(8).toString('hex')}`;
      return `${origin}/commands/${p.replace(/^\/+/, '')}`;
    },
    clearCalls() {
      calls.length = 0;
    },
    messages: (channel) => store.messages(channel),
    message: (channel, ts) => store.message(channel, ts),
    rateLimitedCount: (method) => limiter?.total(method) ?? 0,
    rateLimitedCounts: () => limiter?.counts() ?? {},
    resetResponses() {
      overrides.clear();
    },
    attachSocketMode(getUrl) {
      socketUrl = getUrl;
      return () => {
        if (socketUrl === getUrl) socketUrl = undefined;
      };
    },
    hold(method, predicate, when) {
      return new Promise<RecordedCall>((resolve) => holds.push({ method, predicate, when, resolve }));
    },
    close() {
      for (const w of waiters) w.reject(new Error(`Slack API closed while waiting for ${w.method}`));
      waiters.clear();
      return new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return api;
}
