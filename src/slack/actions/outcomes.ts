/**
 * One log line and one metric per `/call` command, button press and modal submission, with
 * its outcome and duration: the work it wraps (Bolt's `next()`) resolves when the listener has
 * finished (including the work after its acknowledgement), and rejects if it threw.
 */
import { findCallAction } from '../../calls/actions.js';
import type { Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';

const LOCAL_WORDS = new Set(['help', 'list', 'link', 'unlink', 'whoami', 'notify', 'events']);

/** The command word, from a closed set so it can be a metric label. */
export function commandName(text: string | undefined): string {
  const word = (text ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (word === '') return 'help';
  return findCallAction(word)?.name ?? (LOCAL_WORDS.has(word) ? word : 'other');
}

/** `call.hold.01` → `call.hold`; ids and anything unexpected are not label values. */
export function interactionName(id: string | undefined): string {
  const m = /^([a-z]+)\.([a-z]+)/.exec(id ?? '');
  return m ? `${m[1]}.${m[2]}` : 'other';
}

type Kind = 'command' | 'action' | 'view';

function describe(body: Record<string, unknown>): { kind: Kind; name: string; user?: string } | undefined {
  if (typeof body.command === 'string') {
    return { kind: 'command', name: commandName(body.text as string | undefined), user: body.user_id as string | undefined };
  }
  const user = (body.user as { id?: string } | undefined)?.id;
  if (body.type === 'block_actions') {
    const first = (body.actions as Array<{ action_id?: string }> | undefined)?.[0];
    return { kind: 'action', name: interactionName(first?.action_id), user };
  }
  if (body.type === 'view_submission') {
    return { kind: 'view', name: interactionName((body.view as { callback_id?: string } | undefined)?.callback_id), user };
  }
  return undefined;
}

/**
 * Records the outcome of `work` (the rest of the request's handling) when `body` is a command,
 * press or submission; anything else just runs. Called inside the app's one request-scope step
 * (app-listeners.ts), so it costs Bolt no middleware step of its own.
 */
export function outcomeRecorder(logger: Logger, metrics: Metrics | undefined): (body: unknown, work: () => Promise<void>) => Promise<void> {
  return async (body, work) => {
    const what = describe(body as Record<string, unknown>);
    if (!what) return work();
    const started = performance.now();
    let result = 'ok';
    try {
      await work();
    } catch (err) {
      result = 'error';
      throw err;
    } finally {
      const ms = performance.now() - started;
      if (what.kind === 'command') metrics?.commandRan(what.name, result, ms);
      else metrics?.actionRan(what.name, result, ms);
      logger.info(`${what.kind} ${what.name} ${result}`, { kind: what.kind, name: what.name, result, ms: Math.round(ms), user: what.user });
    }
  };
}
