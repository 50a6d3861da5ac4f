/**
 * Proves the Slack test harness against a real, minimal Bolt App (no project code):
 * signed HTTP requests into Bolt's HTTPReceiver, Socket Mode envelopes over a local
 * WebSocket server, and Web API calls recorded by the local Slack API server.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, LogLevel } from '@slack/bolt';
import { startSlackApi, type SlackApi } from './helpers/slack-api.js';
import { blockAction, blockActionPayload, eventCallback, slashCommand, urlVerification, viewSubmission, viewSubmissionPayload } from './helpers/signed.js';
import { startSocketModeServer, type SocketModeServer } from './helpers/socket-mode.js';

const SECRET = 'test-signing-secret';

describe('harness: HTTP receiver', () => {
  let api: SlackApi;
  let app: App;
  let base: string;
  const seen: string[] = [];

  beforeAll(async () => {
    // The API server must be up before `new App()`: with a token, Bolt calls auth.test in the constructor.
    api = await startSlackApi();
    app = new App({
      signingSecret: SECRET,
      token: 'xoxb-test',
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: api.url, retryConfig: { retries: 0 } },
    });
    app.command('/call', async ({ command, ack, client, respond }) => {
      seen.push(`command:${command.text}`);
      await ack();
      try {
        await client.chat.postMessage({ channel: command.channel_id, text: `dialing ${command.text}` });
      } catch (err) {
        const code = (err as { data?: { error?: string } }).data?.error ?? String(err);
        await respond({ response_type: 'ephemeral', text: `could not post: ${code}` });
      }
    });
    app.action('hangup', async ({ ack, action, body, client }) => {
      seen.push(`action:${(action as { value?: string }).value}`);
      await ack();
      const b = body as { channel?: { id: string }; message?: { ts: string } };
      await client.chat.update({ channel: b.channel?.id ?? '', ts: b.message?.ts ?? '', text: 'hung up' });
    });
    app.view('dial_modal', async ({ ack, view }) => {
      const values = view.state.values;
      const number = values.number_block?.number?.value;
      const opts = values.opts_block?.opts?.selected_options?.map((o) => o.value) ?? [];
      seen.push(`view:${view.private_metadata}:${number}:${opts.join(',')}`);
      if (number === 'bad') {
        await ack({ response_action: 'errors', errors: { number_block: 'not a number' } });
        return;
      }
      await ack();
    });
    app.event('app_home_opened', async ({ event, client }) => {
      seen.push(`home:${event.user}`);
      await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: [] } });
    });
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.stop();
    await api?.close();
  });

  it('calls auth.test with the bot token at startup', async () => {
    const call = await api.waitFor('auth.test');
    expect(call.token).toBe('xoxb-test');
  });

  it('runs a signed slash command and records the chat.postMessage it makes', async () => {
    const res = await slashCommand(base, SECRET, { text: 'hold 0003*210', user_id: 'U1' });
    expect(res.status).toBe(200);
    const call = await api.waitFor('chat.postMessage', (c) => c.body.text === 'dialing hold 0003*210');
    expect(call.token).toBe('xoxb-test');
    expect(call.body.channel).toBe('C1');
    expect(call.contentType).toBe('application/x-www-form-urlencoded');
  });

  it('answers 401 to a wrong signature and never runs the handler', async () => {
    const before = seen.length;
    const res = await slashCommand(base, SECRET, { text: 'forged', user_id: 'U1' }, { forge: 'bad-signature' });
    expect(res.status).toBe(401);
    expect(seen.length).toBe(before);
    expect(seen).not.toContain('command:forged');
  });

  it('answers 401 to a stale timestamp (10 minutes old)', async () => {
    const res = await slashCommand(base, SECRET, { text: 'stale', user_id: 'U1' }, { forge: 'stale-timestamp' });
    expect(res.status).toBe(401);
    expect(seen).not.toContain('command:stale');
  });

  it('respondWith makes chat.postMessage fail; respond() posts to a recorded response_url', async () => {
    const undo = api.respondWith('chat.postMessage', { ok: false, error: 'not_in_channel' }, { times: 1 });
    const responseUrl = api.responseUrl();
    const res = await slashCommand(base, SECRET, { text: 'nochan', user_id: 'U1', response_url: responseUrl });
    expect(res.status).toBe(200);
    const r = await api.waitFor('response_url', (c) => c.path === new URL(responseUrl).pathname);
    expect(r.body).toMatchObject({ response_type: 'ephemeral', text: 'could not post: not_in_channel' });
    undo();
  });

  it('delivers a block action to its handler', async () => {
    const posted = await api.waitFor('chat.postMessage', (c) => c.body.text === 'dialing hold 0003*210');
    const ts = String(posted.body.ts ?? '1700000000.000100');
    const payload = blockActionPayload({
      user: 'U1',
      messageTs: ts,
      messageBlocks: [{ type: 'actions', block_id: 'call_actions', elements: [{ type: 'button', action_id: 'hangup', value: 'call-42' }] }],
      actionId: 'hangup',
      value: 'call-42',
    });
    expect((payload.actions as Array<{ block_id: string }>)[0]?.block_id).toBe('call_actions');
    const res = await blockAction(base, SECRET, payload);
    expect(res.status).toBe(200);
    expect(seen).toContain('action:call-42');
    const update = await api.waitFor('chat.update');
    expect(update.body).toMatchObject({ channel: 'C1', ts, text: 'hung up' });
  });

  it('delivers a view submission and returns the ack body', async () => {
    const ok = await viewSubmission(
      base,
      SECRET,
      viewSubmissionPayload({
        user: 'U1',
        callbackId: 'dial_modal',
        privateMetadata: 'meta-1',
        values: {
          number_block: { number: { type: 'plain_text_input', value: '0003*024' } },
          opts_block: { opts: { type: 'checkboxes', selected_options: [{ value: 'private' }] } },
        },
      }),
    );
    expect(ok.status).toBe(200);
    expect(seen).toContain('view:meta-1:0003*024:private');

    const bad = await viewSubmission(
      base,
      SECRET,
      viewSubmissionPayload({
        user: 'U1',
        callbackId: 'dial_modal',
        values: { number_block: { number: { type: 'plain_text_input', value: 'bad' } } },
      }),
    );
    expect(bad.status).toBe(200);
    expect(bad.json).toEqual({ response_action: 'errors', errors: { number_block: 'not a number' } });
  });

  it('delivers an event callback (app_home_opened → views.publish with a parsed view)', async () => {
    const res = await eventCallback(base, SECRET, { type: 'app_home_opened', user: 'U7', channel: 'D7', tab: 'home' });
    expect(res.status).toBe(200);
    const publish = await api.waitFor('views.publish', (c) => c.body.user_id === 'U7');
    expect(publish.body.view).toEqual({ type: 'home', blocks: [] });
    expect(seen).toContain('home:U7');
  });

  it('answers url_verification', async () => {
    const res = await urlVerification(base, SECRET, 'abc');
    expect(res.json).toEqual({ challenge: 'abc' });
  });
});

describe('harness: Socket Mode', () => {
  let api: SlackApi;
  let socket: SocketModeServer;
  let app: App;
  const seen: string[] = [];

  beforeAll(async () => {
    api = await startSlackApi();
    socket = await startSocketModeServer(api);
    app = new App({
      socketMode: true,
      appToken: 'xapp-test',
      token: 'xoxb-test',
      logLevel: LogLevel.ERROR,
      // Separate objects: the SocketModeClient mutates its clientOptions (sets retryConfig).
      installerOptions: { clientOptions: { slackApiUrl: api.url } },
      clientOptions: { slackApiUrl: api.url, retryConfig: { retries: 0 } },
    });
    app.command('/call', async ({ command, ack, client }) => {
      seen.push(`command:${command.text}`);
      await ack(`on it: ${command.text}`);
      await client.chat.postMessage({ channel: command.channel_id, text: `dialing ${command.text}` });
    });
    app.action('hangup', async ({ ack, action }) => {
      seen.push(`action:${(action as { value?: string }).value}`);
      await ack();
    });
    app.event('app_home_opened', async ({ event }) => {
      seen.push(`home:${event.user}`);
    });
    await app.start();
    await socket.connected();
  });

  afterAll(async () => {
    // Order matters: stop the client first so it does not try to reconnect.
    await app?.stop();
    await socket?.close();
    await api?.close();
  });

  it('opened the connection with the app token', () => {
    const open = api.callsTo('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.token).toBe('xapp-test');
    expect(socket.openConnections()).toBe(1);
  });

  it('acks a slash command envelope and makes the chat.postMessage', async () => {
    const ack = await socket.sendSlashCommand({ text: 'park 0003*210', user_id: 'U1' });
    expect(ack.envelope_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ack.payload).toEqual({ text: 'on it: park 0003*210' });
    const call = await api.waitFor('chat.postMessage', (c) => c.body.text === 'dialing park 0003*210');
    expect(call.token).toBe('xoxb-test');
    expect(seen).toContain('command:park 0003*210');
  });

  it('acks a block action and an event', async () => {
    const a = await socket.sendBlockAction(blockActionPayload({ user: 'U1', messageTs: '1700000000.000100', actionId: 'hangup', value: 'call-7' }));
    expect(a.payload).toEqual({});
    expect(seen).toContain('action:call-7');
    const e = await socket.sendEvent({ type: 'app_home_opened', user: 'U9', channel: 'D9', tab: 'home' });
    expect(e.envelope_id).toBeTruthy();
    await expect.poll(() => seen.includes('home:U9')).toBe(true);
  });
});
