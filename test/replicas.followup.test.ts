/**
 * A ring follow-up is a job in PostgreSQL (pg-boss), not a timer in the process that started it:
 * a whisper rings the supervisor's phone, the replica that ran it stops before the phone answers,
 * and the other replica's follow-up updates the card once it answers. Two app instances, each
 * with its own pg-boss connection, on one PostgreSQL schema. Skipped, with the reason printed,
 * when no PostgreSQL answers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SEED_IDS, type Sandbox } from '../src/sandbox/server.js';
import type { SlackApi } from './helpers/slack-api.js';
import { replicaApps } from './helpers/replica-apps.js';
import { SIGNING_SECRET } from './helpers/stack.js';
import { blockAction, blockActionPayload, slashCommand, viewSubmission, viewSubmissionPayload } from './helpers/signed.js';
import { pgUnavailable, pgUrl } from './helpers/pg.js';
import { waitUntil } from './helpers/wait.js';

if (!pgUrl) console.warn(`replicas.followup: no PostgreSQL (${pgUnavailable}); skipped`);

const CALL = SEED_IDS.seedCall;
type Block = { block_id?: string; elements?: Array<{ action_id?: string; value?: string }> };

describe.skipIf(!pgUrl)('a ring follow-up outlives the replica that started it', () => {
  // The whispering supervisor's phone rings for 4 s before it answers.
  const r = replicaApps({
    schemaPrefix: 'callops_follow',
    pickupDelayMs: 4000,
    coordinated: true,
    options: (coordination) => ({
      followUp: { delaysMs: [300], maxMs: 20_000 },
      replicas: { queue: coordination!.queue, leases: coordination!.leases, ttlMs: 3000 },
    }),
  });
  const apps = r.apps;
  let sandbox: Sandbox;
  let api: SlackApi;
  beforeAll(() => {
    ({ sandbox, api } = r);
  });

  it('the replica that whispered stops while the phone rings; the other updates the card once the phone answers', async () => {
    const [a] = apps;
    let ts = '';
    api.respondWith('chat.postMessage', (_c, d) => {
      const answer = d();
      ts = String(answer.ts);
      return answer;
    });
    await slashCommand(a!.base, SIGNING_SECRET, { user_id: 'UA', text: `post 0003*210 ${CALL}`, response_url: api.responseUrl('/l') });
    const posted = await waitUntil('the card', () => api.callsTo('chat.postMessage')[0]);
    await a!.app.idle();
    const blocks = posted.body.blocks as Block[];
    const value = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.whisper.01')?.value;
    expect(value).toBeDefined();
    await blockAction(
      a!.base,
      SIGNING_SECRET,
      blockActionPayload({ user: 'UA', messageTs: ts, messageBlocks: blocks, actionId: 'call.whisper.01', value: value!, responseUrl: api.responseUrl('/w') }),
    );
    await a!.app.idle();
    const privateMetadata = (api.callsTo('views.open')[0]!.body.view as { private_metadata: string }).private_metadata;
    const whispered = Date.now();
    await viewSubmission(
      a!.base,
      SIGNING_SECRET,
      viewSubmissionPayload({ user: 'UA', callbackId: 'call.modal', privateMetadata, values: { to: { value: { type: 'plain_text_input', value: '0003*024' } } } as never }),
    );
    await a!.app.idle();
    expect(sandbox.requests.filter((r) => r.method === 'PUT' && r.path.startsWith('/uapi/'))).toHaveLength(1);
    // The card does not show the new leg yet: the phone rings. The replica that acted goes away now.
    expect(JSON.stringify(api.callsTo('chat.update').at(-1)?.body.blocks)).not.toContain(`${CALL}.view.02`);
    await a!.app.stop();
    await a!.coordination!.close();
    a!.stopped = true;
    const stopped = Date.now();
    expect(stopped - whispered).toBeLessThan(4000);
    // The follow-up's next step is a job in PostgreSQL: the other replica takes it and updates the card once the
    // phone answers. A channel card shows the call's parties only, so the whisper leg itself is not on it.
    const answered = await waitUntil('the answered whisper leg in the PBX', () => sandbox.changes.since(0).find((c) => c.callId === CALL && c.detail.includes('whisper')), {
      timeoutMs: 20_000,
    });
    const shown = await waitUntil(
      'the card updated after the whisper was answered, after the first replica stopped',
      () => api.callsTo('chat.update').find((c) => c.at > stopped && c.at >= answered.at && c.body.ts === ts),
      { timeoutMs: 20_000 },
    );
    expect(JSON.stringify(shown.body.blocks)).not.toContain(`${CALL}.view.02`);
    expect(shown.body.channel).toBe(posted.body.channel);
  }, 60_000);
});
