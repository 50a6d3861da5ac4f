/**
 * Help, built from the action table so it cannot drift from what the parser
 * accepts: commands grouped by task, and the details of one command. The
 * console prints it as text (`helpFor`); Slack renders the same groups as
 * Block Kit (`slack/blocks/help.ts`).
 */
import { CALL_ACTIONS, PARAM_SYNTAX, findCallAction, usageOf } from './actions.js';
import type { CallActionSpec } from './action-spec.js';

export interface HelpEntry {
  /** The word `help <command>` takes for it: `hold`, `events`, `link`. */
  topic: string;
  /** Without the `/call ` prefix. */
  usage: string;
  summary: string;
  supervisorsOnly?: boolean;
  /** Ends or disrupts a conversation: the card's button asks for confirmation first. */
  confirms?: boolean;
  /** More lines for `help <command>`. */
  details: string[];
  examples: string[];
  /** Slack only (link, unlink, whoami). */
  slackOnly?: boolean;
}

export interface HelpGroup {
  title: string;
  entries: HelpEntry[];
}

const OPTION_WORDS: Record<string, string> = {
  [PARAM_SYNTAX.to]: 'the extension to ring',
  [PARAM_SYNTAX.callerId]: 'the caller ID the rung phone shows',
  [PARAM_SYNTAX.wait]: 'how long to ring before giving up',
  [PARAM_SYNTAX.private]: 'the whisperer does not hear the call, only talks to the agent',
  [PARAM_SYNTAX.parkFor]: 'how long the call may stay parked (10 to 3600, default 180)',
};

function actionEntry(a: CallActionSpec): HelpEntry {
  return {
    topic: a.name,
    usage: usageOf(a),
    summary: a.summary,
    supervisorsOnly: a.role === 'supervisor',
    confirms: a.disruptive,
    details: [
      ...a.params.map((p) => {
        const words = p === 'to' && a.name === 'transfer' ? 'the extension or phone number to send the call to' : (OPTION_WORDS[PARAM_SYNTAX[p]] ?? p);
        return `${PARAM_SYNTAX[p]}: ${words}${a.required.includes(p) ? ' (required)' : ''}`;
      }),
      "Without a call id the extension's only live call is used; without `view` the only view, or the extension's own.",
      ...(a.aliases.length ? [`Also: ${a.aliases.join(', ')}.`] : []),
    ],
    examples: [a.example],
  };
}

const LIST: HelpEntry = {
  topic: 'list',
  usage: 'list [extension] [callId]',
  summary: 'show live calls: all of your extensions, one extension, or one call',
  details: ['A call id alone finds the call on any of your extensions.', 'In Slack the answer is private; each call has a button that posts its card to the channel.'],
  examples: ['list', 'list 0003*210', 'list 0003*210 b817d2618fe6f1804333'],
};

const POST: HelpEntry = {
  topic: 'post',
  usage: 'post <extension> <callId>',
  summary: "post one call's card to the channel, kept current for everyone (what the list's button does)",
  details: ['Also: share.'],
  examples: ['post 0003*210 b817d2618fe6f1804333'],
  slackOnly: true,
};

const EVENTS: HelpEntry = {
  topic: 'events',
  usage: 'events list|add|update|delete <extension> ...',
  summary: "an extension's call events: web addresses VoipNow calls when a call rings, is answered or hangs up",
  details: [
    'events list <extension> [type]',
    'events add <extension> <type> url <url> [method get|post] [note "..."] [status enabled|disabled]',
    'events update <extension> <type> <eventId> [method ...] [note ...] [url ...] [status ...]',
    'events delete <extension> [type [eventId]]',
    'Types: 0 dial-in, 1 dial-out, 2 hangup, 3 answer (incoming), 4 answer (outgoing).',
  ],
  examples: ['events list 0003*210', 'events add 0003*210 2 url https://example.com/hangup method post'],
};

const ACCOUNT: HelpEntry[] = [
  {
    topic: 'link',
    usage: 'link [your extension]',
    summary: 'link your VoipNow account, so callops acts as you',
    details: ['With an extension when already linked: makes it your default extension.'],
    examples: ['link', 'link 0003*210'],
    slackOnly: true,
  },
  { topic: 'unlink', usage: 'unlink', summary: 'unlink your VoipNow account and delete its tokens', details: [], examples: ['unlink'], slackOnly: true },
  { topic: 'whoami', usage: 'whoami', summary: 'show whether and since when you are linked', details: [], examples: ['whoami'], slackOnly: true },
  {
    topic: 'notify',
    usage: 'notify on|off',
    summary: 'a DM with Call back for each call that rang on your extension unanswered (on by default)',
    details: ['Only calls to your linked extension (`/call link <extension>` sets it); none for calls you answered. The switch in App Home does the same.'],
    examples: ['notify off', 'notify on'],
    slackOnly: true,
  },
  {
    topic: 'connect',
    usage: 'connect',
    summary: "connect this workspace's VoipNow server (workspace admins; when callops serves many workspaces)",
    details: ['Opens a form: the server address, the VoipNow app client id and secret, and its CA when it has its own. callops checks them before saving; App Home shows what is set.'],
    examples: ['connect'],
    slackOnly: true,
  },
];

const BOARD: HelpEntry[] = [
  {
    topic: 'watch',
    usage: 'watch <extension or queue>... | @self',
    summary: 'every live call on these extensions gets a card in this channel, kept current, with its audit thread',
    supervisorsOnly: true,
    details: ['The PBX is read with your VoipNow token: VoipNow decides what you may watch.', "Calls on hold, parked or ringing on a queue too long are escalated in the card's thread."],
    examples: ['watch 0003*210 0003*300', 'watch @self'],
    slackOnly: true,
  },
  {
    topic: 'unwatch',
    usage: 'unwatch <extension>...|all',
    summary: 'stop watching, and remove the call events callops registered',
    supervisorsOnly: true,
    details: [],
    examples: ['unwatch 0003*210', 'unwatch all'],
    slackOnly: true,
  },
  { topic: 'watching', usage: 'watching', summary: 'what this channel watches, who set it, since when, and how it is fed', details: [], examples: ['watching'], slackOnly: true },
];

export const HELP_TIPS: readonly string[] = [
  "A call id alone finds the call on any of your extensions; without a call id the extension's only live call is used.",
  'Options also work as key=value or --key value.',
];

/** The commands grouped by what people want to do. */
export function helpGroups(): HelpGroup[] {
  const agent = CALL_ACTIONS.filter((a) => a.role !== 'supervisor').map(actionEntry);
  const supervisor = CALL_ACTIONS.filter((a) => a.role === 'supervisor').map(actionEntry);
  return [
    { title: 'See calls', entries: [LIST, POST] },
    { title: 'Handle a call', entries: agent },
    ...(supervisor.length ? [{ title: 'Coach an agent (supervisors)', entries: supervisor }] : []),
    { title: 'Live call board of a channel (supervisors)', entries: BOARD },
    { title: 'Call events', entries: [EVENTS] },
    { title: 'Your account', entries: ACCOUNT },
  ];
}

/** The entry `help <word>` is about: an action (or one of its aliases), list, events, link, unlink, whoami. */
export function helpTopic(word: string): HelpEntry | undefined {
  const w = word.toLowerCase();
  const action = findCallAction(w);
  if (action) return actionEntry(action);
  for (const g of helpGroups()) for (const e of g.entries) if (e.topic === w) return e;
  return undefined;
}

/** The overview as text lines (the console has no account commands). */
export function helpLines(prefix = '', opts: { slack?: boolean } = {}): string[] {
  const lines: string[] = [];
  for (const g of helpGroups()) {
    const entries = g.entries.filter((e) => opts.slack || !e.slackOnly);
    if (!entries.length) continue;
    lines.push(`${g.title}:`);
    for (const e of entries) lines.push(`  ${prefix}${e.usage}  ${e.summary}`);
  }
  lines.push(...HELP_TIPS.map((t) => `Tip: ${t}`), `Details: ${prefix}help <command>, e.g. ${prefix}help whisper`);
  return lines;
}

// The text depends only on the action table, the topic and the prefix (few of each): built
// once, not on every request (it is on the acknowledgement path of `/call help`).
const built = new Map<string, string>();

/** The details of one command as text, or the overview when the topic is unknown or absent. */
export function helpFor(topic: string | undefined, prefix = ''): string {
  const key = `${prefix}\u0000${topic?.toLowerCase() ?? ''}`;
  let text = built.get(key);
  if (text === undefined) {
    text = renderHelp(topic, prefix);
    if (built.size < 500) built.set(key, text);
  }
  return text;
}

function renderHelp(topic: string | undefined, prefix: string): string {
  const e = topic ? helpTopic(topic) : undefined;
  if (!e) return [...(topic ? [`There is no command \`${topic}\`.`] : []), ...helpLines(prefix)].join('\n');
  return [
    `${prefix}${e.usage}`,
    `  ${e.summary}${e.supervisorsOnly ? ' (supervisors only)' : ''}.`,
    ...(e.confirms ? ["  The card's button asks for confirmation first."] : []),
    ...e.details.map((d) => `  ${d}`),
    ...e.examples.map((x) => `  Example: ${prefix}${x}`),
  ].join('\n');
}
