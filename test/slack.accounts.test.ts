/**
 * Accounts, permissions and keeping cards current, end to end through the real
 * Bolt app (signed requests in, sandbox PBX and recorded Web API calls out).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/sandbox/server.js';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { blockAction, blockActionPayload, slashCommand, viewSubmission, viewSubmissionPayload } from './helpers/signed.js';

const CALL = SEED_IDS.seedCall;
let s: Stack;

beforeAll(async () => {
  s = await startStack({ supervisors: ['UA'] });
});
afterAll(async () => {
  await s.close();
});
beforeEach(async () => {
  // The previous test's card syncs finish, and its ring follow-ups stop, before this one starts from clean state.
  await s.slack.idle();
  s.slack.deps.followUp.close();
  s.sandbox.reset();
  s.sandbox.requests.length = 0;
  s.api.clearCalls();
});

const uapi = () => s.sandbox.requests.filter((r) => r.path.startsWith('/uapi/'));
const command = (user: string, text: string, channel = 'C1') =>
  slashCommand(s.base, SIGNING_SECRET, { user_id: user, text, channel_id: channel, response_url: s.api.responseUrl(`/cmd/${user}/${channel}`) });

describe('tokens', () => {
  it('an expired token is refreshed once, transparently, and the new one is stored', async () => {
    const t = s.sandbox.issueToken('12', 1);
    await s.slack.deps.accounts.link({ teamId: 'T1', userId: 'UEXP' }, { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: new Date(Date.now() - 1000) });
    await command('UEXP', `post 0003*210 ${CALL}`);
    await s.api.waitFor('chat.postMessage');
    const stored = await s.store.getLinkedAccount('T1', 'UEXP');
    expect(stored!.accessToken).not.toBe(t.accessToken);
    expect(stored!.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(s.sandbox.requests.filter((r) => r.path === '/oauth/token.php')).toHaveLength(1);
    expect(uapi().map((r) => r.userId)).toEqual(['12']);
  });

  it('when the refresh is refused the user is asked to link again, and nothing else is sent', async () => {
    await s.slack.deps.accounts.link({ teamId: 'T1', userId: 'UDEAD' }, { accessToken: 'revoked', refreshToken: 'revoked-too', expiresAt: new Date(Date.now() - 1000) });
    await command('UDEAD', `hold 0003*210 ${CALL}`);
    const reply = await s.api.waitFor('response_url', (c) => String(c.body.text).includes('Link your account again'));
    expect(reply.body.response_type).toBe('ephemeral');
    expect(uapi()).toHaveLength(0);
  });

  it('unlink deletes the link; whoami tells', async () => {
    await s.link('UGONE', '12', '0003*210');
    expect(((await command('UGONE', 'whoami')).json as { text: string }).text).toMatch(/linked to VoipNow .* with extension `0003\*210`/);
    expect(((await command('UGONE', 'unlink')).json as { text: string }).text).toMatch(/unlinked/);
    expect(await s.store.getLinkedAccount('T1', 'UGONE')).toBeUndefined();
    expect(((await command('UGONE', 'whoami')).json as { text: string }).text).toMatch(/No VoipNow account is linked/);
  });
});

describe('roles from the action table', () => {
  it('whisper is for supervisors: others get a private refusal and nothing is sent', async () => {
    await s.link('UA', '12');
    await s.link('UB', '12');
    const res = await command('UB', `whisper 0003*210 ${CALL} to 0003*024`);
    expect((res.json as { text: string }).text).toMatch(/Only supervisors may whisper/);
    expect(uapi()).toHaveLength(0);
    await command('UA', `whisper 0003*210 ${CALL} to 0003*024`);
    await s.api.waitFor('chat.postMessage');
    expect(uapi().find((r) => r.method === 'PUT')!.body).toMatchObject({ action: 'Whisper', sendCallTo: '0003*024' });
  });
});

describe('cards stay current', () => {
  it('an action on a call updates every other card showing it', async () => {
    await s.slack.idle(); // the previous test's ring follow-up must not update this test's cards
    await s.link('UA', '12');
    const posted: string[] = [];
    const undo = s.api.respondWith('chat.postMessage', (_c, d) => {
      const a = d();
      posted.push(String(a.ts));
      return a;
    });
    await command('UA', `post 0003*210 ${CALL}`, 'C1');
    await s.api.waitFor('chat.postMessage', (c) => c.body.channel === 'C1');
    await command('UA', `post 0003*210 ${CALL}`, 'C2');
    await s.api.waitFor('chat.postMessage', (c) => c.body.channel === 'C2');
    await command('UA', `hold 0003*210 ${CALL}`, 'C3');
    // The update that shows the new state (not an earlier sync of the same card).
    const held = (c: { body: Record<string, unknown> }) => JSON.stringify(c.body.blocks).includes('<@UA> put the call on hold');
    const other = await s.api.waitFor('chat.update', (c) => c.body.channel === 'C1' && c.body.ts === posted[0] && held(c));
    expect(JSON.stringify(other.body.blocks)).toContain('on hold');
    await s.api.waitFor('chat.update', (c) => c.body.channel === 'C2' && c.body.ts === posted[1] && held(c));
    undo();
  });
});

describe('editing a call event in a modal', () => {
  it('`events update` without changes opens the modal; saving sends the seed update', async () => {
    await s.link('UA', '12');
    await command('UA', `events update 0003*210 0 ${SEED_IDS.seedEvent}`);
    // The modal opens at once with a loading note, then is filled in when VoipNow answers.
    await s.api.waitFor('views.open');
    const filled = await s.api.waitFor('views.update');
    const view = filled.body.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('event.modal');
    const submit = (url: string) =>
      viewSubmission(
        s.base,
        SIGNING_SECRET,
        viewSubmissionPayload({
          user: 'UA',
          callbackId: 'event.modal',
          privateMetadata: view.private_metadata,
          values: {
            url: { value: { type: 'plain_text_input', value: url } },
            method: { value: { type: 'static_select', selected_option: { value: '1' } } },
            status: { value: { type: 'static_select', selected_option: { value: '1' } } },
            note: { value: { type: 'plain_text_input', value: 'I want to use POST for my event' } },
          },
        }),
      );
    const bad = await submit('not a url');
    expect((bad.json as { errors: Record<string, string> }).errors.url).toMatch(/not a web address/);
    await submit('http://myevent.com/SaveMyPhoneCallDetails');
    const done = await s.api.waitFor('chat.postEphemeral', (c) => String(c.body.text).includes('Updated call event'));
    expect(done.body).toMatchObject({ channel: 'C1', user: 'UA' });
    expect(uapi().find((r) => r.method === 'PUT')).toMatchObject({
      path: `/uapi/extensions/@me/0003*210/phoneCallEvents/0/${SEED_IDS.seedEvent}`,
      body: { url: 'http://myevent.com/SaveMyPhoneCallDetails', method: '1', status: '1', note: 'I want to use POST for my event' },
    });
  });

  it('the Edit button of an event list opens the same modal', async () => {
    await s.link('UA', '12');
    await blockAction(
      s.base,
      SIGNING_SECRET,
      blockActionPayload({
        user: 'UA',
        messageTs: '1.1',
        actionId: `event.edit.${SEED_IDS.seedEvent}`,
        value: JSON.stringify({ e: '0003*210', t: 0, id: SEED_IDS.seedEvent }),
        responseUrl: s.api.responseUrl('/edit'),
      }),
    );
    await s.api.waitFor('views.open');
    const filled = await s.api.waitFor('views.update');
    expect(JSON.stringify(filled.body.view)).toContain('http://myevent.example');
  });
});

describe('npm start without configuration', () => {
  it('stops with one message naming each missing variable and suggesting the console', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SLACK_|VOIPNOW_|PORT$|PUBLIC_URL$)/.test(k)));
    let out = { code: 0, stderr: '' };
    try {
      await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env, timeout: 20_000 });
    } catch (err) {
      out = err as { code: number; stderr: string };
    }
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('callops cannot start');
    expect(out.stderr).toMatch(/SLACK_BOT_TOKEN is required/);
    expect(out.stderr).toMatch(/SLACK_SIGNING_SECRET is required when SLACK_APP_TOKEN is not set/);
    expect(out.stderr).toContain('npm run console');
    expect(out.stderr).not.toMatch(/\bat .*:\d+:\d+/);
  });
});
