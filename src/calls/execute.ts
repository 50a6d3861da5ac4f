/**
 * Runs a parsed Command against VoipNow through one user's UapiClient and says
 * what came of it. Shared by the console and the Slack app: the flow is always
 * command -> call action (table) -> UAPI request -> new call state.
 */
import type { UapiClient } from '../uapi/client.js';
import { UapiError } from '../uapi/errors.js';
import type { PhoneCall, PhoneCallEvent, PhoneCallView } from '../uapi/schemas.js';
import { callAction } from './actions.js';
import type { CallActionName } from './action-spec.js';
import { CommandError, type Command } from './command.js';
import { extensionWords } from './describe.js';

export type UapiCommand = Extract<Command, { kind: 'list' | 'show' | 'action' | 'dial' | `events-${string}` }>;

export type Outcome =
  | { kind: 'calls'; extension: string; calls: PhoneCall[] }
  | {
      kind: 'action';
      action: CallActionName;
      extension: string;
      phoneCallId: string;
      viewId?: string;
      /** The call after the action; undefined when it ended (hang up), or when it could not be read back. */
      call: PhoneCall | undefined;
      /**
       * The action rang a phone and the call does not show it yet (Whisper page:
       * the new view appears "once the connection is made"): worth reading again.
       */
      awaitingAnswer?: boolean;
      /** VoipNow accepted the action, but the call could not be read back afterwards. */
      unread?: UapiError;
    }
  | { kind: 'events'; extension: string; events: PhoneCallEvent[]; summary: string };

export function isUapiCommand(c: Command): c is UapiCommand {
  return c.kind === 'list' || c.kind === 'show' || c.kind === 'action' || c.kind === 'dial' || c.kind.startsWith('events-');
}

/** The call is not live (any more): it ended, or never existed. */
export class CallGone extends CommandError {
  override readonly code: string = 'call_gone';
  constructor(
    readonly phoneCallId: string,
    problem: string,
  ) {
    super(problem);
    this.name = 'CallGone';
  }
}

function callGone(extension: string, phoneCallId: string): CallGone {
  const where = extensionWords(extension);
  return new CallGone(phoneCallId, `Call \`${phoneCallId}\` is not live on ${where}; it may have ended. Run \`list${extension === '@self' ? '' : ` ${extension}`}\`.`);
}

/** VoipNow's "no such call" answer to a request on a named call becomes CallGone. */
async function onNamedCall<T>(extension: string, phoneCallId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof UapiError && err.code === 'pc_phonecall_invalid') throw callGone(extension, phoneCallId);
    throw err;
  }
}

/** The call a command means: the given id, or the only live call of the extension. */
export async function resolveCall(client: UapiClient, extension: string, phoneCallId?: string): Promise<PhoneCall> {
  if (phoneCallId) {
    const call = await client.getPhoneCall({ extension, phoneCallId });
    if (!call) throw callGone(extension, phoneCallId);
    return call;
  }
  const calls = await client.listPhoneCalls({ extension });
  if (calls.length === 1) return calls[0]!;
  if (calls.length === 0) throw new CommandError(`There are no live calls on ${extensionWords(extension)}.`);
  const ids = calls
    .slice(0, 5)
    .map((c) => `\`${c.id}\``)
    .join(', ');
  throw new CommandError(`${extensionWords(extension)} has ${calls.length} live calls (${ids}${calls.length > 5 ? ', ...' : ''}): add the call id.`);
}

/**
 * The view an action applies to: the given one, the only one, or the one of the
 * extension (for `@self`, the user's own extension when it is known).
 */
export function resolveView(call: PhoneCall, extension: string, viewId?: string): PhoneCallView {
  const views = call.phoneCallView;
  const list = () => views.map((v) => `\`${v.id}\` (${v.extension ?? '?'})`).join(', ');
  if (viewId !== undefined) {
    const v = views.find((x) => x.id === viewId);
    if (!v) throw new CommandError(`Call \`${call.id}\` has no view \`${viewId}\`; its views are ${list() || 'none'}.`);
    return v;
  }
  if (views.length === 1) return views[0]!;
  const own = views.filter((v) => v.extension === extension);
  if (own.length === 1) return own[0]!;
  if (views.length === 0) throw new CommandError(`Call \`${call.id}\` has no views to act on.`);
  throw new CommandError(`Call \`${call.id}\` has several views: ${list()}. Add \`view <id>\`.`);
}

export interface ExecuteOptions {
  /** The acting user's own extension, to pick their view of a call found through `@self`. */
  ownExtension?: string;
}

export async function execute(client: UapiClient, cmd: UapiCommand, opts: ExecuteOptions = {}): Promise<Outcome> {
  switch (cmd.kind) {
    case 'list':
      return { kind: 'calls', extension: cmd.extension, calls: await client.listPhoneCalls({ extension: cmd.extension }) };
    case 'show':
      return { kind: 'calls', extension: cmd.extension, calls: [await resolveCall(client, cmd.extension, cmd.phoneCallId)] };
    case 'dial': {
      const from = cmd.from ?? opts.ownExtension;
      if (!from) {
        throw new CommandError(
          'Which of your phones should ring first? Add `from <your extension>` (in Slack, `/call link <your extension>` sets a default).',
          callAction('dial').usage,
          callAction('dial').example,
        );
      }
      const call = await client.placeCall({ extension: from, destination: cmd.destination, callerId: cmd.callerId });
      if (!call) throw new CommandError('VoipNow accepted the call but did not say which call it made; run `list` to see it.');
      // The new call is followed like any call that rings: the caller's phone, then the destination.
      return { kind: 'action', action: 'dial', extension: from, phoneCallId: call.id, call, awaitingAnswer: true };
    }
    case 'action': {
      const spec = callAction(cmd.action);
      // A card names the call and (except for hang up) the view: the request goes out at once,
      // with no read before it; VoipNow's own answer says when the call is gone.
      if (cmd.phoneCallId !== undefined && (spec.uapi === 'hangup' || cmd.viewId !== undefined)) {
        const named = { extension: cmd.extension, phoneCallId: cmd.phoneCallId };
        if (spec.uapi === 'hangup') {
          await onNamedCall(cmd.extension, cmd.phoneCallId, () => client.hangUp(named));
          return { kind: 'action', action: cmd.action, extension: cmd.extension, phoneCallId: cmd.phoneCallId, call: undefined };
        }
        const act = spec.uapi;
        if (act === 'dial') throw new CommandError('`dial` places a new call; it takes no call id.', spec.usage, spec.example);
        const viewId = cmd.viewId!;
        const done = await onNamedCall(cmd.extension, cmd.phoneCallId, () => client.act(named, act(viewId, cmd.params)));
        // With no read before the PUT there is no earlier state to compare with: an action that
        // rings a phone is followed until the call changes (its new view appears on answer).
        return {
          kind: 'action',
          action: cmd.action,
          ...named,
          viewId,
          call: done.call,
          ...(spec.rings && { awaitingAnswer: true }),
          ...(done.unread && { unread: done.unread }),
        };
      }
      const call = await resolveCall(client, cmd.extension, cmd.phoneCallId);
      // A call found through @self is also acted on through @self ("if the Extension is
      // unknown, you can use @self and phoneCallId", OnHold page): the extension it is
      // charged to may belong to someone else, such as a queue's owner.
      const extension = cmd.extension;
      const ref = { extension, phoneCallId: call.id };
      if (spec.uapi === 'dial') throw new CommandError('Use `dial <number>` to place a call.', spec.usage, spec.example);
      if (spec.uapi === 'hangup') {
        await client.hangUp(ref);
        return { kind: 'action', action: cmd.action, extension, phoneCallId: call.id, call: undefined };
      }
      const view = resolveView(call, extension === '@self' ? (opts.ownExtension ?? extension) : extension, cmd.viewId);
      const outcome = await client.act(ref, spec.uapi(view.id, cmd.params));
      const unchanged = outcome.call !== undefined && JSON.stringify(outcome.call.phoneCallView) === JSON.stringify(call.phoneCallView);
      return {
        kind: 'action',
        action: cmd.action,
        extension,
        phoneCallId: call.id,
        viewId: view.id,
        call: outcome.call,
        ...(spec.rings && unchanged && { awaitingAnswer: true }),
        ...(outcome.unread && { unread: outcome.unread }),
      };
    }
    case 'events-list': {
      const events = await client.listPhoneCallEvents({ extension: cmd.extension, eventType: cmd.eventType });
      return { kind: 'events', extension: cmd.extension, events, summary: `${events.length} call event(s) on ${cmd.extension}` };
    }
    case 'events-add': {
      const { extension, eventType, kind: _k, ...fields } = cmd;
      const ev = await client.addPhoneCallEvent({ extension }, { type: eventType, ...fields });
      return { kind: 'events', extension, events: ev ? [ev] : [], summary: `Added a call event to ${extension}` };
    }
    case 'events-update': {
      const ev = await client.updatePhoneCallEvent({ extension: cmd.extension, eventType: cmd.eventType, eventId: cmd.eventId }, cmd.changes);
      return { kind: 'events', extension: cmd.extension, events: ev ? [ev] : [], summary: `Updated call event ${cmd.eventId}` };
    }
    case 'events-delete': {
      const ids = await client.deletePhoneCallEvents({ extension: cmd.extension, eventType: cmd.eventType, eventId: cmd.eventId });
      return { kind: 'events', extension: cmd.extension, events: [], summary: `Deleted ${ids.length} call event(s) from ${cmd.extension}` };
    }
  }
}
