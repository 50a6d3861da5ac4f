/**
 * Slack Connect: in a channel shared with another organisation, only users of
 * the installing workspace act. A foreign user's `/call` and button press are
 * refused privately, and nothing reaches VoipNow.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { blockAction, blockActionPayload, slashCommand } from './helpers/signed.js';

const CH = 'CSHARED';
let s: Stack;

afterEach(async () => {
  await s?.close();
});

const uapiRequests = () => s.sandbox.requests.filter((r) => r.path.startsWith('/uapi/'));

function command(user: string, text: string, teamId: string) {
  return slashCommand(s.base, SIGNING_SECRET, { user_id: user, text, channel_id: CH, team_id: teamId });
}

describe('Slack Connect', () => {
  it("a foreign organisation's /call is refused privately and nothing reaches VoipNow", async () => {
    s = await startStack();
    await s.link('UX', '12', '0003*210');
    const before = uapiRequests().length;
    const res = await command('UX', 'list', 'TFOREIGN');
    expect(res.status).toBe(200);
    expect(res.json as { response_type: string; text: string }).toMatchObject({ response_type: 'ephemeral' });
    expect((res.json as { text: string }).text).toMatch(/not available to you/);
    expect(uapiRequests().length).toBe(before);
  });

  it('an empty team id is refused, never taken for the installing workspace', async () => {
    s = await startStack();
    await s.link('UX', '12', '0003*210');
    const res = await command('UX', 'whoami', '');
    expect((res.json as { text: string }).text).toMatch(/not available to you/);
  });

  it('a user of the installing workspace still runs /call', async () => {
    s = await startStack();
    await s.link('UA', '12', '0003*210');
    const res = await command('UA', 'whoami', 'T1');
    expect((res.json as { text: string }).text).toMatch(/You are linked to VoipNow/);
  });

  it("a foreign user's press on a card is refused privately and nothing reaches VoipNow", async () => {
    s = await startStack();
    await s.link('UX', '12', '0003*210');
    const before = uapiRequests().length;
    const responseUrl = s.api.responseUrl('/press/UX');
    const payload = blockActionPayload({
      user: { id: 'UX', team_id: 'TFOREIGN' },
      channel: CH,
      messageTs: '1700000000.000100',
      actionId: 'call.hold.01',
      value: JSON.stringify({ extension: '0003*210', call: 'b817d2618fe6f1804333' }),
      responseUrl,
    });
    const res = await blockAction(s.base, SIGNING_SECRET, payload);
    expect(res.status).toBe(200);
    const refusal = await s.api.waitFor('response_url', (c) => c.path.endsWith('/press/UX'), 5000);
    expect(String(refusal.body.text)).toMatch(/not available to you/);
    expect(refusal.body.response_type).toBe('ephemeral');
    expect(uapiRequests().length).toBe(before);
  });
});
