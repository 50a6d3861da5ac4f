/**
 * A caller whose SIP display name is a Slack attack (`<!channel>`, a user and
 * a channel mention, a phishing link) reaches no Slack field unescaped, on any
 * surface, through the real app: the board card (text and blocks), its audit
 * thread line, its hold alert, the compact summary, the `/call list`
 * private reply with its call cards, and a call card in the channel (posted,
 * then drawn again after a press). Every string of every
 * recorded Slack API call body is read, and every block is held to Slack's limits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../src/slack/blocks/limits.js';
import { cardsOf, trackPosts } from './helpers/board.js';
import { waitUntil } from './helpers/wait.js';
import { boardDriver } from './helpers/board-driver.js';
import type { RecordedCall } from './helpers/slack-api.js';
import { SIGNING_SECRET, startStack, type Stack, type StackOptions } from './helpers/stack.js';
import { blockAction, blockActionPayload } from './helpers/signed.js';

const CH = 'CESCAPE';
const NAME = '<!channel> <@U999> <#C999> <https://evil.example/reset|Verify your account>';
const CALLER_ID = `"${NAME}" <5550666>`;
let s: Stack;

afterEach(async () => {
  await s?.close();
});

const { command, reply, sandboxPost } = boardDriver(() => s, CH);

/** Every string anywhere in a value (nested objects and arrays). */
function stringsOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(stringsOf);
  if (v && typeof v === 'object') return Object.values(v).flatMap(stringsOf);
  return [];
}

/** Markup callops writes itself: date tokens, and mentions of the test's own users. */
const OWN_MARKUP = /<!date\^\d+\^[^|>]*\|[^>]*>|<@U[AB]>/g;

/** Raw Slack markup (a mention or link) in a string, after callops' own tokens are taken out. */
function rawMarkup(text: string): string | undefined {
  return text.replace(OWN_MARKUP, '').match(/<!|<@|<#|<http/)?.[0];
}

type Block = { type: string; block_id?: string; text?: { text?: string }; elements?: Array<{ action_id?: string; value?: string; text?: string | { text?: string } }> };

/** What Slack's Block Kit limits refuse in one message's blocks (empty when none). */
function refusals(blocks: Block[]): string[] {
  const out: string[] = [];
  if (blocks.length > LIMITS.messageBlocks) out.push(`${blocks.length} blocks`);
  const blockIds = blocks.map((b) => b.block_id).filter((x): x is string => x !== undefined);
  if (new Set(blockIds).size !== blockIds.length) out.push('duplicate block_id');
  for (const b of blocks) {
    if (b.block_id && b.block_id.length > LIMITS.blockId) out.push(`block_id of ${b.block_id.length}`);
    if (b.type === 'section' && (b.text?.text ?? '').length > LIMITS.sectionText) out.push('section text too long');
    if (b.type === 'context' && (b.elements?.length ?? 0) > LIMITS.contextElements) out.push('context elements');
    if (b.type === 'actions' && (b.elements?.length ?? 0) > LIMITS.actionsElements) out.push('actions elements');
    const actionIds = (b.elements ?? []).map((e) => e.action_id).filter((x): x is string => x !== undefined);
    if (new Set(actionIds).size !== actionIds.length) out.push('duplicate action_id');
    for (const e of b.elements ?? []) {
      if (e.action_id && e.action_id.length > LIMITS.actionId) out.push('action_id too long');
      if (e.value && e.value.length > LIMITS.buttonValue) out.push('value too long');
      const t = typeof e.text === 'string' ? e.text : e.text?.text;
      if (b.type === 'context' && t && t.length > LIMITS.contextText) out.push('context text too long');
    }
  }
  return out;
}

/** Every recorded Slack call that shows the hostile name, and any raw markup or refused block in any call. */
function audit(calls: RecordedCall[]) {
  const problems: string[] = [];
  for (const c of calls) {
    for (const text of stringsOf(c.body)) {
      const raw = rawMarkup(text);
      if (raw) problems.push(`${c.method}: raw ${raw} in ${JSON.stringify(text.slice(0, 200))}`);
    }
    if (Array.isArray(c.body.blocks)) for (const r of refusals(c.body.blocks as Block[])) problems.push(`${c.method}: ${r}`);
  }
  return problems;
}

const showsName = (c: RecordedCall) => stringsOf(c.body).some((t) => t.includes('Verify your account'));
const posts = () => s.api.calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === CH && !c.rateLimited);

async function boot(opts: StackOptions) {
  s = await startStack({ boardEvents: true, supervisors: ['UA'], ...opts });
  await s.link('UA', '12', '0003*210');
  await command('UA', 'watch 0003*210');
  await reply('UA', /Watching/);
}

describe('a hostile caller name on every Slack surface', () => {
  it('board card, audit line, alert, /call list with its call cards, a channel call card posted and updated: all escaped, all within limits', async () => {
    await boot({
      board: {
        timing: { liveMs: 150, idleMs: 2000, maxBackoffMs: 1000 },
        thresholds: { holdSeconds: 1 },
        budgets: { postsPerSecond: 20, postBurst: 5, updatesPerMinute: 600, updateBurst: 5 },
      },
    });
    const posted = trackPosts(s.api);
    const id = String((await sandboxPost('/_sandbox/calls', { to: '0003*210', from: '5550666', callerId: CALLER_ID })).id);
    await waitUntil('the board card', () => cardsOf(s.api, posted, CH, id).some((m) => JSON.stringify(m).includes('Verify your account')), 10_000);
    await waitUntil('the audit line in its thread', () => posts().some((c) => c.body.thread_ts && /^(ringing|seen \w[\w ]*): /.test(String(c.body.text)) && showsName(c)), 10_000);

    const held = await command('UA', `hold 0003*210 ${id}`);
    expect((held.json as { text: string }).text).toMatch(/Hold: working on call/);
    await waitUntil('the card updated as held', () => s.api.calls.some((c) => c.method === 'chat.update' && /: on hold$/.test(String(c.body.text)) && showsName(c)), 10_000);
    await waitUntil('the hold alert', () => posts().some((c) => /:rotating_light:/.test(String(c.body.text)) && showsName(c)), 10_000);

    await command('UA', 'list 0003*210');
    // The private reply: one call card per live call, the hostile one among them.
    await waitUntil(
      'the private /call list reply with its call cards',
      () => s.api.calls.some((c) => c.method === 'response_url' && /live call/.test(String(c.body.text)) && Array.isArray(c.body.blocks) && showsName(c)),
      10_000,
    );

    // The call card in the channel (`/call post`), and the same card drawn again after a press on it.
    await command('UA', `post 0003*210 ${id}`);
    const isCallCard = (c: RecordedCall) => (Array.isArray(c.body.blocks) ? (c.body.blocks as Block[]) : []).some((b) => b.block_id?.endsWith('.ids'));
    const callCardPost = await waitUntil('the call card in the channel', () => posts().find((c) => isCallCard(c) && showsName(c)), 10_000);
    const cardTs = posted.get(callCardPost.seq)!;
    const blocks = callCardPost.body.blocks as Block[];
    const refresh = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.refresh')!;
    await blockAction(
      s.base,
      SIGNING_SECRET,
      blockActionPayload({ user: 'UA', channel: CH, messageTs: cardTs, messageBlocks: blocks, actionId: 'call.refresh', value: refresh.value!, responseUrl: s.api.responseUrl('/press/UA') }),
    );
    await waitUntil('the call card drawn again', () => s.api.calls.some((c) => c.method === 'chat.update' && c.body.ts === cardTs && isCallCard(c) && showsName(c)), 10_000);

    // The name reached each surface escaped; nothing anywhere is raw markup or refused by Slack.
    expect(s.api.calls.filter(showsName).length).toBeGreaterThanOrEqual(7);
    expect(stringsOf(s.api.calls.map((c) => c.body)).some((t) => t.includes('&lt;!channel&gt;'))).toBe(true);
    expect(audit(s.api.calls)).toEqual([]);
  }, 40_000);

  it('the compact summary of a busy channel: escaped and within limits', async () => {
    await boot({
      slackRateLimits: true,
      board: { timing: { liveMs: 100, idleMs: 1000, maxBackoffMs: 500 }, budgets: { updatesPerMinute: 30, updateBurst: 1, compactBacklog: 4, compactMinMs: 1500 } },
    });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(String((await sandboxPost('/_sandbox/calls', { to: '0003*210', from: `55506${String(i).padStart(2, '0')}`, callerId: CALLER_ID })).id));
    await waitUntil('the board has seen them', () => s.slack.board.board.liveCalls('T1', CH).length >= 14, 15_000);
    for (const id of ids) await sandboxPost(`/_sandbox/calls/${id}/hold`, {}).catch(() => undefined);
    await waitUntil(
      'a compact summary showing the name',
      () => s.api.calls.some((c) => !c.rateLimited && /busy channel: one summary/.test(JSON.stringify(c.body.blocks ?? '')) && showsName(c)),
      20_000,
    );
    expect(audit(s.api.calls)).toEqual([]);
  }, 60_000);
});
