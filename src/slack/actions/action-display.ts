/**
 * Showing an action's progress and result on the surface it came from: the card marked as
 * working, the card updated in place or a new one posted, the pending/uncertain card while
 * the call is read again, private answers, and leaving supervisor-board cards to the board.
 */
import type { KnownBlock } from '@slack/types';
import { callAction } from '../../calls/actions.js';
import type { CardRef } from '../../board/output.js';
import { callCard, replaceCallBlocks, withNote } from '../blocks/call-card.js';
import { idKey } from '../blocks/ids.js';
import type { ActionRequest, PipelineDeps } from './action-request.js';
import type { MessagePlace, SlackMessage } from '../cards/publish.js';
import { cardPlace, tellPrivately } from './surface.js';

export class ActionDisplay {
  constructor(private readonly deps: Pick<PipelineDeps, 'publisher' | 'background' | 'logger' | 'board'>) {}

  /** The card says that the action runs; sent without waiting, so a slow or rate-limited Slack never delays the action. */
  markWorking(req: ActionRequest, onBoard: CardRef | undefined): void {
    const place = cardPlace(req.surface);
    const callId = req.cmd.kind === 'action' ? req.cmd.phoneCallId : undefined;
    if (!place?.blocks || !callId || req.cmd.kind !== 'action' || onBoard) return;
    const label = callAction(req.cmd.action).label;
    const msg = { text: `${label}: working…`, blocks: withNote(place.blocks, callId, `:hourglass_flowing_sand: <@${req.user.userId}>: ${label}, working…`) };
    this.deps.background.track(
      this.deps.publisher.update(place, msg, { transient: true }).catch((err: unknown) => this.deps.logger.warn('could not mark card as working', { error: String(err) })),
    );
  }

  /** The card showing a pending or uncertain action: the user's card with a note, or a small card of its own. */
  pendingOn(req: ActionRequest, phoneCallId: string, extension: string, note: string): SlackMessage {
    // The call's own blocks as the user saw them (one call of a list, say), with the note.
    const mine = cardPlace(req.surface)?.blocks?.filter((b) => typeof b.block_id === 'string' && b.block_id.startsWith(`${idKey(phoneCallId)}.`));
    if (mine?.length) return { text: note, blocks: withNote(mine, phoneCallId, note) };
    return callCard({ id: phoneCallId, extension, state: 'pending' }, { extension, note });
  }

  /**
   * Show a message on the request's surface: update the card in place, or post a new one.
   * Returns where it is, when it is a message callops can update later.
   */
  async show(
    req: ActionRequest,
    msg: SlackMessage,
    call: { phoneCallId: string; extension: string } | undefined,
    isAction = false,
  ): Promise<(MessagePlace & { blocks: KnownBlock[] }) | undefined> {
    const { publisher } = this.deps;
    const s = req.surface;
    const boardCard = await this.boardCard(req);
    if (boardCard) {
      // The board renders its own card through its rate-limit-aware writer: after an action, from
      // the action's read-back (the pipeline's afterAction hook); after a refresh, from a read of its own.
      if (!isAction) this.deps.board!.note(boardCard, undefined);
      return undefined;
    }
    let refused: string | undefined;
    let where: (MessagePlace & { blocks: KnownBlock[] }) | undefined;
    if (s.kind === 'post') {
      const posted = await publisher.post({ teamId: req.user.teamId, channelId: s.channelId, respond: s.respond }, msg, call && { ...call, postedBy: req.user.userId });
      refused = posted.refused;
      where = posted.ts ? { channelId: s.channelId, ts: posted.ts, blocks: msg.blocks } : undefined;
    } else {
      const place = cardPlace(req.surface);
      if (place) {
        const blocks = place.blocks && call ? replaceCallBlocks(place.blocks, call.phoneCallId, msg.blocks) : msg.blocks;
        refused = (await publisher.update(place, { text: msg.text, blocks })).refused;
        where = { channelId: place.channelId, ts: place.ts, blocks, ...(place.respond && { respond: place.respond }) };
      } else {
        await this.tell(req, msg.text, msg.blocks);
      }
    }
    if (refused) {
      await this.tell(req, `${isAction ? 'The action ran, but ' : ''}Slack could not show the card (${refused}), so a simpler card was sent instead.`);
    }
    return where;
  }

  /** The supervisor board's card the request was made on, if it is one (the board renders it, never the pipeline). */
  boardCard(req: ActionRequest): Promise<CardRef | undefined> {
    let found = this.boardCards.get(req);
    if (!found) {
      const place = cardPlace(req.surface);
      // Looked up once per request (the local board, else the store: another replica may run the board).
      found = place && this.deps.board ? this.deps.board.cardAt(req.user.teamId, place).catch(() => undefined) : Promise.resolve(undefined);
      this.boardCards.set(req, found);
    }
    return found;
  }
  private readonly boardCards = new WeakMap<ActionRequest, Promise<CardRef | undefined>>();

  /** A private answer to the acting user on the request's surface. */
  tell(req: ActionRequest, text: string, blocks?: KnownBlock[]): Promise<void> {
    return tellPrivately(req.surface, req.client, req.user, text, blocks);
  }
}
