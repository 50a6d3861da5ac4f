/**
 * Requests being handled, from Slack's delivery until their listener is done
 * (not just acknowledged). Shutdown waits for them; any still running when the
 * drain time is up are told to their users ("interrupted: it may or may not
 * have happened") and their card gets a note, so nobody is left with a card
 * saying "working…" forever.
 *
 * A request is only described (user, response_url, card) when that is needed: a
 * press on a card at once, since its note is stored with its claims; anything
 * else only if a shutdown has to tell its user.
 */
import type { KnownBlock } from '@slack/types';
import fetch from 'node-fetch';
import { readCardTarget } from '../cards/card-target.js';
import type { Logger } from '../../log.js';
import { type CardNotes, type MarkCard, type PressedCard, PressNote, interruptedCard } from '../cards/card-notes.js';

/** What is needed to tell the user and mark the card, read from the request body. */
export interface InFlightRequest {
  userId?: string;
  responseUrl?: string;
  card?: PressedCard;
  /** The card's note while the press runs (card-notes.ts): stored with the press's claims. */
  note?: PressNote;
}

/** Where a press's note waits in Bolt's context for the press's claims to store it. */
const PRESS_NOTE = 'callopsPressNote';

/** The press's note, from Bolt's context (set there by `start`). */
export function pressNoteOf(context: Record<string, unknown>): PressNote | undefined {
  const note = context[PRESS_NOTE];
  return note instanceof PressNote ? note : undefined;
}

const INTERRUPTED = ':warning: callops was restarting while your request ran: it may or may not have happened in VoipNow. Refresh the card or run `/call list` to see the call as it is now.';

/** A Slack user id as Slack gives them (U…, W…): only such a one is named on a card later. */
const SLACK_ID = /^[UW][A-Z0-9]{1,30}$/;

function str(x: unknown): string | undefined {
  return typeof x === 'string' && x !== '' ? x : undefined;
}

/** Whether the body can be a press on a card (only those are described on arrival). */
function mayBeCardPress(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return Array.isArray(b.actions) && typeof b.message === 'object' && b.message !== null;
}

/** Reads the request's user, response_url and card from a Bolt body of any kind; never throws. */
export function describeRequest(body: unknown): InFlightRequest {
  if (typeof body !== 'object' || body === null) return {};
  const b = body as Record<string, unknown>;
  const user = b.user as { id?: unknown } | undefined;
  const out: InFlightRequest = { userId: str(user?.id) ?? str(b.user_id), responseUrl: str(b.response_url) };
  const channel = (b.channel as { id?: unknown } | undefined)?.id;
  const message = b.message as { ts?: unknown; blocks?: unknown } | undefined;
  const action = Array.isArray(b.actions) ? (b.actions[0] as { value?: unknown; action_id?: unknown } | undefined) : undefined;
  const target = mayBeCardPress(b) ? readCardTarget(action?.value) : undefined;
  if (str(channel) && str(message?.ts) && Array.isArray(message?.blocks) && target) {
    const team = str((b.team as { id?: unknown } | undefined)?.id) ?? str((user as { team_id?: unknown } | undefined)?.team_id);
    const userId = out.userId && SLACK_ID.test(out.userId) ? out.userId : undefined;
    const actionId = str(action?.action_id);
    out.card = {
      channelId: channel as string,
      ts: message!.ts as string,
      blocks: message!.blocks as KnownBlock[],
      phoneCallId: target.call,
      ...(team && { teamId: team }),
      // Who pressed, so a restart can read the call again as them (their link, never a token kept here).
      ...(team && userId && { by: { teamId: team, userId, extension: target.extension, ...(actionId && actionId.length <= 255 && { actionId }) } }),
    };
  }
  return out;
}

/** A request being handled: its body, and its description once it was needed. */
interface Running {
  body: unknown;
  described?: InFlightRequest;
}

const described = (r: Running): InFlightRequest => (r.described ??= describeRequest(r.body));

export class RequestsInFlight {
  private readonly running = new Set<Running>();

  constructor(
    private readonly logger: Logger,
    private readonly notes?: CardNotes,
  ) {}

  /**
   * Track one request from now until the work given to `until` settles. A press on a card gets
   * its note, put in Bolt's `context` for the press's claims to store (before anything is sent
   * to VoipNow); it goes when the work is done.
   */
  start(body: unknown, context: Record<string, unknown>): { until(work: Promise<unknown>): void } {
    const run: Running = { body };
    if (this.notes && mayBeCardPress(body)) {
      const req = described(run);
      if (req.card) context[PRESS_NOTE] = req.note = this.notes.prepare(req.card);
    }
    this.running.add(run);
    return {
      until: (work) =>
        void work
          .finally(async () => {
            if (!this.running.delete(run)) return; // interrupted: its note went with it
            await this.#endNote(run.described?.note);
          })
          .catch(() => undefined),
    };
  }

  /** The press is done: its note, if it was stored, goes. */
  async #endNote(note: PressNote | undefined): Promise<void> {
    if (!note) return;
    note.drop();
    await this.notes?.end(await note.stored);
  }

  get size(): number {
    return this.running.size;
  }

  /** Tell the users of requests still running, and mark their cards (shutdown after the drain time). */
  async interrupt(mark: MarkCard): Promise<void> {
    const left = [...this.running].map(described);
    this.running.clear();
    await Promise.allSettled(
      left.map(async (req) => {
        if (req.card) {
          const { teamId, channelId, ts, blocks, phoneCallId } = req.card;
          await mark({ ...(teamId && { teamId }), channelId, ts }, interruptedCard(blocks, phoneCallId)).catch((err: unknown) =>
            this.logger.warn('could not mark an interrupted card', { error: err instanceof Error ? err.message : String(err) }),
          );
          await this.#endNote(req.note);
        }
        if (req.responseUrl) {
          await fetch(req.responseUrl, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text: INTERRUPTED }),
          }).catch((err: unknown) => this.logger.warn('could not tell a user about an interrupted request', { error: err instanceof Error ? err.message : String(err) }));
        }
      }),
    );
  }
}
