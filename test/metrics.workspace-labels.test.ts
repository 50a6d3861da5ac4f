/**
 * /metrics names at most METRICS_WORKSPACE_LABELS workspaces in its workspace label: later
 * ones are counted under "other", so thousands of workspaces never become thousands of series.
 */
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics.js';
import { loadConfig } from '../src/config.js';

const sample = (code?: string) => ({ method: 'GET', route: '/uapi/phoneCalls/:id', status: code ? 500 : 200, ms: 5, ...(code && { code }) });

describe('workspace labels', () => {
  it('names the first workspaces seen and counts the rest as other', async () => {
    const metrics = createMetrics({ processMetrics: false, workspaceLabels: 2 });
    metrics.workspaceUapiRequest('T1', sample());
    metrics.workspaceUapiRequest('T2', sample('timeout'));
    metrics.workspaceUapiRequest('T3', sample());
    metrics.workspaceUapiRequest('T4', sample());
    metrics.workspaceUapiRequest('T1', sample());
    const text = await metrics.text();
    const lines = text.split('\n').filter((l) => l.startsWith('callops_workspace_uapi_requests_total{'));
    expect(lines.sort()).toEqual(
      [
        'callops_workspace_uapi_requests_total{workspace="T1",result="ok"} 2',
        'callops_workspace_uapi_requests_total{workspace="T2",result="error"} 1',
        'callops_workspace_uapi_requests_total{workspace="other",result="ok"} 2',
      ].sort(),
    );
    expect(text).not.toMatch(/T3|T4/);
  });

  it('with 0, no team id appears at all', async () => {
    const metrics = createMetrics({ processMetrics: false, workspaceLabels: 0 });
    metrics.workspaceUapiRequest('T1', sample());
    expect(await metrics.text()).not.toContain('T1');
  });

  it('METRICS_WORKSPACE_LABELS must be a whole number', () => {
    const env = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_APP_TOKEN: 'xapp-1' };
    expect(loadConfig({ ...env, METRICS_WORKSPACE_LABELS: '5' }).metricsWorkspaceLabels).toBe(5);
    expect(() => loadConfig({ ...env, METRICS_WORKSPACE_LABELS: 'many' })).toThrow(/METRICS_WORKSPACE_LABELS.*whole number of workspaces.*e\.g\. 20/s);
  });
});
