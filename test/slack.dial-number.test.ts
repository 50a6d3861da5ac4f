/**
 * "Call this number" (message shortcut `dial_number`) through the real Bolt app: the modal
 * offers the numbers found in the message and sends nothing to VoipNow; Dial places the call
 * from the user's own phone with their own token and posts its card in the message's channel.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { resetStack } from './helpers/stack-reset.js';
import { interactive, viewSubmission } from './helpers/signed.js';
import { messageShortcutPayload, viewSubmissionPayload } from './helpers/payloads.js';

interface OpenedView {
  callback_id: string;
  private_metadata?: string;
  submit?: unknown;
  blocks: Array<{ block_id?: string; element?: { options?: Array<{ text: { text: string }; value: string }>; initial_value?: string } }>;
}

describe('Call this number', () => {
  let s: Stack;
  const posted: string[] = [];
  beforeAll(async () => {
    s = await startStack({ pickupDelayMs: 300 });
  });
  afterAll(() => s.close());
  beforeEach(async () => {
    resetStack(s, posted, { clearFaults: false });
    await s.link('UA', '12', '0003*210');
  });

  const useShortcut = (user: string, messageText: string) => interactive(s.base, SIGNING_SECRET, messageShortcutPayload({ user, callbackId: 'dial_number', messageText }));

  it('offers the number in the message and sends nothing to VoipNow before Dial', async () => {
    const res = await useShortcut('UA', 'call +1 (555) 012-3456');
    expect(res.status).toBe(200);
    const opened = await s.api.waitFor('views.open', undefined, 10_000);
    const view = opened.body.view as OpenedView;
    expect(view.callback_id).toBe('dial_number');
    expect(view.submit).toBeDefined();
    const select = view.blocks.find((b) => b.block_id === 'dial_number.number')!;
    expect(select.element!.options!.map((o) => o.text.text)).toEqual(['+1 (555) 012-3456 (+15550123456)']);
    expect(view.blocks.find((b) => b.block_id === 'dial_number.from')!.element!.initial_value).toBe('0003*210');
    await s.slack.idle();
    expect(s.sandbox.requests).toHaveLength(0);

    const submitted = await viewSubmission(
      s.base,
      SIGNING_SECRET,
      viewSubmissionPayload({
        user: 'UA',
        callbackId: 'dial_number',
        privateMetadata: view.private_metadata!,
        values: {
          'dial_number.number': { number: { type: 'static_select', selected_option: { value: '0', text: { type: 'plain_text', text: 'x' } } } },
          'dial_number.from': { from: { type: 'plain_text_input', value: '0003*210' } },
        },
      }),
    );
    expect(submitted.status).toBe(200);
    await s.api.waitFor('chat.postMessage', (c) => c.body.channel === 'C1', 10_000);
    const post = s.sandbox.requests.find((r) => r.method === 'POST' && r.path === '/uapi/phoneCalls/@me/simple');
    expect(post).toMatchObject({ userId: '12', body: { extension: '0003*210', phoneCallView: [{ source: ['0003*210'], destination: ['+15550123456'] }] } });
    await s.slack.idle();
  });

  it('says so in the modal when the message has no number, and when the user is not linked', async () => {
    await useShortcut('UA', 'see you at 10:30 on 2026-12-02');
    const none = await s.api.waitFor('views.open', undefined, 10_000);
    expect(JSON.stringify(none.body.view)).toMatch(/No phone number found in that message/);
    expect((none.body.view as OpenedView).submit).toBeUndefined();
    s.api.clearCalls();
    await useShortcut('UNLINKED', 'call 555-012-3456');
    const unlinked = await s.api.waitFor('views.open', undefined, 10_000);
    expect(JSON.stringify(unlinked.body.view)).toMatch(/Link your VoipNow account first/);
    await s.slack.idle();
    expect(s.sandbox.requests).toHaveLength(0);
  });

  it('a wrong extension or a forged form is refused in the modal and nothing is dialled', async () => {
    const submit = (privateMetadata: string, from: string) =>
      viewSubmission(
        s.base,
        SIGNING_SECRET,
        viewSubmissionPayload({
          user: 'UA',
          callbackId: 'dial_number',
          privateMetadata,
          values: {
            'dial_number.number': { number: { type: 'static_select', selected_option: { value: '0' } } },
            'dial_number.from': { from: { type: 'plain_text_input', value: from } },
          },
        }),
      );
    const wrong = await submit(JSON.stringify({ c: 'C1', n: ['+15550123456'] }), 'my desk');
    expect(wrong.json).toMatchObject({ response_action: 'errors', errors: { 'dial_number.from': expect.stringMatching(/`my desk` is not an extension number.*0003\*210/) } });
    const forged = await submit(JSON.stringify({ c: 'C1', n: ['<!channel>'] }), '0003*210');
    expect(forged.json).toMatchObject({ response_action: 'errors', errors: { 'dial_number.number': expect.stringMatching(/out of date/) } });
    await s.slack.idle();
    expect(s.sandbox.requests).toHaveLength(0);
  });
});
