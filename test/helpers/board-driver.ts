/**
 * How the board tests drive a stack: /call as a user in the board's channel,
 * the private reply that user gets, and a POST to the sandbox's control API.
 * `stack` is read at each call, so a test file may start a new stack per test.
 */
import { expect } from 'vitest';
import { slashCommand } from './signed.js';
import { SIGNING_SECRET, type Stack } from './stack.js';

export function boardDriver(stack: () => Stack, channel: string) {
  const command = (user: string, text: string) =>
    slashCommand(stack().base, SIGNING_SECRET, { user_id: user, text, channel_id: channel, response_url: stack().api.responseUrl(`/cmd/${user}`) });
  const reply = (user: string, pattern: RegExp) => stack().api.waitFor('response_url', (c) => c.path.endsWith(`/cmd/${user}`) && pattern.test(String(c.body.text)), 8000);
  async function sandboxPost(path: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${stack().sandbox.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, path).toBeLessThan(300);
    return (await res.json()) as Record<string, unknown>;
  }
  return { command, reply, sandboxPost };
}
