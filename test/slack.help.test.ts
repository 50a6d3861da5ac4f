/**
 * `/call help` in Slack, through the real Bolt app (signed requests in): Block
 * Kit sections grouped by task, `help <command>` details, within Slack's
 * limits, and no link prompt for someone already linked.
 */
import type { KnownBlock } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_ACTIONS } from '../src/calls/actions.js';
import { helpMessage } from '../src/slack/blocks/help.js';
import { waitUntil } from './helpers/wait.js';
import { slashCommand } from './helpers/signed.js';
import { SIGNING_SECRET, startStack, type Stack } from './helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack();
  await s.link('UA', '12', '0003*210');
});
afterAll(async () => {
  await s.close();
});

interface Reply {
  response_type: string;
  text: string;
  blocks: KnownBlock[];
}

async function help(user: string, text: string): Promise<Reply> {
  const res = await slashCommand(s.base, SIGNING_SECRET, { user_id: user, text, response_url: s.api.responseUrl(`/help/${user}`) });
  expect(res.status).toBe(200);
  return res.json as Reply;
}

const sectionTexts = (blocks: KnownBlock[]) => blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
const everyText = (blocks: KnownBlock[]) =>
  blocks.flatMap((b) => [
    ...(b.type === 'section' && b.text ? [b.text.text] : []),
    ...(b.type === 'context' ? b.elements.map((e) => ('text' in e ? e.text : '')) : []),
    ...(b.type === 'header' ? [b.text.text] : []),
  ]);

function withinLimits(blocks: KnownBlock[]): void {
  expect(blocks.length).toBeGreaterThan(0);
  expect(blocks.length).toBeLessThanOrEqual(50);
  for (const t of everyText(blocks)) expect(t.length).toBeLessThanOrEqual(3000);
}

describe('/call help', () => {
  it('is private Block Kit, one section per task, not a code block, and names every command', async () => {
    const r = await help('UA', 'help');
    expect(r.response_type).toBe('ephemeral');
    withinLimits(r.blocks);
    const all = everyText(r.blocks).join('\n');
    expect(all).not.toContain('```');
    const sections = sectionTexts(r.blocks);
    expect(sections.map((t) => t.split('\n')[0])).toEqual([
      '*See calls*',
      '*Handle a call*',
      '*Coach an agent (supervisors)*',
      '*Live call board of a channel (supervisors)*',
      '*Call events*',
      '*Your account*',
    ]);
    const handle = sections[1]!;
    const coach = sections[2]!;
    for (const a of CALL_ACTIONS) {
      expect(a.role === 'supervisor' ? coach : handle).toContain(`\`/call ${a.verb ?? a.name} &lt;`);
      expect(all).toContain(a.summary);
    }
    expect(handle).toContain('put the call on hold');
    expect(sections[0]).toContain('`/call list [extension] [callId]`');
    expect(sections[3]).toContain('`/call watch &lt;extension or queue&gt;');
    expect(sections[5]).toContain('`/call link [your extension]`');
    // Slack's control characters are escaped, so `<extension>` is never read as a link.
    expect(all).not.toMatch(/<(?!!date)[a-z]/);
    expect(all).toContain('`/call help &lt;command&gt;`');
    // The fallback text names every command too (notifications, screen readers).
    for (const a of CALL_ACTIONS) expect(r.text).toContain(`/call ${a.verb ?? a.name}`);
    expect(r.text).toContain('/call events update');
  });

  it('does not tell a linked user to link; asks someone not linked yet just after the help, and nothing reaches VoipNow', async () => {
    const before = s.sandbox.requests.length;
    const linked = await help('UA', 'help');
    expect(`${linked.text} ${everyText(linked.blocks).join(' ')}`).not.toMatch(/\/call link` first|Run `\/call link`/);
    const stranger = await help('UNOBODY', 'help');
    // The acknowledgement is the help itself (it waits for no store read); the link prompt follows privately.
    expect(sectionTexts(stranger.blocks).length).toBeGreaterThan(3);
    const prompt = await waitUntil('the link prompt after the help', () => s.api.calls.find((c) => c.method === 'response_url' && c.path.endsWith('/help/UNOBODY')));
    expect(prompt.body).toMatchObject({ response_type: 'ephemeral', replace_original: false, text: 'Run `/call link` first: callops acts on calls as your own VoipNow user.' });
    await s.slack.idle();
    expect(s.api.calls.some((c) => c.method === 'response_url' && c.path.endsWith('/help/UA'))).toBe(false);
    expect(s.sandbox.requests.length).toBe(before);
  });

  it('help <command> gives the details of one command, aliases included', async () => {
    const r = await help('UA', 'help whisper');
    withinLimits(r.blocks);
    const all = everyText(r.blocks).join('\n');
    expect(all).toContain('`/call whisper &lt;extension&gt; [callId] to &lt;extension&gt; [as "Name &lt;number&gt;"] [wait &lt;seconds&gt;] [private] [view &lt;id&gt;]`');
    expect(all).toContain('Supervisors only.');
    expect(all).toContain('private: the whisperer does not hear the call');
    expect(all).toContain('`/call whisper 0003*210 b817d2618fe6f1804333 to 0003*024 private`');
    expect(all).not.toContain('*Handle a call*');
    const alias = await help('UA', 'help pause');
    expect(everyText(alias.blocks).join('\n')).toContain('`/call hold &lt;extension&gt; [callId] [view &lt;id&gt;]`');
    const hangup = await help('UA', 'help hangup');
    expect(everyText(hangup.blocks).join('\n')).toContain('Asks for confirmation first, typed or pressed on a card.');
    const events = await help('UA', 'help events');
    expect(everyText(events.blocks).join('\n')).toContain('events delete &lt;extension&gt; [type [eventId]]');
    const transfer = await help('UA', 'help transfer');
    expect(everyText(transfer.blocks).join('\n')).toContain('to &lt;extension&gt;: the extension or phone number to send the call to (required)');
  });

  it('an unknown topic says so, escaped, and shows the overview', async () => {
    const r = await help('UA', 'help <!channel>');
    withinLimits(r.blocks);
    expect(sectionTexts(r.blocks)[0]).toBe('There is no command `&lt;!channel&gt;`. Here are all of them.');
    expect(sectionTexts(r.blocks)[1]).toMatch(/^\*See calls\*/);
  });

  it('is built once per topic and reused', () => {
    expect(helpMessage()).toBe(helpMessage());
    expect(helpMessage('hold')).toBe(helpMessage('pause'));
    expect(helpMessage('hold')).not.toBe(helpMessage());
  });
});
