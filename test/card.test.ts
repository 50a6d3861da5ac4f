import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { LIMITS } from '../src/slack/blocks/limits.js';
import { callCard, replaceCallBlocks, viewText, withNote } from '../src/slack/blocks/call-card.js';
import { callListMessage } from '../src/slack/blocks/call-list.js';
import { code } from '../src/slack/blocks/mrkdwn.js';
import { eventsMessage } from '../src/slack/blocks/call-events.js';
import { phoneCallSchema, type PhoneCall } from '../src/uapi/schemas.js';
import { snapshotOf } from '../src/board/snapshot.js';
import { boardCard } from '../src/slack/board/render.js';

/** The OnHold seed's answer, as a server sends it (string numbers, `onhold`, `link`). */
const seedAnswer = {
  id: 'b817d2618fe6f1804333',
  extension: '0003*210',
  ownerId: '3',
  ownerName: 'Default Organization',
  answered: '2012-06-27T16:08:55+03:00',
  published: '2012-06-27T16:08:50+02:00',
  phoneCallView: [
    {
      id: '01',
      extension: '0003*210',
      answered: '2012-06-27T16:08:55+03:00',
      status: '5',
      callerId: 'John Doe <3333>',
      source: ['0003*210'],
      destination: ['0003*024'],
      onhold: '2012-06-27T16:18:55+03:00',
      holder: 1,
    },
  ],
  link: { self: 'https://x.x.x.x//uapi/phoneCalls/12/0003*210/b817d2618fe6f1804333' },
};
const seedCall = phoneCallSchema.parse(seedAnswer);

type AnyBlock = { type: string; block_id?: string; text?: { text: string }; elements?: Array<{ action_id?: string; value?: string; text?: unknown }> };
const blocks = (call: PhoneCall) => callCard(call, { extension: '0003*210' }).blocks as AnyBlock[];
const actionIds = (bs: AnyBlock[]) => bs.flatMap((b) => (b.elements ?? []).map((e) => e.action_id)).filter(Boolean);

describe('phoneCallSchema reads what servers send', () => {
  it('normalises the seed answer: string numbers, onhold, link', () => {
    expect(seedCall.phoneCallView[0]).toMatchObject({ status: 5, holder: 1, onHold: '2012-06-27T16:18:55+03:00' });
    expect(seedCall.self).toBe(seedAnswer.link.self);
  });
  it('accepts onHold, links and bare-string source', () => {
    const c = phoneCallSchema.parse({ id: 1, links: { self: 'x' }, phoneCallView: [{ id: '02', status: 3, onHold: 't', source: '7778888' }] });
    expect(c).toMatchObject({ id: '1', self: 'x', phoneCallView: [{ id: '02', status: 3, onHold: 't', source: ['7778888'], destination: [] }] });
  });
});

describe('call card', () => {
  it('shows every field of a view: state, caller id, route, on hold since, holder', () => {
    const text = viewText(seedCall.phoneCallView[0]!);
    expect(text).toContain(':double_vertical_bar: Agent `0003*210` with `0003*024` · on hold');
    expect(text).toContain('Caller ID `John Doe &lt;3333&gt;`');
    expect(text).toMatch(/On hold since <!date\^1340803135\^\{date_short_pretty\} \{time_secs\}\|2012-06-27T16:18:55\+03:00> · held by this side/);
  });

  it('escapes &, < and > everywhere and keeps * and backticks inert', () => {
    expect(code('A&B <1*2> `x`')).toBe("`A&amp;B &lt;1*2&gt; 'x'`");
    const call = phoneCallSchema.parse({ id: 'abc', phoneCallView: [{ id: '01', status: 5, callerId: '*Bold* <@U123> & Co <+1*2>' }] });
    const text = JSON.stringify(blocks(call));
    expect(text).not.toContain('<@U123>');
    expect(text).toContain('`*Bold* &lt;@U123&gt; &amp; Co &lt;+1*2&gt;`');
  });

  it('offers the buttons the view state allows', () => {
    expect(actionIds(blocks(seedCall))).toEqual(['call.resume.01', 'call.transfer.01', 'call.record.01', 'call.refresh', 'call.hangup']);
    const live = phoneCallSchema.parse({ id: 'c1', extension: '0003*210', phoneCallView: [{ id: '01', status: 5 }] });
    expect(actionIds(blocks(live))).toEqual([
      'call.hold.01',
      'call.park.01',
      'call.whisper.01',
      'call.listen.01',
      'call.barge.01',
      'call.transfer.01',
      'call.record.01',
      'call.refresh',
      'call.hangup',
    ]);
    const parked = phoneCallSchema.parse({ id: 'c2', phoneCallView: [{ id: '01', status: 5, parked: '2026-01-01T00:00:00Z', parkedPos: 2, parkedBy: '0003*210' }] });
    expect(actionIds(blocks(parked))).toContain('call.unpark.01');
    expect(viewText(parked.phoneCallView[0]!)).toMatch(/Parked since .* at position 2 by `0003\*210`/);
  });

  it('stays within Block Kit limits for a call with many long views, with a note', () => {
    const views = Array.from({ length: 80 }, (_, i) => ({ id: String(i).padStart(2, '0'), status: 5, callerId: `${'X'.repeat(5000)} <1>`, source: ['1'], destination: ['2'] }));
    const big = phoneCallSchema.parse({ id: 'big', extension: '0003*210', phoneCallView: views });
    const bs = blocks(big);
    expect(bs.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
    for (const b of bs) {
      if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(LIMITS.sectionText);
      for (const e of b.elements ?? []) {
        if (e.value) expect(e.value.length).toBeLessThanOrEqual(LIMITS.buttonValue);
        if (e.action_id) expect(e.action_id.length).toBeLessThanOrEqual(LIMITS.actionId);
      }
      expect((b.elements ?? []).length).toBeLessThanOrEqual(LIMITS.actionsElements);
    }
    expect(JSON.stringify(bs)).toMatch(/\d+ more views not shown/);
    const ids = bs.map((b) => b.block_id).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a list of many calls is cut with a note, block ids unique', () => {
    const calls = Array.from({ length: 30 }, (_, i) => phoneCallSchema.parse({ id: `call${i}`, phoneCallView: [{ id: '01', status: 5 }] }));
    const msg = callListMessage('0003*210', calls).blocks as AnyBlock[];
    expect(msg.length).toBeLessThanOrEqual(LIMITS.messageBlocks);
    const shown = msg.filter((b) => b.block_id?.endsWith('.head')).length;
    expect(shown).toBeGreaterThan(5);
    expect(JSON.stringify(msg)).toContain(`${30 - shown} more calls not shown`);
    const ids = msg.map((b) => b.block_id).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('replaces only one call inside a list, and sets its note', () => {
    const calls = ['a1', 'b2', 'c3'].map((id) => phoneCallSchema.parse({ id, phoneCallView: [{ id: '01', status: 5 }] }));
    const list = callListMessage('0003*210', calls).blocks;
    const replaced = replaceCallBlocks(list, 'b2', callCard({ id: 'b2', extension: '0003*210', state: 'ended' }, { extension: '0003*210' }).blocks) as AnyBlock[];
    const text = JSON.stringify(replaced);
    expect(text).toContain('has ended');
    expect(text).toContain('a1.head');
    expect(text).toContain('c3.head');
    expect(text).not.toContain('b2.view.01');
    const noted = withNote(list, 'a1', 'working') as AnyBlock[];
    expect(noted.findIndex((b) => b.block_id === 'a1.note')).toBe(noted.findIndex((b) => b.block_id === 'a1.call') + 1);
  });

  it('lists call events with an Edit button each', () => {
    const msg = eventsMessage('1 call event(s) on 0003*210', '0003*210', [{ id: 'Nq1', type: 0, method: 1, status: 1, url: 'http://x/y', self: undefined }]);
    expect(JSON.stringify(msg.blocks)).toContain('"action_id":"event.edit.Nq1"');
  });
});

describe('a card reads like a person wrote it', () => {
  const at = '2026-11-23T10:41:07Z';
  const talking = phoneCallSchema.parse({
    id: 'b817d2618fe6f1804333',
    extension: '0003*210',
    answered: at,
    phoneCallView: [{ id: '01', extension: '0003*210', status: 5, answered: at, callerId: 'Customer <7778888>', source: ['7778888'], destination: ['0003*210'] }],
  });
  const texts = (bs: AnyBlock[]) => bs.map((b) => [b.text?.text, ...(b.elements ?? []).map((e) => (e as { text?: string }).text)].filter((t) => typeof t === 'string').join(' '));

  it('the headline says who is calling whom, the state and since when; ids go to a context line', () => {
    const bs = blocks(talking);
    const head = bs[0]!.text!.text;
    expect(head).toContain('`Customer &lt;7778888&gt;` is talking with `0003*210`');
    expect(head).toMatch(/answered <!date\^\d+\^\{time_secs\}\|2026-11-23T10:41:07Z>/);
    expect(head).toMatch(/<!date\^\d+\^\{ago\}\|/);
    expect(head).not.toContain('View');
    expect(head).not.toContain('b817d2618fe6f1804333');
    const ids = bs.find((b) => b.block_id?.endsWith('.ids'))!;
    expect(ids.type).toBe('context');
    expect(texts([ids])[0]).toContain('Call `b817d2618fe6f1804333` on `0003*210` · view 01');
  });

  it('a whisper leg says what it is and who is on it, and gets no buttons of its own', () => {
    const whispered = phoneCallSchema.parse({
      ...talking,
      phoneCallView: [...talking.phoneCallView, { id: '02', extension: '0003*210', status: 5, answered: at, source: ['0003*024'], destination: ['0003*210'] }],
    });
    const card = callCard(whispered, { extension: '0003*210', hints: [{ from: '0003*024', mode: 'whisper', private: true }] }).blocks as AnyBlock[];
    const leg = card.find((b) => b.block_id?.endsWith('view.02'))!;
    expect(leg.text!.text).toContain('*Whisper* from `0003*024` to `0003*210`');
    expect(leg.text!.text).toContain('private');
    expect(card.some((b) => b.block_id?.endsWith('actions.02'))).toBe(false);
    // The agent's own leg keeps its buttons (Hold, Whisper, ...).
    expect(actionIds(card)).toContain('call.whisper.01');
    expect(actionIds(card).filter((id) => id?.endsWith('.02'))).toEqual([]);
    const listening = callCard(whispered, { extension: '0003*210', hints: [{ from: '0003*024', mode: 'listen' }] }).blocks as AnyBlock[];
    expect(listening.find((b) => b.block_id?.endsWith('view.02'))!.text!.text).toContain('*Listening in* `0003*024` hears `0003*210` and the customer, unheard');
    expect(actionIds(listening)).not.toContain('call.park.02');
    const barged = callCard(whispered, { extension: '0003*210', hints: [{ from: '0003*024', mode: 'barge' }] }).blocks as AnyBlock[];
    expect(barged.find((b) => b.block_id?.endsWith('view.02'))!.text!.text).toContain('*Barged in* `0003*024` joined the conversation with `0003*210`');
    expect(actionIds(barged).filter((id) => id?.endsWith('.02'))).toEqual([]);
  });
});

describe('Block Kit limits', () => {
  it("the one table matches the copy of Slack's limits kept in test/fixtures", () => {
    const fixture = JSON.parse(readFileSync(new URL('./fixtures/slack/block-kit-limits.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    for (const [k, v] of Object.entries(fixture)) if (!k.startsWith('_')) expect([k, LIMITS[k as keyof typeof LIMITS]]).toEqual([k, v]);
  });
});

describe('one renderer for call cards and board cards', () => {
  it('draws one call the same on both surfaces where they agree: headline, per-leg buttons, the call row', () => {
    const s = snapshotOf(seedCall, '0003*210', []);
    const asCallCard = callCard(seedCall, { extension: '0003*210' }).blocks as AnyBlock[];
    const asBoardCard = boardCard(s).blocks as AnyBlock[];
    const head = (bs: AnyBlock[]) => bs.find((b) => b.block_id?.endsWith('.head'))!.text!.text;
    // The board's headline has its time already; the call card adds how long ago.
    expect(head(asCallCard).startsWith(head(asBoardCard))).toBe(true);
    expect(actionIds(asBoardCard)).toEqual(actionIds(asCallCard));
    // What differs is the surface's: a call card's ids line, a board's dense leg lines.
    expect(asCallCard.some((b) => b.block_id?.endsWith('.ids'))).toBe(true);
    expect(asBoardCard.some((b) => b.block_id?.endsWith('.ids'))).toBe(false);
    expect(asBoardCard.some((b) => b.block_id?.endsWith('.leg.01'))).toBe(true);
    expect(asCallCard.some((b) => b.block_id?.endsWith('.view.01'))).toBe(true);
  });

  it('a call the PBX sent with one view id twice gets distinct block ids on a board card too', () => {
    const twice = phoneCallSchema.parse({ ...seedAnswer, phoneCallView: [seedAnswer.phoneCallView[0], seedAnswer.phoneCallView[0]] });
    const ids = (boardCard(snapshotOf(twice, '0003*210', [])).blocks as AnyBlock[]).map((b) => b.block_id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('a call without a read, drawn by the same renderer', () => {
  const id = seedCall.id;
  const note = '<@UA> asked for Hold; VoipNow did not confirm it in time';
  const live = blocks(seedCall);
  const ids = (bs: AnyBlock[]) => bs.map((b) => b.block_id);

  it("an ended call: the headline in the live card's head block, the note in its note line; no buttons", () => {
    const card = callCard({ id, extension: '0003*210', state: 'ended' }, { extension: '0003*210', note });
    const bs = card.blocks as AnyBlock[];
    expect(ids(bs)).toEqual([`${id}.head`, `${id}.note`]);
    expect(bs[0]!.text!.text).toBe(`:no_entry_sign: *Call* ${code(id)} on ${code('0003*210')} has ended.`);
    expect(bs[1]).toEqual({ type: 'context', block_id: `${id}.note`, elements: [{ type: 'mrkdwn', text: note }] });
    expect(actionIds(bs)).toEqual([]);
    expect(card.text).toBe(`Call ${id} on 0003*210 has ended.`);
  });

  it("a pending call: head, the call row with the live card's Refresh button, then the note, in the live card's order", () => {
    const card = callCard({ id, extension: '0003*210', state: 'pending' }, { extension: '0003*210', note });
    const bs = card.blocks as AnyBlock[];
    expect(ids(bs)).toEqual([`${id}.head`, `${id}.call`, `${id}.note`]);
    expect(bs[0]!.text!.text).toBe(`:telephone_receiver: *Call* ${code(id)} on ${code('0003*210')}`);
    const refresh = live.find((b) => b.block_id === `${id}.call`)!.elements!.find((e) => e.action_id === 'call.refresh');
    expect(bs[1]!.elements).toEqual([refresh]);
    expect(bs[2]!.elements).toEqual([{ type: 'mrkdwn', text: note }]);
    expect(card.text).toBe(`Call ${id}: ${note}`);
  });

  it("the user's own phone ('@self') is not named", () => {
    const card = callCard({ id, extension: '@self', state: 'ended' }, { extension: '@self' });
    expect(card.text).toBe(`Call ${id} has ended.`);
    expect(ids(card.blocks as AnyBlock[])).toEqual([`${id}.head`]);
  });
});
