/**
 * Supervisors on the board: who may watch and whisper (SUPERVISOR_USER_IDS, or
 * a Slack user group kept current by subteam_members_changed), and escalation
 * replies that mention them, once per episode.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, SIGNING_SECRET, type Stack, type StackOptions } from './helpers/stack.js';
import { blockAction, blockActionPayload, eventCallback } from './helpers/signed.js';
import { cardsOf, trackPosts } from './helpers/board.js';
import { waitUntil } from './helpers/wait.js';
import { boardDriver } from './helpers/board-driver.js';

const CH = 'CBOARD3';
let s: Stack;
let posted: Map<number, string>;
const SEED_CALL = 'b817d2618fe6f1804333';

afterEach(async () => {
  await s?.close();
});

async function boot(opts: StackOptions) {
  s = await startStack({
    boardEvents: true,
    board: { timing: { liveMs: 150, idleMs: 2000, maxBackoffMs: 1000 }, budgets: { postsPerSecond: 20, postBurst: 5, updatesPerMinute: 600, updateBurst: 5 } },
    ...opts,
  });
  posted = trackPosts(s.api);
  await s.link('UA', '12', '0003*210');
  await s.link('UB', '13', '0003*024');
}

const { command, reply } = boardDriver(() => s, CH);
const uapiWrites = () => s.sandbox.requests.filter((r) => r.path.startsWith('/uapi/') && r.method !== 'GET');
const alerts = () => s.api.calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === CH && /:rotating_light:/.test(String(c.body.text ?? '')) && !c.rateLimited);

/** UA (a supervisor) watches 0003*210 with a hold alert after `holdSeconds`; the seed call's card is posted, then held at the desk phone. */
async function seedCallHeldOnBoard(holdSeconds: number) {
  await boot({
    supervisors: ['UA'],
    board: {
      timing: { liveMs: 150, idleMs: 2000, maxBackoffMs: 1000 },
      thresholds: { holdSeconds },
      budgets: { postsPerSecond: 20, postBurst: 5, updatesPerMinute: 600, updateBurst: 5 },
    },
  });
  await command('UA', 'watch 0003*210');
  await reply('UA', /Watching/);
  const card = await waitUntil('seed call card', () => cardsOf(s.api, posted, CH, SEED_CALL)[0]);
  const res = await fetch(`${s.sandbox.url}/_sandbox/calls/${SEED_CALL}/hold`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(200);
  return card;
}

describe('supervisors on the board', () => {
  it('a non-supervisor can neither set a watch nor whisper from a board card; nothing reaches VoipNow', async () => {
    await boot({ supervisors: ['UA'] });
    const refused = await command('UB', 'watch 0003*024');
    expect((refused.json as { text: string }).text).toMatch(/Only supervisors may watch.*SUPERVISOR_USER_IDS/);
    expect(await s.store.listWatchesForChannel('T1', CH)).toEqual([]);

    await command('UA', 'watch 0003*210');
    await reply('UA', /Watching/);
    const card = await waitUntil('seed call card', () => cardsOf(s.api, posted, CH, SEED_CALL)[0]);
    const whisper = card.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.whisper.01')!;
    const writes = uapiWrites().length;
    await blockAction(
      s.base,
      SIGNING_SECRET,
      blockActionPayload({
        user: 'UB',
        channel: CH,
        messageTs: card.ts,
        messageBlocks: card.blocks as never,
        actionId: 'call.whisper.01',
        value: whisper.value!,
        responseUrl: s.api.responseUrl('/press/UB'),
      }),
    );
    const answer = await s.api.waitFor('response_url', (c) => c.path.endsWith('/press/UB'), 8000);
    expect(String(answer.body.text)).toMatch(/Only supervisors may whisper/);
    expect(s.api.callsTo('views.open')).toEqual([]);
    expect(uapiWrites().length).toBe(writes);
  });

  it('a supervisor pressing Hold on a board card: the action runs as them and the thread says who did what', async () => {
    await boot({ supervisors: ['UA'] });
    await command('UA', 'watch 0003*210');
    await reply('UA', /Watching/);
    const card = await waitUntil('seed call card', () => cardsOf(s.api, posted, CH, SEED_CALL)[0]);
    const hold = card.blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'call.hold.01')!;
    await blockAction(
      s.base,
      SIGNING_SECRET,
      blockActionPayload({
        user: 'UA',
        channel: CH,
        messageTs: card.ts,
        messageBlocks: card.blocks as never,
        actionId: 'call.hold.01',
        value: hold.value!,
        responseUrl: s.api.responseUrl('/press/UA'),
      }),
    );
    await waitUntil('hold sent as UA', () => uapiWrites().some((r) => r.method === 'PUT' && r.userId === '12'));
    await waitUntil('card shows the hold', () => /on hold/.test(JSON.stringify(cardsOf(s.api, posted, CH, SEED_CALL)[0]!.blocks)));
    await waitUntil('audit line', () => cardsOf(s.api, posted, CH, SEED_CALL)[0]!.thread.some((c) => /<@UA> put on hold the call \(view 01\): done/.test(String(c.body.text))));
  });

  it('hold past the threshold: one thread reply mentioning the supervisors, broadcast at twice it, never more', async () => {
    const card = await seedCallHeldOnBoard(1);
    const first = await waitUntil('first alert', () => alerts()[0]);
    expect(first.body.thread_ts).toBe(card.ts);
    expect(String(first.body.text)).toMatch(/<@UA> :rotating_light: .*on hold for/);
    expect(first.body.reply_broadcast).not.toBe('true');
    const second = await waitUntil('second alert', () => alerts()[1]);
    expect(second.body.reply_broadcast).toBe('true');
    // Several more reads of the same episode raise nothing more.
    const reads = () => s.sandbox.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/uapi/phoneCalls/')).length;
    const after = reads();
    await waitUntil('more reads', () => reads() >= after + 4);
    await s.slack.idle();
    expect(alerts()).toHaveLength(2);
  });

  it('restart in the middle of an episode: the alert already raised is not repeated, the next level still comes', async () => {
    const card = await seedCallHeldOnBoard(3);
    await waitUntil('first alert', () => alerts()[0], 10_000);
    await s.slack.board.board.settled();
    await s.slack.idle();
    await s.restart();
    // Without the episode in the store, the first read after the restart would raise the first level again.
    const second = await waitUntil('second alert', () => alerts()[1], 10_000);
    expect(second.body.reply_broadcast).toBe('true');
    expect(second.body.thread_ts).toBe(card.ts);
    await s.slack.board.board.settled();
    await s.slack.idle();
    expect(alerts()).toHaveLength(2);
  }, 30_000);

  it('BOARD_QUEUES: a call ringing too long alerts on a named queue, not on a phone; /call watching says which are queues', async () => {
    await boot({
      supervisors: ['UA'],
      board: {
        timing: { liveMs: 150, idleMs: 2000, maxBackoffMs: 1000 },
        thresholds: { ringSeconds: 1 },
        queues: ['0003*300'],
        budgets: { postsPerSecond: 20, postBurst: 5, updatesPerMinute: 600, updateBurst: 5 },
      },
    });
    await command('UA', 'watch 0003*300 0003*210');
    await reply('UA', /Watching/);
    const inbound = async (to: string, from: string) => {
      const res = await fetch(`${s.sandbox.url}/_sandbox/calls`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ to, from, autoAnswer: false }) });
      expect(res.status).toBeLessThan(300);
      return ((await res.json()) as { id: string }).id;
    };
    const onPhone = await inbound('0003*210', '5550301');
    const onQueue = await inbound('0003*300', '5550302');
    const phoneCard = await waitUntil('card of the call on the phone', () => cardsOf(s.api, posted, CH, onPhone)[0]);
    const queueCard = await waitUntil('card of the call on the queue', () => cardsOf(s.api, posted, CH, onQueue)[0]);
    const alert = await waitUntil('ring alert on the queue call', () => alerts().find((c) => c.body.thread_ts === queueCard.ts));
    expect(String(alert.body.text)).toMatch(/ringing on queue 0003\*300/);
    // Both calls ring past twice the threshold: the queue's second alert comes, the phone's call never alerts.
    await waitUntil('second ring alert', () => alerts().filter((c) => c.body.thread_ts === queueCard.ts).length === 2);
    expect(s.sandbox.world.calls.get(onPhone)).toBeDefined();
    await s.slack.board.board.settled();
    await s.slack.idle();
    expect(alerts().filter((c) => c.body.thread_ts === phoneCard.ts)).toHaveLength(0);
    const watching = await command('UA', 'watching');
    expect((watching.json as { text: string }).text).toMatch(/Ring alerts .* queues `0003\*300` \(`BOARD_QUEUES`\)/);
  });

  it('SUPERVISOR_GROUP: members read from the user group, kept current by subteam_members_changed; alerts mention the group', async () => {
    await boot({
      supervisorGroup: 'leads',
      board: {
        timing: { liveMs: 150, idleMs: 2000, maxBackoffMs: 1000 },
        thresholds: { holdSeconds: 1 },
        budgets: { postsPerSecond: 20, postBurst: 5, updatesPerMinute: 600, updateBurst: 5 },
      },
    });
    s.api.respondWith('usergroups.list', {
      ok: true,
      usergroups: [
        { id: 'S0OTHER', handle: 'sales' },
        { id: 'S0LEADS', handle: 'leads' },
      ],
    });
    s.api.respondWith('usergroups.users.list', (c) => ({ ok: true, users: c.body.usergroup === 'S0LEADS' ? ['UA'] : [] }));
    expect(((await command('UB', 'watch 0003*024')).json as { text: string }).text).toMatch(/Only supervisors may watch.*user group `leads`/);
    await eventCallback(s.base, SIGNING_SECRET, {
      type: 'subteam_members_changed',
      subteam_id: 'S0LEADS',
      added_users: ['UB'],
      added_users_count: 1,
      removed_users: [],
      removed_users_count: 0,
    });
    await command('UB', 'watch 0003*024');
    await reply('UB', /Watching/);
    expect(s.api.callsTo('usergroups.users.list')).toHaveLength(1); // cached, and the event kept it current
    await fetch(`${s.sandbox.url}/_sandbox/calls/${SEED_CALL}/hold`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    const alert = await waitUntil('alert', () => alerts()[0]);
    expect(String(alert.body.text)).toMatch(/^<!subteam\^S0LEADS> :rotating_light:/);
  });
});
