import { beforeAll, describe, expect, it } from 'vitest';
import { SEED_IDS, type Sandbox } from '../src/sandbox/server.js';
import type { SlackApi } from './helpers/slack-api.js';
import { pgUnavailable, pgUrl } from './helpers/pg.js';
import { replicaApps } from './helpers/replica-apps.js';
import { SIGNING_SECRET } from './helpers/stack.js';
import { waitUntil } from './helpers/wait.js';
import { blockAction, blockActionPayload, slashCommand, viewSubmission, viewSubmissionPayload } from './helpers/signed.js';

const CALL = SEED_IDS.seedCall;
type Block = { elements?: Array<{ action_id?: string; value?: string }> };

if (!pgUrl) console.warn(`adversarial.replicas: no PostgreSQL (${pgUnavailable}); skipped`);

describe.skipIf(!pgUrl)('two replicas on one PostgreSQL store', () => {
  const r = replicaApps({ schemaPrefix: 'callops_replicas', options: () => ({ followUp: { delaysMs: [100], maxMs: 5000 } }) });
  const apps = r.apps;
  let sandbox: Sandbox;
  let api: SlackApi;
  beforeAll(() => {
    ({ sandbox, api } = r);
  });

  const idle = () => Promise.all(apps.map(({ app }) => app.idle()));
  const puts = () => sandbox.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/uapi/'));

  it('a press and its retries, delivered to both replicas at once, hold the call once', async () => {
    let ts = '';
    const off = api.respondWith('chat.postMessage', (_c, d) => {
      const a = d();
      ts = String(a.ts);
      return a;
    });
    await slashCommand(apps[0]!.base, SIGNING_SECRET, { user_id: 'UA', text: `post 0003*210 ${CALL}`, response_url: api.responseUrl('/l') });
    const posted = await api.waitFor('chat.postMessage');
    off();
    await idle();
    const blocks = posted.body.blocks as Block[];
    const value = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.hold.01')?.value;
    expect(value).toBeDefined();
    sandbox.requests.length = 0;
    const payload = blockActionPayload({ user: 'UA', messageTs: ts, messageBlocks: blocks, actionId: 'call.hold.01', value: value!, responseUrl: api.responseUrl('/p') });
    const retry = { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } };
    const answers = await Promise.all([...apps.map(({ base }) => blockAction(base, SIGNING_SECRET, payload)), ...apps.map(({ base }) => blockAction(base, SIGNING_SECRET, payload, retry))]);
    await idle();
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(puts()).toHaveLength(1);
    expect(sandbox.world.calls.get(CALL)!.views[0]!.holder).toBe(1);
  });
  it('a modal opened through one replica is submitted through the other, and updates the card it was opened from', async () => {
    let ts = '';
    const off = api.respondWith('chat.postMessage', (_c, d) => {
      const a = d();
      ts = String(a.ts);
      return a;
    });
    const before = api.callsTo('chat.postMessage').length;
    await slashCommand(apps[0]!.base, SIGNING_SECRET, { user_id: 'UA', text: `post 0003*210 ${CALL}`, response_url: api.responseUrl('/m') });
    const posted = await waitUntil('the card', () => api.callsTo('chat.postMessage')[before]);
    off();
    await idle();
    const blocks = posted.body.blocks as Block[];
    const value = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.transfer.01')?.value;
    expect(value).toBeDefined();
    const opens = api.callsTo('views.open').length;
    await blockAction(
      apps[0]!.base,
      SIGNING_SECRET,
      blockActionPayload({ user: 'UA', messageTs: ts, messageBlocks: blocks, actionId: 'call.transfer.01', value: value!, responseUrl: api.responseUrl('/w') }),
    );
    await idle();
    const opened = api.callsTo('views.open').slice(opens);
    expect(opened).toHaveLength(1);
    const privateMetadata = (opened[0]!.body.view as { private_metadata: string }).private_metadata;
    sandbox.requests.length = 0;
    const updates = api.callsTo('chat.update').length;
    const res = await viewSubmission(
      apps[1]!.base,
      SIGNING_SECRET,
      viewSubmissionPayload({ user: 'UA', callbackId: 'call.modal', privateMetadata, values: { to: { value: { type: 'plain_text_input', value: '0003*024' } } } as never }),
    );
    expect(res.status).toBe(200);
    await idle();
    expect(puts()).toHaveLength(1);
    // The card the button was pressed on (known only through the first replica's request) is updated by the second.
    const onCard = api
      .callsTo('chat.update')
      .slice(updates)
      .filter((c) => c.body.ts === ts);
    // The "working…" note is drawn on the blocks the modal's card had: only the stored place knows them.
    expect(onCard.map((c) => JSON.stringify(c.body.blocks)).join('\n')).toMatch(/Transfer, working…/);
    expect(api.calls.filter((c) => c.method === 'chat.postEphemeral' || c.method === 'conversations.open')).toHaveLength(0);
  });
});
