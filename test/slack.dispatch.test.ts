/**
 * How a Slack request reaches its listeners. The listeners indexed by kind (a real Bolt App,
 * events handed to its processEvent as a receiver would) run exactly the chains Bolt would
 * have run, with their constraints and errors; through the whole app (signed HTTP), what the
 * gate hands straight to the app is answered as Bolt's receiver answers it; acknowledgements
 * not made in time are given up on; a constant message keeps its JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, type CodedError, ErrorCode } from '@slack/bolt';
import { indexListeners } from '../src/slack/listener-index.js';
import { AckDeadlines } from '../src/slack/http/ack-deadlines.js';
import { constant, jsonOf } from '../src/slack/blocks/constant-json.js';
import { slashCommand, urlVerification } from './helpers/signed.js';
import { SIGNING_SECRET, startStack, type Stack } from './helpers/stack.js';
import { waitUntil } from './helpers/wait.js';

interface Seen {
  ran: string[];
  errors: CodedError[];
}

/** A real Bolt App (never started) with listeners of every kind, indexed. */
function appWithListeners(): { app: App; seen: Seen } {
  const seen: Seen = { ran: [], errors: [] };
  const app = new App({ token: 'xoxb-test', signingSecret: 'unused', botId: 'B1', botUserId: 'UBOT', convoStore: false });
  app.command('/call', async ({ ack }) => {
    seen.ran.push('command /call');
    await ack();
  });
  app.command('/other', async ({ ack }) => {
    seen.ran.push('command /other');
    await ack();
  });
  app.command('/call', async () => void seen.ran.push('command /call, second listener'));
  app.action(/^call\.(\w+)$/, async ({ ack, context }) => {
    seen.ran.push(`action ${String((context.actionIdMatches as string[] | undefined)?.[1])}`);
    await ack();
  });
  app.view('modal', async ({ ack }) => {
    seen.ran.push('view modal');
    await ack();
  });
  app.event('app_home_opened', async () => void seen.ran.push('event app_home_opened'));
  app.command('/fails', async () => {
    throw new Error('one listener failed');
  });
  app.command('/fails-twice', async () => {
    throw new Error('first');
  });
  app.command('/fails-twice', async () => {
    throw new Error('second');
  });
  app.error(async (err) => void seen.errors.push(err));
  indexListeners(app);
  return { app, seen };
}

const acked: string[] = [];
const event = (body: Record<string, unknown>) => ({ body, ack: async (r?: unknown) => void acked.push(JSON.stringify(r ?? null)) });
const command = (name: string) => event({ command: name, text: '', team_id: 'T1', user_id: 'U1', channel_id: 'C1', trigger_id: 't', api_app_id: 'A1' });
const action = (actionId: string) =>
  event({
    type: 'block_actions',
    team: { id: 'T1' },
    user: { id: 'U1', team_id: 'T1' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', action_ts: '1' }],
    api_app_id: 'A1',
  });

describe('listeners indexed by kind', () => {
  it('a command runs every listener of its name and nothing of another kind', async () => {
    const { app, seen } = appWithListeners();
    await app.processEvent(command('/call'));
    expect(seen.ran).toEqual(['command /call', 'command /call, second listener']);
    expect(seen.errors).toEqual([]);
  });

  it("an action runs its listener with the constraint's matches; a view and an event theirs", async () => {
    const { app, seen } = appWithListeners();
    await app.processEvent(action('call.hold'));
    await app.processEvent(action('other.thing'));
    await app.processEvent(event({ type: 'view_submission', team: { id: 'T1' }, user: { id: 'U1', team_id: 'T1' }, view: { id: 'V1', callback_id: 'modal' }, api_app_id: 'A1' }));
    await app.processEvent(event({ type: 'event_callback', team_id: 'T1', api_app_id: 'A1', event: { type: 'app_home_opened', user: 'U1', tab: 'home' } }));
    expect(seen.ran).toEqual(['action hold', 'view modal', 'event app_home_opened']);
  });

  it('one failing listener reaches app.error as it was thrown; two as a MultipleListenerError', async () => {
    const { app, seen } = appWithListeners();
    await app.processEvent(command('/fails'));
    await app.processEvent(command('/fails-twice'));
    expect(seen.errors.map((e) => e.message)).toEqual(['one listener failed', expect.stringContaining('Multiple errors')]);
    expect(seen.errors[1]!.code).toBe(ErrorCode.MultipleListenerError);
    expect((seen.errors[1] as unknown as { originals: Error[] }).originals.map((e) => e.message)).toEqual(['first', 'second']);
  });

  it('a listener registered after the index still runs', async () => {
    const { app, seen } = appWithListeners();
    app.command('/later', async () => void seen.ran.push('command /later'));
    await app.processEvent(command('/later'));
    await app.processEvent(command('/other'));
    expect(seen.ran).toEqual(['command /later', 'command /other']);
  });
});

describe('Slack requests handed from the gate to the app', () => {
  let s: Stack;
  const lines: string[] = [];
  beforeAll(async () => {
    s = await startStack({ logLines: lines });
    await s.link('UA', '12', '0003*210');
    // Listeners that misbehave, registered after the app's own (so Bolt runs them as they are).
    s.slack.app.command('/twice', async ({ ack }) => {
      await ack();
      await ack();
    });
    s.slack.app.command('/never', async () => undefined);
  });
  afterAll(async () => {
    await s.close();
  });

  it('an acknowledgement is answered at once, as JSON with its length (not chunked)', async () => {
    const res = await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: 'help' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect((res.json as { response_type: string }).response_type).toBe('ephemeral');
  });

  it("Slack's url_verification gets its challenge back", async () => {
    const res = await urlVerification(s.base, SIGNING_SECRET, 'the-challenge');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ challenge: 'the-challenge' });
  });

  it('a second ack is refused (the first answer stands) and the error is logged', async () => {
    const res = await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: '', command: '/twice' });
    expect(res.status).toBe(200);
    await waitUntil('the second ack is logged as a listener error', () => lines.some((l) => l.includes('unhandled Slack listener error') && l.includes('ack')), 5000);
  });

  it('a request never acknowledged gets 404 after 3 seconds, as Bolt answers it', async () => {
    const started = Date.now();
    const res = await slashCommand(s.base, SIGNING_SECRET, { user_id: 'UA', text: '', command: '/never' });
    expect(res.status).toBe(404);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
  });
});

describe('acknowledgement deadlines', () => {
  it('requests not acknowledged in time are given up on, in the order they came; acknowledged ones are not', async () => {
    const deadlines = new AckDeadlines(30);
    const expired: string[] = [];
    const request = (name: string) => ({ acknowledged: false, expired: () => void expired.push(name) });
    const a = request('a');
    const b = request('b');
    const c = request('c');
    deadlines.add(a);
    deadlines.add(b);
    deadlines.add(c);
    a.acknowledged = true;
    await waitUntil('b and c are given up on', () => expired.length === 2, 2000);
    expect(expired).toEqual(['b', 'c']);
    const d = request('d');
    deadlines.add(d);
    await waitUntil('d is given up on, the timer set again after it had stopped', () => expired.length === 3, 2000);
    expect(deadlines.size).toBe(0);
  });
});

describe('constant messages', () => {
  it('are frozen all the way down and answer with the JSON they had; anything else is serialized as it is now', () => {
    const message = constant({ text: 'help', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }] });
    expect(jsonOf(message)).toBe(JSON.stringify(message));
    expect(() => {
      (message.blocks[0]!.text as { text: string }).text = 'changed';
    }).toThrow(TypeError);
    const plain = { text: 'a', blocks: [] as string[] };
    expect(jsonOf(plain)).toBe('{"text":"a","blocks":[]}');
    plain.blocks.push('b');
    expect(jsonOf(plain)).toBe('{"text":"a","blocks":["b"]}');
  });
});
