/**
 * No request ends the process: correctly signed requests with malformed bodies
 * (a JSON `null` made Bolt throw `Cannot read properties of null (reading
 * 'ssl_check')` in an unhandled rejection) get 400 before Bolt, timestamps
 * more than five minutes away either way get 401, and the app keeps answering.
 * The same for a Socket Mode envelope with a null payload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { FORM, JSON_TYPE, formEncode, sendSigned, slashCommand } from './helpers/signed.js';

describe('malformed Slack requests over HTTP', () => {
  let s: Stack;
  const logs: string[] = [];
  beforeAll(async () => {
    s = await startStack({ logLines: logs });
  });
  afterAll(async () => {
    await s.close();
  });

  const cases: [string, string, string][] = [
    ['JSON null', 'null', JSON_TYPE],
    ['JSON array', '[]', JSON_TYPE],
    ['JSON number', '42', JSON_TYPE],
    ['JSON string', '"hello"', JSON_TYPE],
    ['bad JSON', '{"type":', JSON_TYPE],
    ['empty body', '', JSON_TYPE],
    ['form payload=null', formEncode({ payload: 'null' }), FORM],
    ['form payload=[1]', formEncode({ payload: '[1]' }), FORM],
    ['form payload=7', formEncode({ payload: '7' }), FORM],
    ['form payload of bad JSON', formEncode({ payload: '{oops' }), FORM],
    ['form payload given twice', 'payload=%7B%7D&payload=%7B%7D', FORM],
    ['null under another content type', 'null', 'text/plain'],
    ['null with a charset suffix', 'null', 'application/x-www-form-urlencoded; charset=utf-8'],
  ];
  for (const [name, body, type] of cases) {
    it(`${name}: 400, and the app still answers`, async () => {
      const res = await sendSigned(s.base, SIGNING_SECRET, body, type);
      expect(res.status).toBe(400);
      const health = await fetch(`${s.base}/healthz`);
      expect(health.status).toBe(200);
    });
  }

  it('after all of them a real command still works, and the refusals were logged', async () => {
    for (const [, body, type] of cases) await sendSigned(s.base, SIGNING_SECRET, body, type);
    const res = await slashCommand(s.base, SIGNING_SECRET, { text: 'help', user_id: 'UA' });
    expect(res.status).toBe(200);
    expect(logs.some((l) => /refused a Slack request: body is null/.test(l))).toBe(true);
  });

  it('a timestamp more than 5 minutes in the future is refused like a stale one', async () => {
    const now = Math.floor(Date.now() / 1000);
    const future = await slashCommand(s.base, SIGNING_SECRET, { text: 'help', user_id: 'UA' }, { timestamp: now + 6 * 60 });
    expect(future.status).toBe(401);
    const stale = await slashCommand(s.base, SIGNING_SECRET, { text: 'help', user_id: 'UA' }, { forge: 'stale-timestamp' });
    expect(stale.status).toBe(401);
    const bad = await slashCommand(s.base, SIGNING_SECRET, { text: 'help', user_id: 'UA' }, { forge: 'bad-signature' });
    expect(bad.status).toBe(401);
    const nearFuture = await slashCommand(s.base, SIGNING_SECRET, { text: 'help', user_id: 'UA' }, { timestamp: now + 60 });
    expect(nearFuture.status).toBe(200);
  });

  it("Slack's unsigned ssl_check, /healthz and the OAuth callback still work", async () => {
    const ssl = await fetch(`${s.base}/slack/events`, { method: 'POST', headers: { 'content-type': FORM }, body: 'ssl_check=1&token=x' });
    expect(ssl.status).toBe(200);
    const cb = await fetch(`${s.base}/oauth/voipnow/callback?state=nope&code=x`);
    expect(cb.status).toBeGreaterThanOrEqual(400);
    expect(cb.status).toBeLessThan(500);
    expect(await cb.text()).toMatch(/callops/);
    const unknown = await fetch(`${s.base}/nowhere`);
    expect(unknown.status).toBe(404);
  });

  it('an unsigned ssl_check carries nothing else to a listener (Bolt does not check signatures again)', async () => {
    const press = {
      type: 'block_actions',
      team: { id: 'T1' },
      user: { id: 'UA', team_id: 'T1' },
      response_url: s.api.responseUrl('/smuggled'),
      actions: [{ type: 'button', action_id: 'call.hold.x', value: 'not a card', action_ts: '1' }],
    };
    const smuggled = formEncode({ ssl_check: '1', payload: JSON.stringify(press) });
    const ssl = await fetch(`${s.base}/slack/events`, { method: 'POST', headers: { 'content-type': FORM }, body: smuggled });
    expect(ssl.status).toBe(200);
    expect(await ssl.text()).toBe('');
    const unsigned = await fetch(`${s.base}/slack/events`, { method: 'POST', headers: { 'content-type': FORM }, body: formEncode({ command: '/call', text: 'help', user_id: 'UA' }) });
    expect(unsigned.status).toBe(401);
    await s.slack.idle();
    expect(s.api.calls.some((c) => c.path.endsWith('/smuggled'))).toBe(false);
  });
});

describe('malformed Socket Mode envelopes', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ socketMode: true });
  });
  afterAll(async () => {
    await s.close();
  });

  it('an envelope with a null payload is acknowledged and dropped; the app keeps working', async () => {
    const ack = await s.socket!.send({ type: 'events_api', payload: null as unknown as Record<string, unknown>, accepts_response_payload: false });
    expect(ack.envelope_id).toBeTruthy();
    const ack2 = await s.socket!.send({ type: 'events_api', payload: { event: null } as unknown as Record<string, unknown>, accepts_response_payload: false });
    expect(ack2.envelope_id).toBeTruthy();
    const ack3 = await s.socket!.send({ type: 'slash_commands', payload: [] as unknown as Record<string, unknown>, accepts_response_payload: true });
    expect(ack3.envelope_id).toBeTruthy();
    const res = await s.socket!.sendSlashCommand({ text: 'help', user_id: 'UA' });
    expect(JSON.stringify(res.payload)).toMatch(/link/);
  });
});
