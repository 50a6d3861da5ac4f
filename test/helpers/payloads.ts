/**
 * Builders for the bodies Slack sends to an app: slash commands, block_actions,
 * view_submission and event_callback. Shared by the HTTP helper (signed.ts) and
 * the Socket Mode helper (socket-mode.ts), so both transports carry the same
 * shapes. The shapes follow what Slack really sends (field names, string-typed
 * slash command fields, `team`/`user` objects in interactive payloads,
 * `authorizations` in event callbacks) so Bolt routes them exactly as in
 * production.
 */
import { randomBytes } from 'node:crypto';

/** Defaults that match the recording Slack API (slack-api.ts): team T1, bot UBOT/BBOT. */
export const TEST_TEAM = { id: 'T1', domain: 'callops-test' } as const;
export const TEST_APP_ID = 'A1';
export const TEST_BOT_USER_ID = 'UBOT';
export const TEST_BOT_ID = 'BBOT';
export const TEST_CHANNEL = { id: 'C1', name: 'calls' } as const;
/** The legacy verification token Slack still puts in every body (Bolt ignores it). */
export const VERIFICATION_TOKEN = 'verification-token';

let seq = 0;
function next(): number {
  seq += 1;
  return seq;
}

/** A trigger_id shaped like Slack's: `<digits>.<digits>.<32 hex>`. */
export function newTriggerId(): string {
  return `${Date.now()}${next()}.1000000001.${randomBytes(16).toString('hex')}`;
}

/** A message timestamp shaped like Slack's ('1700000000.000100'). */
export function newTs(): string {
  const n = next();
  return `${1_700_000_000 + Math.floor(n / 1_000_000)}.${String(n % 1_000_000).padStart(6, '0')}`;
}

/** A response_url that points nowhere useful; pass `slackApi.responseUrl()` to record posts to it. */
export function fakeResponseUrl(teamId: string = TEST_TEAM.id): string {
  return `https://hooks.slack.com/commands/${teamId}/${next()}/${randomBytes(12).toString('hex')}`;
}

export type TeamRef = string | { id: string; domain?: string };
export type UserRef = string | { id: string; username?: string; name?: string; team_id?: string };
export type ChannelRef = string | { id: string; name?: string };

export function teamObject(team: TeamRef | undefined): { id: string; domain: string } {
  if (team === undefined) return { ...TEST_TEAM };
  if (typeof team === 'string') return { id: team, domain: team === TEST_TEAM.id ? TEST_TEAM.domain : team.toLowerCase() };
  return { id: team.id, domain: team.domain ?? team.id.toLowerCase() };
}

export function userObject(user: UserRef, teamId: string): { id: string; username: string; name: string; team_id: string } {
  if (typeof user === 'string') return { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: teamId };
  const username = user.username ?? user.name ?? user.id.toLowerCase();
  return { id: user.id, username, name: user.name ?? username, team_id: user.team_id ?? teamId };
}

export function channelObject(channel: ChannelRef | undefined): { id: string; name: string } {
  if (channel === undefined) return { ...TEST_CHANNEL };
  if (typeof channel === 'string') return { id: channel, name: channel === TEST_CHANNEL.id ? TEST_CHANNEL.name : channel.toLowerCase() };
  return { id: channel.id, name: channel.name ?? channel.id.toLowerCase() };
}

// ---------------------------------------------------------------- slash command

export interface SlashCommandFields {
  command?: string;
  text: string;
  user_id: string;
  user_name?: string;
  team_id?: string;
  team_domain?: string;
  channel_id?: string;
  channel_name?: string;
  response_url?: string;
  trigger_id?: string;
  api_app_id?: string;
  enterprise_id?: string;
  enterprise_name?: string;
  /** Any other field is sent as-is (stringified). */
  [extra: string]: string | number | boolean | undefined;
}

/**
 * The fields of a slash command, exactly as Slack form-encodes them (every value a
 * string). Socket Mode's `slash_commands` envelope carries the same object as JSON.
 */
export function slashCommandBody(fields: SlashCommandFields): Record<string, string> {
  const teamId = fields.team_id ?? TEST_TEAM.id;
  const channelId = fields.channel_id ?? TEST_CHANNEL.id;
  const base: Record<string, string | number | boolean | undefined> = {
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    team_domain: fields.team_domain ?? teamObject(teamId).domain,
    channel_id: channelId,
    channel_name: fields.channel_name ?? channelObject(channelId).name,
    user_id: fields.user_id,
    user_name: fields.user_name ?? fields.user_id.toLowerCase(),
    command: fields.command ?? '/call',
    text: fields.text,
    api_app_id: fields.api_app_id ?? TEST_APP_ID,
    is_enterprise_install: 'false',
    response_url: fields.response_url ?? fakeResponseUrl(teamId),
    trigger_id: fields.trigger_id ?? newTriggerId(),
  };
  for (const [k, v] of Object.entries(fields)) {
    if (!(k in base) && v !== undefined) base[k] = v;
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v !== undefined) out[k] = String(v);
  }
  return out;
}

// ---------------------------------------------------------------- block_actions

export interface BlockActionArgs {
  user: UserRef;
  team?: TeamRef;
  channel?: ChannelRef;
  /** ts of the message holding the button. */
  messageTs: string;
  /** Blocks of that message (what Slack echoes back in `message.blocks`). */
  messageBlocks?: unknown[];
  /** Text of that message. */
  messageText?: string;
  actionId: string;
  value?: string;
  blockId?: string;
  /** 'button' by default; for static_select etc. pass `action` to fill the rest. */
  actionType?: string;
  /** Extra fields merged into the action object (e.g. selected_option). */
  action?: Record<string, unknown>;
  responseUrl?: string;
  triggerId?: string;
  /** `state.values` of the message (inputs in the message); {} by default. */
  stateValues?: Record<string, Record<string, unknown>>;
  /** Set when the button sits on an ephemeral message. */
  isEphemeral?: boolean;
}

/** A realistic `type: 'block_actions'` payload for a button clicked on a bot message in a channel. */
export function blockActionPayload(args: BlockActionArgs): Record<string, unknown> {
  const team = teamObject(args.team);
  const user = userObject(args.user, team.id);
  const channel = channelObject(args.channel);
  const blockId = args.blockId ?? findBlockId(args.messageBlocks, args.actionId) ?? `b${next()}`;
  const actionTs = `${Math.floor(Date.now() / 1000)}.${String(next()).padStart(6, '0')}`;
  const action: Record<string, unknown> = {
    action_id: args.actionId,
    block_id: blockId,
    type: args.actionType ?? 'button',
    action_ts: actionTs,
  };
  if ((args.actionType ?? 'button') === 'button') {
    action.text = { type: 'plain_text', text: args.actionId, emoji: true };
  }
  if (args.value !== undefined) action.value = args.value;
  Object.assign(action, args.action ?? {});
  const message: Record<string, unknown> = {
    type: 'message',
    subtype: 'bot_message',
    text: args.messageText ?? '',
    ts: args.messageTs,
    user: TEST_BOT_USER_ID,
    bot_id: TEST_BOT_ID,
    app_id: TEST_APP_ID,
    team: team.id,
  };
  if (args.messageBlocks !== undefined) message.blocks = args.messageBlocks;
  return {
    type: 'block_actions',
    user,
    api_app_id: TEST_APP_ID,
    token: VERIFICATION_TOKEN,
    container: {
      type: 'message',
      message_ts: args.messageTs,
      channel_id: channel.id,
      is_ephemeral: args.isEphemeral ?? false,
    },
    trigger_id: args.triggerId ?? newTriggerId(),
    team,
    enterprise: null,
    is_enterprise_install: false,
    channel,
    message,
    state: { values: args.stateValues ?? {} },
    response_url: args.responseUrl ?? fakeResponseUrl(team.id),
    actions: [action],
  };
}

function findBlockId(blocks: unknown[] | undefined, actionId: string): string | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const b of blocks) {
    if (typeof b !== 'object' || b === null) continue;
    const block = b as { block_id?: unknown; elements?: unknown; accessory?: unknown };
    const elements = [...(Array.isArray(block.elements) ? block.elements : []), ...(block.accessory !== undefined ? [block.accessory] : [])];
    for (const el of elements) {
      if (typeof el === 'object' && el !== null && (el as { action_id?: unknown }).action_id === actionId) {
        return typeof block.block_id === 'string' ? block.block_id : undefined;
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------- view_submission

export type ViewStateValue =
  | { type: 'plain_text_input'; value: string | null }
  | { type: 'checkboxes'; selected_options: Array<{ value: string; text?: { type: 'plain_text' | 'mrkdwn'; text: string } }> }
  | { type: string; [k: string]: unknown };

export interface ViewSubmissionArgs {
  user: UserRef;
  team?: TeamRef;
  callbackId: string;
  privateMetadata?: string;
  /** `view.state.values`: { block_id: { action_id: { type, value | selected_options... } } } */
  values: Record<string, Record<string, ViewStateValue>>;
  viewId?: string;
  blocks?: unknown[];
  title?: string;
  triggerId?: string;
  /** Filled when the modal has `response_url_enabled` inputs. */
  responseUrls?: Array<{ block_id: string; action_id: string; channel_id: string; response_url: string }>;
}

/** A realistic `type: 'view_submission'` payload for a modal. */
export function viewSubmissionPayload(args: ViewSubmissionArgs): Record<string, unknown> {
  const team = teamObject(args.team);
  const user = userObject(args.user, team.id);
  const viewId = args.viewId ?? `V${String(next()).padStart(10, '0')}`;
  const values: Record<string, Record<string, unknown>> = {};
  for (const [blockId, actions] of Object.entries(args.values)) {
    values[blockId] = {};
    for (const [actionId, v] of Object.entries(actions)) {
      const entry: Record<string, unknown> = { ...v };
      if (v.type === 'checkboxes' && Array.isArray(entry.selected_options)) {
        entry.selected_options = (entry.selected_options as Array<Record<string, unknown>>).map((o) => ({
          text: { type: 'plain_text', text: String(o.value), emoji: true },
          ...o,
        }));
      }
      (values[blockId] as Record<string, unknown>)[actionId] = entry;
    }
  }
  return {
    type: 'view_submission',
    team,
    user,
    api_app_id: TEST_APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: args.triggerId ?? newTriggerId(),
    view: {
      id: viewId,
      team_id: team.id,
      type: 'modal',
      blocks: args.blocks ?? [],
      private_metadata: args.privateMetadata ?? '',
      callback_id: args.callbackId,
      state: { values },
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString('hex')}`,
      title: { type: 'plain_text', text: args.title ?? 'Callops', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: { type: 'plain_text', text: 'Cancel', emoji: true },
      submit: { type: 'plain_text', text: 'Submit', emoji: true },
      previous_view_id: null,
      root_view_id: viewId,
      app_id: TEST_APP_ID,
      external_id: '',
      app_installed_team_id: team.id,
      bot_id: TEST_BOT_ID,
    },
    response_urls: args.responseUrls ?? [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

// ---------------------------------------------------------------- event_callback

/**
 * The outer `event_callback` body around an event (e.g. `{type:'app_home_opened', user, channel, tab:'home'}`).
 * `event_ts` is filled in when missing; `authorizations` names the bot, as Slack does.
 */
export function eventCallbackBody(event: Record<string, unknown>, team?: TeamRef): Record<string, unknown> {
  const t = teamObject(team);
  const now = Math.floor(Date.now() / 1000);
  const ev: Record<string, unknown> = { ...event };
  if (ev.event_ts === undefined) ev.event_ts = `${now}.${String(next()).padStart(6, '0')}`;
  return {
    token: VERIFICATION_TOKEN,
    team_id: t.id,
    context_team_id: t.id,
    context_enterprise_id: null,
    api_app_id: TEST_APP_ID,
    event: ev,
    type: 'event_callback',
    event_id: `Ev${String(next()).padStart(10, '0')}`,
    event_time: now,
    authorizations: [{ enterprise_id: null, team_id: t.id, user_id: TEST_BOT_USER_ID, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${randomBytes(12).toString('hex')}`,
  };
}

// ---------------------------------------------------------------- message shortcut

export interface MessageShortcutArgs {
  user: UserRef;
  team?: TeamRef;
  channel?: ChannelRef;
  callbackId: string;
  /** The message the shortcut was used on. */
  messageText: string;
  messageTs?: string;
  triggerId?: string;
}

/** A realistic `type: 'message_action'` payload (a message shortcut). */
export function messageShortcutPayload(args: MessageShortcutArgs): Record<string, unknown> {
  const team = teamObject(args.team);
  const user = userObject(args.user, team.id);
  const ts = args.messageTs ?? newTs();
  return {
    type: 'message_action',
    token: VERIFICATION_TOKEN,
    action_ts: `${Math.floor(Date.now() / 1000)}.${String(next()).padStart(6, '0')}`,
    team,
    user,
    channel: channelObject(args.channel),
    is_enterprise_install: false,
    enterprise: null,
    callback_id: args.callbackId,
    trigger_id: args.triggerId ?? newTriggerId(),
    response_url: fakeResponseUrl(team.id),
    message_ts: ts,
    message: { type: 'message', user: 'UOTHER', ts, text: args.messageText },
  };
}
