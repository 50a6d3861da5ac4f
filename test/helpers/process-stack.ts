import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.js';
import { freePort } from './free-port.js';
import { type SlackApi, startSlackApi } from './slack-api.js';
import { waitUntil } from './wait.js';
import { type CallopsProcess, spawnCallops } from './callops-process.js';

export interface ProcessStack {
  readonly sandbox: Sandbox;
  readonly api: SlackApi;
  /** The process's data directory (its SQLite store). */
  readonly dir: string;
  /**
   * Spawns the process on a free port, signed with `signingSecret`, on this stack's Slack API,
   * sandbox (the demo OAuth client) and data directory, with `env` over that; answers once it
   * answers /healthz. It is killed after the file's tests if it still runs.
   */
  start(signingSecret: string, env: Record<string, string>): Promise<{ proc: CallopsProcess; base: string }>;
}

/** Registers the stack's start and end with the file's hooks; `dirPrefix` names its data directory. */
export function processStack(dirPrefix: string): ProcessStack {
  let sandbox: Sandbox | undefined;
  let api: SlackApi | undefined;
  let dir: string | undefined;
  const spawned: CallopsProcess[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({});
    api = await startSlackApi({ waitTimeoutMs: 20_000 });
    dir = mkdtempSync(join(tmpdir(), dirPrefix));
  });
  afterAll(async () => {
    for (const p of spawned) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await api?.close();
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const started = <T>(what: T | undefined): T => {
    if (what === undefined) throw new Error('the process stack is used before it started (outside a test or hook)');
    return what;
  };
  return {
    get sandbox() {
      return started(sandbox);
    },
    get api() {
      return started(api);
    },
    get dir() {
      return started(dir);
    },
    async start(signingSecret, env) {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const proc = spawnCallops({
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: started(api).url,
        PORT: String(port),
        PUBLIC_URL: base,
        VOIPNOW_URL: started(sandbox).url,
        VOIPNOW_CLIENT_ID: 'callops-demo',
        VOIPNOW_CLIENT_SECRET: 'callops-demo-secret',
        DATA_DIR: started(dir),
        ...env,
      });
      spawned.push(proc);
      await waitUntil('the app to answer /healthz', async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.status === 200, 60_000);
      return { proc, base };
    },
  };
}
