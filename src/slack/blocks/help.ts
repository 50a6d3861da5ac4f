/**
 * `/call help` as Block Kit: one section per task (see calls/help.ts, built
 * from the action table), and `/call help <command>` with the details of one
 * command. The blocks are built once per topic and reused: help never changes
 * while the app runs. Whether to add the link prompt is decided per request.
 */
import type { ContextBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import { LIMITS, clip } from './limits.js';
import { code, escapeMrkdwn } from './mrkdwn.js';
import { constant } from './constant-json.js';
import { HELP_TIPS, helpGroups, helpTopic, type HelpEntry } from '../../calls/help.js';

export interface HelpMessage {
  text: string;
  blocks: KnownBlock[];
}

const PREFIX = '/call ';

const mrkdwn = (text: string): SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text, LIMITS.sectionText) } });
const context = (text: string): ContextBlock => ({ type: 'context', elements: [{ type: 'mrkdwn', text: clip(text, LIMITS.contextText) }] });
const header = (text: string): HeaderBlock => ({ type: 'header', text: { type: 'plain_text', text: clip(text, LIMITS.headerText) } });

function line(e: HelpEntry): string {
  return `${code(PREFIX + e.usage)}\n${e.summary}${e.supervisorsOnly ? ' _(supervisors)_' : ''}`;
}

function overview(): HelpMessage {
  const groups = helpGroups();
  const blocks: KnownBlock[] = [header('callops: control VoipNow calls from Slack')];
  for (const g of groups) blocks.push(mrkdwn([`*${g.title}*`, ...g.entries.map(line)].join('\n')));
  blocks.push(context([...HELP_TIPS.map(escapeMrkdwn), `Details of one command: ${code(`${PREFIX}help <command>`)}, e.g. ${code(`${PREFIX}help whisper`)}.`].join('\n')));
  // The notification and screen-reader text: every command, briefly.
  const text = `/call commands: ${groups.flatMap((g) => g.entries.flatMap((e) => (e.topic === 'events' ? ['list', 'add', 'update', 'delete'].map((v) => `${PREFIX}events ${v}`) : [`${PREFIX}${e.usage.split(/ [<[]/)[0]}`]))).join(', ')}. /call help <command> for details.`;
  return { text, blocks: blocks.slice(0, LIMITS.messageBlocks) };
}

function details(e: HelpEntry): HelpMessage {
  const blocks: KnownBlock[] = [
    mrkdwn(`*${code(PREFIX + e.usage)}*\n${e.summary}.${e.supervisorsOnly ? ' Supervisors only.' : ''}${e.confirms ? ' Asks for confirmation first, typed or pressed on a card.' : ''}`),
  ];
  if (e.details.length) blocks.push(mrkdwn(e.details.map((d) => `• ${escapeMrkdwn(d)}`).join('\n')));
  blocks.push(mrkdwn(`*Example${e.examples.length > 1 ? 's' : ''}*\n${e.examples.map((x) => code(PREFIX + x)).join('\n')}`));
  blocks.push(context(`All commands: ${code(`${PREFIX}help`)}`));
  return { text: `${PREFIX}${e.usage}: ${e.summary}.`, blocks };
}

const cache = new Map<string, HelpMessage>();

/** The help for `topic` (undefined: the overview), built once per topic. Unknown topics get the overview with a note. */
export function helpMessage(topic?: string): HelpMessage {
  const entry = topic ? helpTopic(topic) : undefined;
  const key = entry ? entry.topic : '';
  let message = cache.get(key);
  if (!message) {
    message = entry ? details(entry) : overview();
    cache.set(key, message);
  }
  if (topic && !entry) {
    const note = `There is no command \`${escapeMrkdwn(clip(topic, 50))}\`. Here are all of them.`;
    return { text: `${note} ${message.text}`, blocks: [mrkdwn(note), ...message.blocks].slice(0, LIMITS.messageBlocks) };
  }
  return message;
}

/** What someone not linked yet is told after the help. */
export const LINK_PROMPT = 'Run `/call link` first: callops acts on calls as your own VoipNow user.';

const replies = new WeakMap<HelpMessage, HelpMessage & { response_type: 'ephemeral' }>();

/** The private answer to `/call help`: the help, plus a link prompt for someone not linked yet. */
export function helpReply(topic: string | undefined, linked: boolean): HelpMessage & { response_type: 'ephemeral' } {
  const help = helpMessage(topic);
  if (linked) {
    // The same topic's help is the same answer: built and serialized once (constant-json.ts).
    let reply = replies.get(help);
    if (!reply) {
      reply = constant({ response_type: 'ephemeral' as const, ...help });
      replies.set(help, reply);
    }
    return reply;
  }
  return { response_type: 'ephemeral', text: `${help.text} ${LINK_PROMPT}`, blocks: [...help.blocks, context(LINK_PROMPT)].slice(0, LIMITS.messageBlocks) };
}

/** The link prompt on its own, sent after a help that was acknowledged before the link was looked up. */
export function linkPromptReply(): { response_type: 'ephemeral'; replace_original: false; text: string; blocks: KnownBlock[] } {
  return { response_type: 'ephemeral', replace_original: false, text: LINK_PROMPT, blocks: [context(LINK_PROMPT)] };
}
