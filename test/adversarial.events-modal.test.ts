/**
 * The event edit modal opens at once, within the trigger's 3 seconds, whatever
 * VoipNow does: `views.open` with a loading note is sent while VoipNow still has
 * not answered (the sandbox hangs), and `views.update` fills in the form when it
 * does, or says plainly that the event could not be loaded.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { slashCommand, viewSubmission, viewSubmissionPayload } from './helpers/signed.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack();
});
afterAll(async () => {
  s.sandbox.setFaults({});
  await s.close();
});
beforeEach(async () => {
  s.sandbox.reset();
  s.sandbox.setFaults({});
  s.api.clearCalls();
  await s.link('UA', '12', '0003*210');
});

const editCommand = () => slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: `events update 0003*210 0 ${SEED_IDS.seedEvent}`, response_url: s.api.responseUrl('/cmd/UA') });
const blocksText = (b: unknown) => JSON.stringify(b);

describe('event edit modal', () => {
  it('opens while VoipNow has not answered yet, then is filled in', async () => {
    s.sandbox.setFaults({ hang: true });
    const res = await editCommand();
    expect(res.status).toBe(200);
    const opened = await s.api.waitFor('views.open', undefined, 10_000);
    // VoipNow is still hanging: nothing could have been loaded yet.
    expect(blocksText(opened.body.view)).toMatch(/Loading the event from VoipNow/);
    expect(s.api.callsTo('views.update')).toHaveLength(0);
    s.sandbox.setFaults({});
    const filled = await s.api.waitFor('views.update', undefined, 10_000);
    const view = filled.body.view as { callback_id: string; blocks: { block_id?: string }[] };
    expect(view.callback_id).toBe('event.modal');
    expect(view.blocks.map((b) => b.block_id)).toEqual(expect.arrayContaining(['url', 'method', 'status', 'note']));
    expect(filled.body.view_id).toBeTruthy();
    expect(filled.body.view_id).toBe((opened.body as { view_id?: string }).view_id ?? filled.body.view_id);
    await s.slack.idle();
  });

  it('says in the modal when VoipNow fails', async () => {
    s.sandbox.setFaults({ errorRate: 1 });
    await editCommand();
    await s.api.waitFor('views.open', undefined, 10_000);
    const failed = await s.api.waitFor('views.update', undefined, 10_000);
    const text = blocksText(failed.body.view);
    expect(text).toMatch(/could not be loaded/);
    expect(text).toMatch(/VoipNow had an internal error/);
    expect((failed.body.view as { submit?: unknown }).submit).toBeUndefined();
  });
});

describe('event modal submissions are always acknowledged', () => {
  const meta = JSON.stringify({ e: '0003*210', t: 0, id: SEED_IDS.seedEvent });
  const submit = (mutate: (view: Record<string, unknown>) => void) => {
    const payload = viewSubmissionPayload({ user: 'UA', callbackId: 'event.modal', privateMetadata: meta, values: {} });
    mutate(payload.view as Record<string, unknown>);
    return viewSubmission(s.base, SIGNING_SECRET, payload);
  };

  it('non-string values, a missing state, prototype keys: field errors, nothing sent to VoipNow', async () => {
    s.sandbox.requests.length = 0;
    const shapes: ((v: Record<string, unknown>) => void)[] = [
      (v) =>
        (v.state = {
          values: {
            url: { value: { type: 'plain_text_input', value: 42 } },
            method: { value: { selected_option: { value: ['1'] } } },
            status: { value: { selected_option: null } },
            note: { value: { value: { x: 1 } } },
          },
        }),
      (v) => (v.state = null),
      (v) => delete v.state,
      (v) => (v.state = { values: null }),
      (v) => (v.state = { values: JSON.parse('{"__proto__": {"value": {"value": "http://evil.example"}}, "url": {"value": null}}') }),
    ];
    for (const shape of shapes) {
      const res = await submit(shape);
      expect(res.status).toBe(200);
      const errors = (res.json as { response_action: string; errors: Record<string, string> }).errors;
      expect(Object.keys(errors)).toEqual(expect.arrayContaining(['url', 'method', 'status']));
    }
    expect(s.sandbox.requests.filter((r) => r.method === 'PUT')).toHaveLength(0);
  });
});
