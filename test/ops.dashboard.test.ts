/**
 * The Grafana dashboard (ops/grafana-dashboard.json) and the Prometheus alert rules
 * (ops/alerts.yml) name only metrics the app's own GET /metrics serves, and between them
 * cover acknowledgement, command and press latency, board staleness, 429s, queue depth and
 * refresh failures.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startStack, type Stack } from './helpers/stack.js';

const file = (p: string) => readFileSync(new URL(`../${p}`, import.meta.url), 'utf8');
const METRIC = /\bcallops_[a-z0-9_]+/g;

interface Dashboard {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
}
interface Rules {
  groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
}

const dashboard = JSON.parse(file('ops/grafana-dashboard.json')) as Dashboard;
const rules = parseYaml(file('ops/alerts.yml')) as Rules;
const dashboardExprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
const alertExprs = rules.groups.flatMap((g) => g.rules.map((r) => r.expr));
const named = (exprs: string[]) => new Set(exprs.flatMap((e) => e.match(METRIC) ?? []));

let stack: Stack;
let served: Set<string>;
beforeAll(async () => {
  stack = await startStack();
  const text = await (await fetch(`${stack.base}/metrics`)).text();
  served = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    served.add(m[1]!);
    if (m[2] === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) served.add(`${m[1]}${suffix}`);
  }
});
afterAll(async () => stack?.close());

it('every metric the dashboard names is served by /metrics', () => {
  const names = named(dashboardExprs);
  expect(names.size).toBeGreaterThan(5);
  expect([...names].filter((n) => !served.has(n))).toEqual([]);
});

it('every metric the alert rules name is served by /metrics', () => {
  const names = named(alertExprs);
  expect(names.size).toBeGreaterThan(5);
  expect([...names].filter((n) => !served.has(n))).toEqual([]);
});

it('dashboard and alerts each cover ack and press latency, staleness, 429s, queue depth and refresh failures', () => {
  const covered = [
    'callops_slack_ack_duration_seconds_bucket',
    'callops_command_duration_seconds_bucket',
    'callops_action_duration_seconds_bucket',
    'callops_board_staleness_seconds',
    'callops_slack_rate_limited_total',
    'callops_queue_depth',
    'callops_uapi_errors_total',
  ];
  for (const exprs of [dashboardExprs, alertExprs]) expect([...named(exprs)]).toEqual(expect.arrayContaining(covered));
});

it('a misspelt metric would be caught: the check sees names /metrics does not serve', () => {
  expect(served.has('callops_command_duration_seconds_bucket')).toBe(true);
  expect(served.has('callops_no_such_metric')).toBe(false);
});
