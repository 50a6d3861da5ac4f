/**
 * Prometheus metrics (`GET /metrics`), all named `callops_...`. One registry per app
 * instance (tests run several in one process). Code that does the work calls the small
 * recording functions below; counts that live in the store (linked users, watched
 * extensions) are read when Prometheus scrapes.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A finished UAPI request (the shape UapiHttp.observe reports; structural, so uapi/ stays independent). */
export interface UapiRequestSample {
  method: string;
  route: string;
  status?: number;
  code?: string;
  ms: number;
}

/** Store counts read at scrape time. */
export interface MetricsSource {
  countLinkedAccounts(): Promise<number>;
  countWatchedExtensions(): Promise<number>;
}

/** Queues whose depth and oldest job age are read at scrape time (e.g. a coordination JobQueue). */
export interface QueueSource {
  names(): readonly string[];
  stats(name: string): Promise<{ depth: number; oldestAgeSeconds: number }>;
}

export type Outcome = 'ok' | 'error' | 'refused' | 'duplicate' | string;

/** What a Slack request to the events endpoint is: a slash command, an interactive payload, an Events API event. */
export type SlackRequestKind = 'command' | 'interactive' | 'event';

export interface Metrics {
  readonly registry: Registry;
  readonly contentType: string;
  /** A `/call` command finished: `name` is the command word (hold, list, events-add, ...). */
  commandRan(name: string, result: Outcome, ms: number): void;
  /** A button press or modal submission finished. */
  actionRan(name: string, result: Outcome, ms: number): void;
  /** A Slack request was answered (acknowledged): `kind` command, interactive or event; from its arrival to the answer's last byte. */
  slackAck(kind: SlackRequestKind, status: number, ms: number): void;
  uapiRequest(e: UapiRequestSample): void;
  /** A UAPI request of one workspace's own VoipNow server (distribution mode), by bounded workspace label. */
  workspaceUapiRequest(teamId: string, e: UapiRequestSample): void;
  /** A Slack Web API request answered (`status` HTTP status; 429 also counts as rate limited). */
  slackCall(method: string, status: number): void;
  /** Seconds since a supervisor board was last brought up to date. */
  boardStaleness(channel: string, seconds: number): void;
  /** Jobs waiting in a queue, and the age of the oldest. */
  queue(name: string, depth: number, oldestAgeSeconds: number): void;
  /** The Prometheus text exposition. */
  text(): Promise<string>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Workspaces named in labels when none is configured (METRICS_WORKSPACE_LABELS). */
export const DEFAULT_WORKSPACE_LABELS = 20;
/** The label of every workspace beyond the named ones. */
export const OTHER_WORKSPACES = 'other';

/**
 * Label values that stay bounded: the first `max` distinct values seen keep their own label
 * for the life of the process, every later one is counted under `other`, so a deployment
 * serving thousands of workspaces never grows thousands of series.
 */
export function boundedLabels(max: number): (value: string) => string {
  const named = new Set<string>();
  return (value) => {
    if (named.has(value)) return value;
    if (named.size >= max) return OTHER_WORKSPACES;
    named.add(value);
    return value;
  };
}

export function createMetrics(options: { source?: MetricsSource; queues?: QueueSource; processMetrics?: boolean; workspaceLabels?: number } = {}): Metrics {
  const registry = new Registry();
  const workspaceLabel = boundedLabels(options.workspaceLabels ?? DEFAULT_WORKSPACE_LABELS);
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'callops_' });
  const reg = [registry];

  const commands = new Counter({ name: 'callops_commands_total', help: '/call commands by command and result', labelNames: ['name', 'result'], registers: reg });
  const commandSeconds = new Histogram({
    name: 'callops_command_duration_seconds',
    help: '/call commands, from request to last reply',
    labelNames: ['name'],
    buckets: LATENCY_BUCKETS,
    registers: reg,
  });
  const actions = new Counter({ name: 'callops_actions_total', help: 'Button presses and modal submissions by action and result', labelNames: ['name', 'result'], registers: reg });
  const actionSeconds = new Histogram({
    name: 'callops_action_duration_seconds',
    help: 'Button presses and modal submissions, from request to card written',
    labelNames: ['name'],
    buckets: LATENCY_BUCKETS,
    registers: reg,
  });
  const ackSeconds = new Histogram({
    name: 'callops_slack_ack_duration_seconds',
    help: 'Slack requests (command, interactive, event), from arrival to the acknowledgement sent; Slack waits 3 s',
    labelNames: ['kind', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: reg,
  });
  const uapiSeconds = new Histogram({
    name: 'callops_uapi_request_duration_seconds',
    help: 'VoipNow UAPI requests by method, route and HTTP status (0 = no answer)',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: reg,
  });
  const uapiErrors = new Counter({ name: 'callops_uapi_errors_total', help: 'Failed VoipNow UAPI requests by error code', labelNames: ['code'], registers: reg });
  const workspaceUapi = new Counter({
    name: 'callops_workspace_uapi_requests_total',
    help: 'UAPI requests to each workspace\'s own VoipNow server by result (ok, error); workspaces beyond METRICS_WORKSPACE_LABELS count as "other"',
    labelNames: ['workspace', 'result'],
    registers: reg,
  });
  const slackCalls = new Counter({ name: 'callops_slack_api_requests_total', help: 'Slack Web API requests by method and HTTP status', labelNames: ['method', 'status'], registers: reg });
  const slackLimited = new Counter({ name: 'callops_slack_rate_limited_total', help: 'Slack Web API answers 429 (rate limited) by method', labelNames: ['method'], registers: reg });
  const staleness = new Gauge({ name: 'callops_board_staleness_seconds', help: 'Seconds since each supervisor board was last up to date', labelNames: ['channel'], registers: reg });
  // Both queue gauges read the same sample, taken once per scrape (prom-client collects in parallel).
  const queues = options.queues;
  let sample: { at: number; stats: Promise<Array<{ name: string; depth: number; oldestAgeSeconds: number }>> } | undefined;
  const sampleQueues = () => {
    if (!queues) return Promise.resolve([]);
    if (!sample || Date.now() - sample.at > 1000) {
      const stats = Promise.all(
        queues.names().map((name) =>
          queues.stats(name).then(
            (st) => [{ name, ...st }],
            () => [],
          ),
        ),
      ).then((xs) => xs.flat());
      sample = { at: Date.now(), stats };
    }
    return sample.stats;
  };
  const queueDepth = new Gauge({
    name: 'callops_queue_depth',
    help: 'Jobs waiting per queue',
    labelNames: ['queue'],
    registers: reg,
    async collect() {
      for (const q of await sampleQueues()) this.set({ queue: q.name }, q.depth);
    },
  });
  const queueAge = new Gauge({
    name: 'callops_queue_oldest_age_seconds',
    help: 'Age of the oldest waiting job per queue',
    labelNames: ['queue'],
    registers: reg,
    async collect() {
      for (const q of await sampleQueues()) this.set({ queue: q.name }, q.oldestAgeSeconds);
    },
  });

  const source = options.source;
  // Read at scrape time; a failing store keeps the last value rather than failing the scrape.
  new Gauge({
    name: 'callops_linked_users',
    help: 'Slack users linked to a VoipNow account',
    registers: reg,
    async collect() {
      if (source)
        await source.countLinkedAccounts().then(
          (n) => this.set(n),
          () => undefined,
        );
    },
  });
  new Gauge({
    name: 'callops_watched_extensions',
    help: 'Distinct extensions watched by a supervisor channel',
    registers: reg,
    async collect() {
      if (source)
        await source.countWatchedExtensions().then(
          (n) => this.set(n),
          () => undefined,
        );
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    commandRan(name, result, ms) {
      commands.inc({ name, result });
      commandSeconds.observe({ name }, ms / 1000);
    },
    actionRan(name, result, ms) {
      actions.inc({ name, result });
      actionSeconds.observe({ name }, ms / 1000);
    },
    slackAck(kind, status, ms) {
      ackSeconds.observe({ kind, status: String(status) }, ms / 1000);
    },
    uapiRequest(e) {
      uapiSeconds.observe({ method: e.method, route: e.route, status: String(e.status ?? 0) }, e.ms / 1000);
      if (e.code) uapiErrors.inc({ code: e.code });
    },
    workspaceUapiRequest(teamId, e) {
      workspaceUapi.inc({ workspace: workspaceLabel(teamId), result: e.code ? 'error' : 'ok' });
    },
    slackCall(method, status) {
      slackCalls.inc({ method, status: String(status) });
      if (status === 429) slackLimited.inc({ method });
    },
    boardStaleness(channel, seconds) {
      staleness.set({ channel }, seconds);
    },
    queue(name, depth, oldestAgeSeconds) {
      queueDepth.set({ queue: name }, depth);
      queueAge.set({ queue: name }, oldestAgeSeconds);
    },
    text: () => registry.metrics(),
  };
}

/**
 * Wraps the fetch the Slack WebClient uses (its `fetch` option) so every Web API answer is
 * counted by method and status.
 */
export function countingSlackFetch<I, R extends { status: number }>(metrics: Metrics, base: (url: string | URL, init?: I) => Promise<R>): (url: string | URL, init?: I) => Promise<R> {
  return async (url, init) => {
    const res = await base(url, init);
    metrics.slackCall(slackMethodOf(typeof url === 'string' ? url : url.href), res.status);
    return res;
  };
}

/** `https://slack.com/api/chat.postMessage` → `chat.postMessage`; anything else → `other`. */
export function slackMethodOf(url: string): string {
  const m = /\/api\/([A-Za-z]+(?:\.[A-Za-z]+)+)(?:[?#]|$)/.exec(url);
  return m ? m[1]! : 'other';
}
