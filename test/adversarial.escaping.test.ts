/**
 * What users see is escaped and within Slack's limits: PBX values and echoed
 * user input never become mentions or links (top-level `text`, blocks, private
 * replies, PBX error messages), and block_id/action_id stay at most 255
 * characters and unique for unusual PBX data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callCard, replaceCallBlocks } from '../src/slack/blocks/call-card.js';
import { callListMessage } from '../src/slack/blocks/call-list.js';
import { eventsMessage } from '../src/slack/blocks/call-events.js';
import { slackSentence } from '../src/slack/actions/replies.js';
import { createLogger } from '../src/log.js';
import { UapiError } from '../src/uapi/errors.js';
import { phoneCallSchema } from '../src/uapi/schemas.js';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { slashCommand, viewSubmission, viewSubmissionPayload } from './helpers/signed.js';
import { SEED_IDS } from '../src/sandbox/server.js';

type AnyBlock = { type: string; block_id?: string; text?: { text: string }; elements?: Array<{ action_id?: string; value?: string }>; accessory?: { action_id?: string } };

const INJECT = '<!channel> <@U999> <https://evil.example|click here>';
const long = (c: string) => c.repeat(300);

function view(id: string, extra: Record<string, unknown> = {}) {
  return { id, extension: '0003*210', status: 5, callerId: INJECT, source: [INJECT], destination: ['0003*024'], ...extra };
}
function weirdCall(id: string, viewIds: string[]) {
  return phoneCallSchema.parse({ id, extension: '0003*210', ownerName: INJECT, phoneCallView: viewIds.map((v) => view(v)) });
}

function idsOf(blocks: AnyBlock[]) {
  const blockIds = blocks.map((b) => b.block_id).filter((x): x is string => typeof x === 'string');
  const actionIdsPerBlock = blocks.map((b) => [...(b.elements ?? []).map((e) => e.action_id), b.accessory?.action_id].filter((x): x is string => typeof x === 'string'));
  return { blockIds, actionIdsPerBlock };
}

function expectWithinLimits(blocks: AnyBlock[]) {
  const { blockIds, actionIdsPerBlock } = idsOf(blocks);
  for (const id of blockIds) expect(id.length).toBeLessThanOrEqual(255);
  expect(new Set(blockIds).size).toBe(blockIds.length);
  for (const ids of actionIdsPerBlock) {
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(255);
    expect(new Set(ids).size).toBe(ids.length);
  }
}

function expectNoRawMarkup(text: string) {
  expect(text).not.toMatch(/<!channel>|<!here>|<@U|<https?:/);
}

describe('cards escape PBX values and keep ids within limits', () => {
  it('top-level text and blocks escape a PBX value `<!channel>`', () => {
    const card = callCard(weirdCall('b817d2618fe6f1804333', ['01']), { extension: '0003*210' });
    expectNoRawMarkup(card.text);
    expect(card.text).toContain('&lt;!channel&gt;');
    expectNoRawMarkup(JSON.stringify(card.blocks));
  });

  it('300-character call and view ids, duplicate view ids: ids at most 255 characters and unique', () => {
    const call = weirdCall(long('a1'), [long('b'), long('b'), '01', '01']);
    const card = callCard(call, { extension: '0003*210' });
    expectWithinLimits(card.blocks as AnyBlock[]);
    // The button still carries the real ids.
    const values = (card.blocks as AnyBlock[]).flatMap((b) => (b.elements ?? []).map((e) => e.value ?? ''));
    expect(values.some((v) => v.includes(long('b')))).toBe(true);
    // A card of such a call can still be found and replaced inside a message.
    const replaced = replaceCallBlocks(card.blocks, call.id, callCard({ id: call.id, extension: '0003*210', state: 'ended' }, { extension: '0003*210' }).blocks);
    expect(replaced.length).toBe(callCard({ id: call.id, extension: '0003*210', state: 'ended' }, { extension: '0003*210' }).blocks.length);
  });

  it('the ended and pending cards of a call whose id and extension are markup: escaped, block ids our own, Refresh carries the real ids', () => {
    const note = ':warning: Hold; its state could not be read. Press Refresh.';
    for (const state of ['ended', 'pending'] as const) {
      const card = callCard({ id: INJECT, extension: INJECT, state }, { extension: INJECT, note });
      expectNoRawMarkup(card.text);
      expect(card.text).toContain('&lt;!channel&gt;');
      // Button values are read by callops, never shown: they carry the real ids.
      expectNoRawMarkup(JSON.stringify(card.blocks, (k, v) => (k === 'value' ? undefined : v)));
      expectWithinLimits(card.blocks as AnyBlock[]);
      for (const b of card.blocks) expect(b.block_id).toMatch(/^h[0-9a-f]{40}\.(head|call|note)$/);
      const values = (card.blocks as AnyBlock[]).flatMap((b) => (b.elements ?? []).map((e) => e.value).filter((v): v is string => v !== undefined));
      expect(values.map((v) => JSON.parse(v))).toEqual(state === 'pending' ? [{ call: INJECT, extension: INJECT }] : []);
    }
  });

  it('the same call twice in a list is shown once; ids unique across the message', () => {
    const a = weirdCall('b817d2618fe6f1804333', ['01', '02']);
    const b = weirdCall(long('c'), ['01']);
    const msg = callListMessage('0003*210', [a, b, a]);
    expectWithinLimits(msg.blocks as AnyBlock[]);
    expectNoRawMarkup(msg.text);
  });

  it('events with 300-character ids keep action ids within 255; the summary text is escaped', () => {
    const msg = eventsMessage(`Events on ${INJECT}`, '0003*210', [
      { id: long('e'), type: 0, url: 'https://a.example', method: 0, status: 1 } as never,
      { id: long('f'), type: 0, url: 'https://a.example', method: 0, status: 1 } as never,
    ]);
    expectWithinLimits(msg.blocks as AnyBlock[]);
    expectNoRawMarkup(msg.text);
  });
});

describe('failure messages escape what they echo', () => {
  it('a PBX error message with <!here> and a link does not reach the user verbatim', () => {
    const err = new UapiError({ kind: 'rejected', status: 409, code: 'conflict_x', serverMessage: '<!here> call busy,\nsee <https://evil.example/x|this page> or http://evil.example/y' });
    const text = slackSentence(err, { logger: createLogger('silent') });
    expectNoRawMarkup(text);
    expect(text).not.toContain('evil.example');
    expect(text).not.toContain('\n');
    expect(text).toMatch(/call busy/);
  });

  describe('through the real app', () => {
    let s: Stack;
    beforeAll(async () => {
      s = await startStack();
      await s.link('UA', '12', '0003*210');
    });
    afterAll(async () => {
      await s.close();
    });

    it('the confirmation of an event edited in the modal escapes the note and URL it echoes', async () => {
      s.api.clearCalls();
      const meta = JSON.stringify({ e: '0003*210', t: 0, id: SEED_IDS.seedEvent, ch: 'C1' });
      const res = await viewSubmission(
        s.base,
        SIGNING_SECRET,
        viewSubmissionPayload({
          user: 'UA',
          callbackId: 'event.modal',
          privateMetadata: meta,
          values: {
            url: { value: { type: 'plain_text_input', value: 'https://crm.example.com/hook?a=1&b=<2>' } },
            method: { value: { type: 'static_select', selected_option: { value: '1' } } },
            status: { value: { type: 'static_select', selected_option: { value: '1' } } },
            note: { value: { type: 'plain_text_input', value: '<!channel> <@U999> look' } },
          },
        }),
      );
      expect(res.status).toBe(200);
      const done = await s.api.waitFor('chat.postEphemeral', (c) => String(c.body.text).includes('Updated call event'), 10_000);
      const text = String(done.body.text);
      expectNoRawMarkup(text);
      expect(text).toContain('&lt;!channel&gt;');
    });

    for (const text of ['hold <!channel>', 'transfer 0003*210 b817d2618fe6f1804333 to <!here>', '<!channel> now', 'events add 0003*210 <@U999>']) {
      it(`/call ${text}: the private reply echoes it escaped`, async () => {
        const res = await slashCommand(s.base, SIGNING_SECRET, { text, user_id: 'UA' });
        expect(res.status).toBe(200);
        const reply = JSON.stringify(res.json ?? res.body);
        expectNoRawMarkup(reply);
        expect(reply).toMatch(/&lt;(!channel|!here|@U999)&gt;/);
      });
    }
  });
});
