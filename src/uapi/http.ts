/**
 * The one request path to a VoipNow server. Every UAPI operation goes through
 * `UapiHttp.request`: base URL, bearer token, JSON, User-Agent, timeout,
 * keep-alive connection reuse, TLS options, status handling and error mapping
 * live here and nowhere else.
 */
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { UapiError } from './errors.js';
import { USER_AGENT } from '../version.js';
import { silentLogger, type Logger } from '../log.js';
import { type PlainAnswer, RequestTimeout, plainRequest } from './http-request.js';
import { NOT_JSON, TLS_CODES, errorFromResponse, isRetryable, parseJson, routeOf } from './http-answers.js';
import { quickParse } from './quick-parse.js';

export { rateLimitSentence, retryAfterSeconds, routeOf } from './http-answers.js';

export interface UapiHttpOptions {
  /** Where the PBX answers, e.g. `https://voipnow.example.com`. Paths start with /uapi or /oauth. */
  baseUrl: string;
  /** Per request, in milliseconds. Default 10 000. */
  timeoutMs?: number;
  /** PEM file of a CA to trust (VoipNow servers often use a private CA). */
  caFile?: string;
  /** A CA to trust as PEM text (a workspace's own VoipNow server); used when no caFile is given. */
  ca?: string;
  /** Accept any certificate. Only when explicitly asked for. */
  insecureTls?: boolean;
  /** Reuse connections (default true). `false` opens a new connection per request. */
  keepAlive?: boolean;
  logger?: Logger;
}

export interface HttpRequest<S extends z.ZodTypeAny> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Absolute path on the configured server, already encoded, or an absolute URL on it. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON body, or a form (`URLSearchParams`) for OAuth. */
  body?: unknown;
  token?: string;
  /** Schema of a 200 body. */
  schema: S;
}

export interface HttpResult<T> {
  status: number;
  /** Parsed body; `undefined` for 204, an empty body, or 202 (whose body is only in `raw`). */
  data: T | undefined;
  /** The raw JSON of the body when there was one (for 202 answers). */
  raw: unknown;
}

/** One finished request, for metrics (`UapiHttp.observe`). `route` has ids replaced by `:id`. */
export interface UapiRequestEvent {
  method: string;
  route: string;
  /** HTTP status, when the server answered. */
  status?: number;
  /** The UapiError code when the request failed (`timeout`, `network_error`, `pc_phonecall_invalid`, ...). */
  code?: string;
  ms: number;
}

/** Whether the PBX answered lately: any HTTP answer counts as reachable, a network error or timeout does not. */
export interface UapiReachability {
  lastAnswerAt?: number;
  lastFailure?: { at: number; reason: string };
}

export class UapiHttp {
  readonly origin: string;
  readonly #observers: Array<(e: UapiRequestEvent) => void> = [];
  readonly #reach: UapiReachability = {};
  private readonly base: URL;
  private readonly timeoutMs: number;
  private readonly agent: http.Agent;
  private readonly logger: Logger;

  constructor(opts: UapiHttpOptions) {
    this.base = new URL(`${opts.baseUrl.replace(/\/+$/, '')}/`);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new Error(`VOIPNOW_URL must be an http(s) URL, got ${this.base.protocol}`);
    }
    this.origin = this.base.origin;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.logger = opts.logger ?? silentLogger;
    const keepAlive = opts.keepAlive ?? true;
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({
            keepAlive,
            maxSockets: 32,
            ca: opts.caFile ? readFileSync(opts.caFile) : opts.ca,
            rejectUnauthorized: !opts.insecureTls,
          })
        : new http.Agent({ keepAlive, maxSockets: 32 });
  }

  /**
   * Resolve a path or a link returned by the server to a URL on the configured
   * server. Links to any other origin are refused (server-side request forgery).
   * The seeds' `https://x.x.x.x//uapi/...` double slash is normalised.
   */
  resolve(pathOrUrl: string): URL {
    const url = new URL(pathOrUrl, this.base);
    if (url.origin !== this.origin) {
      throw new UapiError({
        kind: 'unsafe_link',
        code: 'unsafe_link',
        sentence: `VoipNow answered with a link to another server (${url.host}); it was not followed.`,
      });
    }
    url.pathname = url.pathname.replace(/\/{2,}/g, '/');
    return url;
  }

  /** Calls `fn` after every request (metrics). Observers must not throw; errors are swallowed. */
  observe(fn: (e: UapiRequestEvent) => void): void {
    this.#observers.push(fn);
  }

  /** The last answer and the last network failure seen (readiness). */
  reachability(): UapiReachability {
    return { ...this.#reach };
  }

  /** Any HTTP answer from the server's origin counts as reachable (readiness, after a failure). */
  async probe(): Promise<void> {
    try {
      await plainRequest(this.base, { method: 'GET', agent: this.agent, timeoutMs: Math.min(this.timeoutMs, 5000), headers: { 'User-Agent': USER_AGENT } });
      this.#reach.lastAnswerAt = Date.now();
    } catch (err) {
      const reason = err instanceof RequestTimeout ? 'timeout' : this.networkSentence(err);
      this.#reach.lastFailure = { at: Date.now(), reason };
      throw new Error(reason);
    }
  }

  /**
   * Send one request. A read (GET) is idempotent, so it is tried once more after
   * a network error or a 5xx answer; an action (PUT, POST, DELETE) is sent once
   * and only once, since VoipNow may have acted on it before the failure.
   */
  async request<S extends z.ZodTypeAny>(req: HttpRequest<S>): Promise<HttpResult<z.output<S>>> {
    if (req.method !== 'GET') return this.#measured(req);
    try {
      return await this.#measured(req);
    } catch (err) {
      if (!(err instanceof UapiError) || !isRetryable(err)) throw err;
      this.logger.debug(`uapi GET retried once after ${err.code}`);
      return this.#measured(req);
    }
  }

  async #measured<S extends z.ZodTypeAny>(req: HttpRequest<S>): Promise<HttpResult<z.output<S>>> {
    const started = performance.now();
    try {
      const result = await this.#send(req);
      this.#finished(req, started, result.status);
      return result;
    } catch (err) {
      this.#finished(req, started, err instanceof UapiError ? err.status : undefined, err instanceof UapiError ? err : undefined);
      throw err;
    }
  }

  #finished(req: { method: string; path: string }, started: number, status: number | undefined, error?: UapiError): void {
    const now = Date.now();
    if (status !== undefined) this.#reach.lastAnswerAt = now;
    else if (error && (error.kind === 'network' || error.kind === 'timeout')) this.#reach.lastFailure = { at: now, reason: error.sentence };
    if (this.#observers.length === 0) return;
    const event: UapiRequestEvent = { method: req.method, route: routeOf(req.path), ms: performance.now() - started };
    if (status !== undefined) event.status = status;
    if (error) event.code = error.code;
    for (const fn of this.#observers) {
      try {
        fn(event);
      } catch {
        // metrics must never break a request
      }
    }
  }

  async #send<S extends z.ZodTypeAny>(req: HttpRequest<S>): Promise<HttpResult<z.output<S>>> {
    const url = this.resolve(req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));

    const headers: Record<string, string> = { 'User-Agent': USER_AGENT, Accept: 'application/json' };
    if (req.token) headers.Authorization = `Bearer ${req.token}`;
    let body: string | undefined;
    if (req.body instanceof URLSearchParams) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = req.body.toString();
    } else if (req.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(req.body);
    }

    const started = Date.now();
    const label = `${req.method} ${url.pathname}`;
    let res: PlainAnswer;
    try {
      res = await plainRequest(url, { method: req.method, headers, ...(body !== undefined && { body }), agent: this.agent, timeoutMs: this.timeoutMs });
    } catch (err) {
      const aborted = err instanceof RequestTimeout;
      this.logger.warn(`uapi ${label} failed`, { error: aborted ? 'timeout' : (err as Error).message });
      throw aborted
        ? new UapiError({
            kind: 'timeout',
            code: 'timeout',
            sentence: `VoipNow did not answer within ${Math.round(this.timeoutMs / 1000)} seconds. The action may or may not have happened; refresh the call to check.`,
          })
        : new UapiError({ kind: 'network', code: 'network_error', sentence: this.networkSentence(err), cause: err });
    }
    this.logger.debug(`uapi ${label} -> ${res.status}`, { ms: Date.now() - started });

    const { text } = res;
    const raw = parseJson(text);
    if (res.status >= 400) throw errorFromResponse(res.status, raw, text, res.retryAfter);
    if (res.status === 204 || text.trim() === '') return { status: res.status, data: undefined, raw: undefined };
    if (raw === NOT_JSON) {
      throw new UapiError({
        kind: 'bad_response',
        code: 'bad_response',
        status: res.status,
        sentence: `VoipNow answered HTTP ${res.status} with something that is not JSON; is VOIPNOW_URL pointing at a VoipNow server?`,
      });
    }
    if (res.status === 202) return { status: res.status, data: undefined, raw };
    const parsed = quickParse(req.schema, raw);
    if (!parsed.success) {
      this.logger.warn(`uapi ${label}: unexpected body`, { issues: parsed.error.issues.slice(0, 3) });
      throw new UapiError({
        kind: 'bad_response',
        code: 'bad_response',
        status: res.status,
        sentence: 'VoipNow answered in a shape callops does not understand.',
      });
    }
    return { status: res.status, data: parsed.data, raw };
  }

  private networkSentence(err: unknown): string {
    const code = (err as { code?: string; cause?: { code?: string } }).code ?? (err as { cause?: { code?: string } }).cause?.code ?? '';
    const message = err instanceof Error ? err.message : String(err);
    if (TLS_CODES.test(code) || TLS_CODES.test(message)) {
      return `VoipNow's TLS certificate at ${this.base.host} is not trusted (${code || 'certificate error'}). If it is self-signed, set VOIPNOW_CA_FILE to the PEM file of its CA (or, for testing only, VOIPNOW_INSECURE_TLS=true).`;
    }
    return `Could not reach VoipNow at ${this.base.host}: ${code || message}.`;
  }

  close(): void {
    this.agent.destroy();
  }
}
