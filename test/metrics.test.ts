/**
 * GET /metrics: Prometheus text with callops_ metrics fed by real traffic (a signed /call
 * command that reaches the sandbox PBX and posts a card through the recording Slack API).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { slashCommand } from './helpers/signed.js';
import { httpReply } from './helpers/slack-api.js';
import { createMetrics, slackMethodOf } from '../src/metrics.js';
import { MemoryJobQueue } from '../src/coordination/index.js';
import { routeOf } from '../src/uapi/http.js';
import { commandName, interactionName } from '../src/slack/actions/outcomes.js';

const CALL = 'b817d2618fe6f1804333';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of the Prometheus text format (0.0.4): every line is a # HELP / # TYPE
 * comment or `name{label="value",...} number`; every sample belongs to a declared family.
 */
function parsePrometheus(text: string): Sample[] {
  const families = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        families.set(meta[2]!, meta[3]!);
      }
      continue;
    }
    // Values as Prometheus's own parser (Go's ParseFloat) reads them: NaN and Inf in any case
    // (prom-client writes "Nan" for a gauge not measured yet).
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?)|[Nn][Aa][Nn]|[+-]?[Ii][Nn][Ff])$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    const name = m[1]!;
    const family = [...families.keys()].find((f) => name === f || name.startsWith(`${f}_`));
    if (!family) throw new Error(`sample of an undeclared metric: ${line}`);
    const raw = m[3]!.toLowerCase();
    samples.push({ name, labels, value: raw === 'nan' ? NaN : raw.endsWith('inf') ? (raw.startsWith('-') ? -Infinity : Infinity) : Number(raw) });
  }
  return samples;
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function scrape(s: Stack): Promise<Sample[]> {
  const res = await fetch(`${s.base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return parsePrometheus(await res.text());
}

describe('GET /metrics', () => {
  it('parses as Prometheus text, every metric named callops_', async () => {
    stack = await startStack();
    const samples = await scrape(stack);
    expect(samples.length).toBeGreaterThan(10);
    for (const s of samples) expect(s.name).toMatch(/^callops_/);
    expect(value(samples, 'callops_linked_users')).toBe(0);
    expect(value(samples, 'callops_watched_extensions')).toBe(0);
  });

  it('counts linked users, UAPI requests by route and status, and Slack Web API requests by method', async () => {
    stack = await startStack();
    await stack.link('UA', '12', '0003*210');
    await stack.store.addWatch({ teamId: 'T1', channelId: 'CSUP', extension: '0003*210', createdBy: 'UA', createdAt: new Date() });
    const res = await slashCommand(stack.base, SIGNING_SECRET, { user_id: 'UA', text: `hold 0003*210 ${CALL}`, response_url: stack.api.responseUrl('/m') });
    expect(res.status).toBe(200);
    await stack.api.waitFor('chat.postMessage');
    await stack.slack.idle();

    const samples = await scrape(stack);
    expect(value(samples, 'callops_linked_users')).toBe(1);
    expect(value(samples, 'callops_watched_extensions')).toBe(1);
    expect(value(samples, 'callops_uapi_request_duration_seconds_count', { method: 'PUT', route: '/uapi/phoneCalls/@me/:id/:id', status: '202' })).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'callops_slack_api_requests_total', { method: 'chat.postMessage', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'callops_slack_api_requests_total', { method: 'auth.test', status: '200' })).toBe(1);
    expect(value(samples, 'callops_uapi_errors_total')).toBe(0);
  });

  it('counts UAPI errors by code and Slack 429s by method', async () => {
    stack = await startStack();
    await stack.link('UA', '12', '0003*210');
    stack.sandbox.setFaults({ errorRate: 1 });
    await slashCommand(stack.base, SIGNING_SECRET, { user_id: 'UA', text: `hold 0003*210 ${CALL}`, response_url: stack.api.responseUrl('/e') });
    await stack.api.waitFor('response_url');
    await stack.slack.idle();
    stack.sandbox.setFaults({});
    stack.api.respondWith('chat.postMessage', httpReply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '0' }), { times: 1 });
    await stack.slack.app.client.chat.postMessage({ channel: 'C1', text: 'x' }).catch(() => undefined);

    const samples = await scrape(stack);
    expect(value(samples, 'callops_uapi_errors_total', { code: 'internal_server_error' })).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'callops_slack_rate_limited_total', { method: 'chat.postMessage' })).toBe(1);
    expect(value(samples, 'callops_slack_api_requests_total', { method: 'chat.postMessage', status: '429' })).toBe(1);
  });

  it('each /call command logs one JSON line with its outcome and duration, and counts in callops_commands_total', async () => {
    const lines: string[] = [];
    stack = await startStack({ logLines: lines });
    await stack.link('UA', '12', '0003*210');
    const token = (await stack.store.getLinkedAccount('T1', 'UA'))!.accessToken;
    await slashCommand(stack.base, SIGNING_SECRET, { user_id: 'UA', text: `hold 0003*210 ${CALL}`, response_url: stack.api.responseUrl('/c') });
    await slashCommand(stack.base, SIGNING_SECRET, { user_id: 'UA', text: 'frobnicate 0003*210', response_url: stack.api.responseUrl('/d') });
    await stack.api.waitFor('chat.postMessage');
    await stack.slack.idle();

    // The line is written when the listener returns, which may be just after the card was posted.
    const commandLines = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.kind === 'command');
    for (const deadline = Date.now() + 10_000; commandLines().length < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
    const entries = commandLines().sort((a, b) => String(a.name).localeCompare(String(b.name)));
    expect(entries).toEqual([
      expect.objectContaining({ level: 'info', msg: 'command hold ok', name: 'hold', result: 'ok', ms: expect.any(Number), user: 'UA' }),
      expect.objectContaining({ msg: 'command other ok', name: 'other', result: 'ok' }),
    ]);
    expect(lines.join('\n')).not.toContain(token);

    const samples = await scrape(stack);
    expect(value(samples, 'callops_commands_total', { name: 'hold', result: 'ok' })).toBe(1);
    expect(value(samples, 'callops_commands_total', { name: 'other' })).toBe(1);
    expect(value(samples, 'callops_command_duration_seconds_count', { name: 'hold' })).toBe(1);
    // Each acknowledgement is timed from the request's arrival to Bolt's answer.
    expect(value(samples, 'callops_slack_ack_duration_seconds_count', { kind: 'command', status: '200' })).toBe(2);
  });

  it('reads queue depth and the oldest job age from a job queue at scrape time', async () => {
    const queue = new MemoryJobQueue();
    await queue.start();
    try {
      await queue.send('followups', { call: 'a' });
      await queue.send('followups', { call: 'b' });
      const metrics = createMetrics({ queues: { names: () => ['followups', 'board-writes'], stats: (n) => queue.stats(n) }, processMetrics: false });
      const samples = parsePrometheus(await metrics.text());
      expect(value(samples, 'callops_queue_depth', { queue: 'followups' })).toBe(2);
      expect(value(samples, 'callops_queue_depth', { queue: 'board-writes' })).toBe(0);
      expect(samples.find((x) => x.name === 'callops_queue_oldest_age_seconds' && x.labels.queue === 'followups')?.value).toBeGreaterThanOrEqual(0);
    } finally {
      await queue.stop();
    }
  });

  it('labels are bounded: ids in UAPI paths and Slack URLs are not label values', () => {
    expect(routeOf('/uapi/phoneCalls/@me/0003*210/b817d2618fe6f1804333?x=1')).toBe('/uapi/phoneCalls/@me/:id/:id');
    expect(routeOf('https://pbx.example.com//uapi/phoneCallEvents/12/0003*210/2')).toBe('/uapi/phoneCallEvents/:id/:id/:id');
    expect(routeOf('/uapi/phoneCalls/@me/0003*210/ffffffffffffffffffff')).toBe('/uapi/phoneCalls/@me/:id/:id');
    expect(slackMethodOf('http://127.0.0.1:1234/api/chat.postMessage')).toBe('chat.postMessage');
    expect(slackMethodOf('https://hooks.slack.com/commands/T1/2/abc')).toBe('other');
    expect(commandName('Hold 0003*210')).toBe('hold');
    expect(commandName('')).toBe('help');
    expect(commandName('x'.repeat(50))).toBe('other');
    expect(interactionName('call.hold.01')).toBe('call.hold');
    expect(interactionName('event.edit.abc123')).toBe('event.edit');
    expect(interactionName('../../etc')).toBe('other');
  });
});
