/**
 * Card versions through the real app: signed button presses in, the sandbox
 * PBX's requests and the recording Slack API's writes out. Every card is drawn
 * at a version that goes up with each state it shows, and its buttons carry it:
 * presses of one button on one version run once however many arrive; a card
 * drawn again always takes the next press, even when it looks exactly like an
 * earlier one (Hold, Resume, Hold...); a press of an older version sends
 * nothing to VoipNow and is told what the card shows now. On SQLite and, when
 * one answers, on PostgreSQL (the claims and versions live in the store).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import { PostgresStore, TokenCipher, type Store } from '../src/store/index.js';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { resetStack } from './helpers/stack-reset.js';
import { blockAction, blockActionPayload, slashCommand, viewSubmission, viewSubmissionPayload } from './helpers/signed.js';
import type { RecordedCall } from './helpers/slack-api.js';
import { freshSchema, pgAdmin, pgUnavailable, pgUrl } from './helpers/pg.js';
import { waitUntil } from './helpers/wait.js';

const CALL = SEED_IDS.seedCall;
type Element = { type?: string; action_id?: string; value?: string };
type Block = { type?: string; block_id?: string; elements?: Element[]; accessory?: Element };

if (!pgUrl) console.warn(`cards.versions: no PostgreSQL (${pgUnavailable}); PostgreSQL runs skipped`);

const backends: Array<{ name: string; skip: boolean; store?: () => Store; schema?: string }> = [{ name: 'SQLite', skip: false }];
{
  const schema = freshSchema('callops_versions');
  backends.push({
    name: 'PostgreSQL',
    skip: !pgUrl,
    schema,
    store: () => new PostgresStore({ connectionString: pgUrl!, cipher: TokenCipher.fromKey(randomBytes(32).toString('hex')), schema }),
  });
}

describe.each(backends)('card versions on $name', ({ skip, store, schema }) => {
  let s: Stack;
  const postedTs: string[] = [];

  beforeAll(async () => {
    if (skip) return;
    s = await startStack({ ...(store && { store: store() }) });
  }, 30_000);
  afterAll(async () => {
    await s?.close();
    if (schema && pgUrl) await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  });
  beforeEach(async (ctx) => {
    if (skip) return ctx.skip();
    await s.slack.idle();
    resetStack(s, postedTs);
    await s.link('UA', '12', '0003*210');
  });

  const uapiRequests = () => s.sandbox.requests.filter((r) => r.path.startsWith('/uapi/'));
  const puts = () => uapiRequests().filter((r) => r.method === 'PUT');
  const replies = () => s.api.callsTo('response_url').map((r) => String(r.body.text));

  function buttonOf(blocks: Block[], actionId: string): Element | undefined {
    for (const b of blocks) for (const e of [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]) if (e.action_id === actionId) return e;
    return undefined;
  }

  /** Posts a card of the seed call into the channel; its blocks as posted and its ts. */
  async function postCard(): Promise<{ blocks: Block[]; ts: string }> {
    await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: `post 0003*210 ${CALL}`, response_url: s.api.responseUrl('/post') });
    const posted = await s.api.waitFor('chat.postMessage');
    const ts = await waitUntil('the posted card ts', () => postedTs[0]);
    return { blocks: posted.body.blocks as Block[], ts };
  }

  /** The card as last drawn: the latest write of the message that is not a "working…" note. */
  function lastDrawn(ts: string, posted: Block[]): Block[] {
    const writes = s.api.callsTo('chat.update').filter((c: RecordedCall) => c.body.ts === ts && !String(c.body.text).includes('working…'));
    return (writes.at(-1)?.body.blocks as Block[] | undefined) ?? posted;
  }

  function press(ts: string, blocks: Block[], actionId: string) {
    const value = buttonOf(blocks, actionId)?.value;
    if (!value) throw new Error(`no button ${actionId} on the card`);
    return blockAction(s.base, SIGNING_SECRET, blockActionPayload({ user: 'UA', messageTs: ts, messageBlocks: blocks, actionId, value, responseUrl: s.api.responseUrl('/press') }));
  }

  /** The card as last drawn, once it offers `actionId`. */
  function drawnOffering(card: { ts: string; blocks: Block[] }, actionId: string, what: string): Promise<Block[]> {
    return waitUntil(what, () => {
      const drawn = lastDrawn(card.ts, card.blocks);
      return buttonOf(drawn, actionId) ? drawn : undefined;
    });
  }

  /** Hold pressed on the card as posted: the held card as drawn, the app idle and the PBX's request log emptied. */
  async function heldCard(card: { ts: string; blocks: Block[] }): Promise<Block[]> {
    await press(card.ts, card.blocks, 'call.hold.01');
    const held = await drawnOffering(card, 'call.resume.01', 'the held card');
    await s.slack.idle();
    s.sandbox.requests.length = 0;
    return held;
  }

  /** A stale press or form is told privately that nothing was sent and what the call (on hold) does now; nothing reached VoipNow. */
  async function toldNothingSent(says: string): Promise<void> {
    const told = await s.api.waitFor('response_url', (c) => String(c.body.text).includes(says));
    expect(told.body.response_type).toBe('ephemeral');
    expect(String(told.body.text)).toContain('nothing was sent to VoipNow');
    expect(String(told.body.text)).toMatch(/The call now: .*on hold/);
    await s.slack.idle();
    expect(uapiRequests()).toEqual([]);
  }

  /** Paces presses: resolves once the clock reaches `at` (the presses' schedule, not a wait for the app). */
  const reach = (at: number) => waitUntil('the next press of the schedule', () => Date.now() >= at, { intervalMs: 2 });

  it('every button of a card carries the version it was drawn at, and the version goes up with each state', async () => {
    const card = await postCard();
    const version = (blocks: Block[], actionId: string) => (JSON.parse(buttonOf(blocks, actionId)!.value!) as { version?: number }).version;
    expect(version(card.blocks, 'call.hold.01')).toBe(1);
    expect(version(card.blocks, 'call.refresh')).toBe(1);
    expect(JSON.parse(buttonOf(card.blocks, 'call.hold.01')!.value!)).toEqual({ call: CALL, extension: '0003*210', view: '01', version: 1 });
    await press(card.ts, card.blocks, 'call.hold.01');
    const held = await drawnOffering(card, 'call.resume.01', 'the held card');
    expect(version(held, 'call.resume.01')).toBe(2);
    expect(version(held, 'call.hangup')).toBe(2);
  });

  it('20 presses of one button over one second: exactly one PUT, every other press told privately', async () => {
    const card = await postCard();
    const start = Date.now();
    const answers: Array<ReturnType<typeof press>> = [];
    for (let i = 0; i < 20; i++) {
      await reach(start + i * 50);
      answers.push(press(card.ts, card.blocks, 'call.hold.01'));
    }
    const results = await Promise.all(answers);
    await s.slack.idle();
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(Date.now() - start).toBeGreaterThanOrEqual(950);
    expect(puts()).toHaveLength(1);
    expect(s.sandbox.world.calls.get(CALL)!.views[0]!.holder).toBe(1);
    const refused = replies().filter((t) => /already running or done|older version of this card/.test(t));
    expect(refused).toHaveLength(19);
  });

  it('40 alternating Hold/Resume presses 150 ms apart, each on the card as last drawn: 40 PUTs, all answered', async () => {
    const card = await postCard();
    let next = Date.now();
    const answers: Array<ReturnType<typeof press>> = [];
    for (let i = 0; i < 40; i++) {
      const actionId = i % 2 === 0 ? 'call.hold.01' : 'call.resume.01';
      // The card as the user sees it once the previous press was drawn: it offers this button.
      const blocks = await drawnOffering(card, actionId, `the card offering ${actionId} (press ${i + 1})`);
      await reach(next);
      next = Date.now() + 150;
      answers.push(press(card.ts, blocks, actionId));
    }
    const results = await Promise.all(answers);
    await s.slack.idle();
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(puts()).toHaveLength(40);
    expect(puts().map((r) => (r.body as { action: string }).action)).toEqual(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'OnHold' : 'OffHold')));
    expect(puts().every((r) => r.status === 202)).toBe(true);
    // Nothing was refused, and the last press was drawn: the call is off hold and the card offers Hold.
    expect(replies().filter((t) => /already running|older version|out of date/.test(t))).toEqual([]);
    expect(s.sandbox.world.calls.get(CALL)!.views[0]!.holder).toBeUndefined();
    expect(buttonOf(lastDrawn(card.ts, card.blocks), 'call.hold.01')).toBeDefined();
  }, 60_000);

  it('a press of an older version sends nothing to VoipNow and says what the call is doing now; the current card takes the next press', async () => {
    const card = await postCard();
    const held = await heldCard(card);
    // Park on the card as it was first drawn: the call is on hold now.
    await press(card.ts, card.blocks, 'call.park.01');
    await toldNothingSent('older version of this card');
    // The card as drawn now takes its next press.
    await press(card.ts, held, 'call.resume.01');
    await waitUntil('the Resume PUT', () => puts().length === 1);
    expect(puts()[0]!.body).toMatchObject({ action: 'OffHold' });
  });

  /** Opens the Whisper modal from the card drawn as `blocks`; submitting it whispers to 0003*024. */
  async function openWhisper(ts: string, blocks: Block[]): Promise<() => ReturnType<typeof viewSubmission>> {
    const opens = s.api.callsTo('views.open').length;
    await press(ts, blocks, 'call.whisper.01');
    const opened = await waitUntil('the Whisper modal', () => s.api.callsTo('views.open')[opens]);
    const view = opened.body.view as { private_metadata: string };
    return () =>
      viewSubmission(
        s.base,
        SIGNING_SECRET,
        viewSubmissionPayload({ user: 'UA', callbackId: 'call.modal', privateMetadata: view.private_metadata, values: { to: { value: { type: 'plain_text_input', value: '0003*024' } } } }),
      );
  }

  it('a modal submitted after its card moved on sends nothing to VoipNow and says what the call is doing now; one opened from the card as it is runs', async () => {
    const card = await postCard();
    const submitStale = await openWhisper(card.ts, card.blocks);
    // While the form is open, the card is drawn with a newer state (the call put on hold).
    const held = await heldCard(card);

    expect((await submitStale()).status).toBe(200);
    await toldNothingSent('changed while the form was open');

    // Off hold again: the same form opened from the card as drawn now whispers.
    await press(card.ts, held, 'call.resume.01');
    const talking = await waitUntil('the card off hold', () => {
      const drawn = lastDrawn(card.ts, card.blocks);
      return buttonOf(drawn, 'call.whisper.01') && drawn !== held ? drawn : undefined;
    });
    await s.slack.idle();
    s.sandbox.requests.length = 0;
    const submit = await openWhisper(card.ts, talking);
    expect((await submit()).status).toBe(200);
    await waitUntil('the Whisper PUT', () => puts().length === 1 || undefined);
    expect(puts()[0]!.body).toMatchObject({ action: 'Whisper', sendCallTo: '0003*024' });
  });
});
