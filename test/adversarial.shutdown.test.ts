/**
 * Nothing is left half-done on shutdown: the real entry point (src/main.ts) runs
 * as a child process against the sandbox PBX and the recording Slack API; it gets
 * SIGTERM while a slow action runs (sandbox latency). The action finishes and its
 * card is written, new requests are refused, and the process exits 0 within 10 s.
 * (Before: it exited in milliseconds, and the card was never written.)
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import { SQLITE_FILE_NAME, SqliteStore, TokenCipher } from '../src/store/index.js';
import { linkUser12 } from './helpers/linked-account.js';
import { processStack } from './helpers/process-stack.js';
import { JSON_TYPE, blockAction, blockActionPayload, sendSigned, slashCommand } from './helpers/signed.js';
import { startStack, SIGNING_SECRET } from './helpers/stack.js';
import { waitUntil } from './helpers/wait.js';

const SECRET = 'shutdown-signing-secret';
const CALL = SEED_IDS.seedCall;

describe('SIGTERM during an action', () => {
  const stack = processStack('callops-shutdown-');

  it('the in-flight action finishes and its card is written; new work is refused; exit 0 within 10 s', async () => {
    const { sandbox, api, dir } = stack;
    const key = randomBytes(32).toString('hex');
    // The child's own store, with UA linked as VoipNow user 12.
    const store = new SqliteStore({ file: join(dir, SQLITE_FILE_NAME), cipher: TokenCipher.fromKey(key) });
    await linkUser12(store, sandbox, 'UA', '0003*210');

    const { proc, base } = await stack.start(SECRET, { SLACK_BOT_TOKEN: 'xoxb-shutdown', TOKEN_ENCRYPTION_KEY: key });
    const { child, exited } = proc;

    // The real process survives a signed JSON `null` (it used to exit on it) and keeps answering.
    for (const body of ['null', '[]', '7']) {
      const bad = await sendSigned(base, SECRET, body, JSON_TYPE);
      expect(bad.status).toBe(400);
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(child.exitCode).toBeNull();

    // Each UAPI request now takes 1.5 s: the hold (PUT, then the read-back) is still running at SIGTERM.
    sandbox.setFaults({ latencyMs: 1500 });
    const ack = await slashCommand(base, SECRET, { text: `hold 0003*210 ${CALL}`, user_id: 'UA', response_url: api.responseUrl('/cmd/UA') });
    expect(ack.status).toBe(200);
    expect(JSON.stringify(ack.json)).toMatch(/working on call/);
    child.kill('SIGTERM');
    const signalled = Date.now();

    // New work after SIGTERM (once the process has seen it) is refused: 503, or the port is already closed.
    await waitUntil('the process to begin shutting down', () => /SIGTERM: shutting down/.test(proc.stderr), 10_000);
    const late = await slashCommand(base, SECRET, { text: `list 0003*210`, user_id: 'UA', response_url: api.responseUrl('/late') }).catch(() => undefined);
    expect(late === undefined || late.status === 503).toBe(true);

    const result = await Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 10_000))]);
    expect(result, proc.stderr).toEqual({ code: 0, signal: null });
    const tookMs = Date.now() - signalled;
    console.info(`SIGTERM during a 2 x 1.5 s action: exited 0 after ${tookMs} ms`);

    // The action ran to the end and its card reached Slack.
    expect(sandbox.world.calls.get(CALL)!.views[0]!.holder).toBe(1);
    const card = api.callsTo('chat.postMessage').find((c) => JSON.stringify(c.body).includes(CALL));
    expect(card, `calls: ${api.calls.map((c) => c.method).join(', ')}\n${proc.stderr}`).toBeDefined();
    expect(JSON.stringify(card!.body.blocks)).toContain('on hold');
    expect(api.callsTo('response_url').filter((c) => c.path.includes('/late'))).toHaveLength(0);
  }, 90_000);
});

describe('an action still running when the drain time is up', () => {
  it('its user is told it was interrupted and its card says so', async () => {
    const s = await startStack();
    try {
      await s.link('UA', '12', '0003*210');
      const posted: string[] = [];
      s.api.respondWith('chat.postMessage', (_c, d) => {
        const a = d();
        posted.push(String(a.ts));
        return a;
      });
      await slashCommand(s.base, SIGNING_SECRET, { text: `post 0003*210 ${CALL}`, user_id: 'UA', response_url: s.api.responseUrl('/cmd') });
      const card = await s.api.waitFor('chat.postMessage', undefined, 10_000);
      const blocks = card.body.blocks as { elements?: { action_id?: string; value?: string }[] }[];
      const hold = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.hold.01')!;
      await s.slack.idle();
      // VoipNow stops answering: the press is acknowledged, then waits on VoipNow.
      s.sandbox.setFaults({ hang: true });
      const press = await blockAction(
        s.base,
        SIGNING_SECRET,
        blockActionPayload({ user: 'UA', messageTs: posted[0]!, messageBlocks: blocks, actionId: 'call.hold.01', value: hold.value!, responseUrl: s.api.responseUrl('/press') }),
      );
      expect(press.status).toBe(200);
      await s.slack.stop({ drainMs: 300 });
      const told = await s.api.waitFor('response_url', (c) => c.path.includes('/press') && /restarting while your request ran/.test(String(c.body.text)), 10_000);
      expect(told.body.response_type).toBe('ephemeral');
      const marked = await s.api.waitFor('chat.update', (c) => c.body.ts === posted[0] && JSON.stringify(c.body.blocks).includes('Interrupted by a callops restart'), 10_000);
      expect(marked.body.channel).toBe('C1');
    } finally {
      s.sandbox.setFaults({});
      await s.close();
    }
  }, 60_000);
});
