import type { KnownBlock } from '@slack/types';
import { callAction } from '../../calls/actions.js';
import { callCard, replaceCallBlocks } from '../blocks/call-card.js';
import { CallGone, execute, type Outcome, type UapiCommand } from '../../calls/execute.js';
import { UapiError } from '../../uapi/errors.js';
import type { UapiClient } from '../../uapi/client.js';
import type { LinkedAccount } from '../../store/types.js';
import { LinkRequired } from '../users/accounts.js';
import type { ActionRequest, Admission, PipelineDeps, Reply } from './action-request.js';
import { actionKey } from './operations.js';
import { legHintOf, rememberLeg } from '../cards/leg-hints.js';
import { isSilentLeg } from '../../board/snapshot.js';
import { callListMessage } from '../blocks/call-list.js';
import { escapeMrkdwn } from '../blocks/mrkdwn.js';
import type { SlackMessage } from '../cards/publish.js';
import { CallRereads } from './reread.js';
import { cardPlace } from './surface.js';
import { ActionDisplay } from './action-display.js';
import { failureReply, linkPrompt, slackSentence, staleFormReply } from './replies.js';
import { pressClaimKey, pressedReply, staleReply } from '../cards/card-version.js';
import { actionLine } from '../board/action-lines.js';
import { newActionId } from '../board/index.js';

type ActionCommand = Extract<UapiCommand, { kind: 'action' }>;

const ALREADY_RUNNING = 'That action is already running on this call; wait for it to finish.';

export interface PipelineOptions {
  /** Delays of the re-reads after an action whose result could not be read (ms). */
  rereadDelaysMs?: number[];
}

export class ActionPipeline {
  private readonly rereads: CallRereads;
  private readonly display: ActionDisplay;

  constructor(
    private readonly deps: PipelineDeps,
    opts: PipelineOptions = {},
  ) {
    this.rereads = new CallRereads(deps, opts.rereadDelaysMs ?? [1000, 3000, 10_000], deps.rereadJobs);
    this.display = new ActionDisplay(deps);
  }

  /** Claim the request, look the account up and check the role: once per request. */
  async admit(request: ActionRequest): Promise<Admission> {
    const { claims, accounts, operations } = this.deps;
    const press = request.press && request.cmd.kind === 'action' ? { teamId: request.user.teamId, ...request.press } : undefined;
    // A press that runs at once also claims its card's version and the action's run (operations.ts).
    const cardClaim = press?.runsAction ? pressClaimKey(press) : undefined;
    const key = cardClaim !== undefined ? actionKey(request.user, request.cmd) : undefined;
    // One store round trip before the action: the account and the card's version are read beside
    // the claims (a duplicate's reads are simply dropped), and the claims are one chain, each only
    // once the one before it is held: a retry never takes the card's claim, a second press never the run's.
    const account = accounts.clientFor(request.user);
    account.catch(() => undefined);
    const standing = press && this.deps.publisher.versions.standing(press);
    standing?.catch(() => undefined);
    const reserved = key !== undefined ? operations.underWay.reserve(key) : false;
    // Its claims also record the press's hold on its call (same statement): the board, on whichever
    // replica runs it, holds back what it reads of the call until the action's own news arrives.
    const onCall = request.cmd.kind === 'action' ? request.cmd.phoneCallId : undefined;
    const runsNow = cardClaim !== undefined ? reserved : request.runsAtOnce === true && !request.press;
    const acting = runsNow && onCall !== undefined && this.deps.board ? { phoneCallId: onCall, actionId: newActionId() } : undefined;
    let held: boolean[];
    try {
      held = await claims.chain([request.identity, cardClaim, reserved || undefined], acting, request.note);
    } catch (err) {
      if (reserved) operations.underWay.settle(key!, false);
      throw err;
    }
    const [fresh, claimed] = held;
    const began = reserved !== false && operations.underWay.settle(key!, held[2]!);
    if (!fresh) return { kind: 'duplicate' };
    // The chain recorded the hold only when it took every claim.
    const holding = acting !== undefined && held.every(Boolean) ? acting : undefined;
    // A refusal gives back what the press took, but a stale card's claim (that version never becomes current again).
    const giveBack = async (keepCard: boolean) => {
      if (holding) this.deps.board?.actionFailed(holding.phoneCallId, holding.actionId);
      if (began) await operations.underWay.end(key!).catch(() => undefined);
      if (claimed && cardClaim && !keepCard) await claims.release(cardClaim).catch(() => undefined);
    };
    const refused = async (reply: Reply, keepCard = false): Promise<Admission> => {
      await giveBack(keepCard);
      return { kind: 'refused', reply };
    };
    try {
      const channelId = request.surface.channelId;
      let linked: { client: UapiClient; account: LinkedAccount };
      try {
        linked = await account;
      } catch (err) {
        if (err instanceof LinkRequired) return refused(await linkPrompt(this.deps, request.user, err.reason, channelId));
        throw err;
      }
      try {
        await operations.assertAllowed(request.user, request.cmd);
      } catch (err) {
        return refused(await failureReply(this.deps, request.user, err, channelId));
      }
      const stands = await standing;
      if (stands?.kind === 'stale') return refused(press?.fromForm ? staleFormReply(stands.shows) : staleReply(stands.shows), true);
      if (!claimed) return refused(pressedReply());
      if (key !== undefined && !began) return refused({ text: ALREADY_RUNNING });
      return {
        kind: 'run',
        request: { ...request, ...(cardClaim && { cardClaim }) },
        uapi: linked.client,
        account: linked.account,
        ...(began && { began: key }),
        ...(holding && { actionId: holding.actionId }),
      };
    } catch (err) {
      await giveBack(false);
      throw err;
    }
  }

  /** Admit and run; refusals are answered privately. Tracked, so `idle()` and shutdown wait for it. */
  handle(request: ActionRequest): Promise<void> {
    return this.tracked(this.admitAndRun(request));
  }

  private async admitAndRun(request: ActionRequest): Promise<void> {
    let admission: Admission;
    try {
      admission = await this.admit(request);
    } catch (err) {
      await this.tell(request, (await failureReply(this.deps, request.user, err, request.surface.channelId)).text);
      return;
    }
    if (admission.kind === 'refused') await this.tell(request, admission.reply.text, admission.reply.blocks as KnownBlock[] | undefined);
    if (admission.kind === 'run') await this.runNow(admission);
  }

  /** Run an admitted request: the action, then its result on the surface. Tracked like `handle`. */
  run(admitted: Extract<Admission, { kind: 'run' }>): Promise<void> {
    return this.tracked(this.runNow(admitted));
  }

  /** Work a listener does after its acknowledgement, tracked so `idle()` and shutdown wait for it. */
  tracked(work: Promise<void>): Promise<void> {
    this.deps.background.track(work);
    return work;
  }

  private async runNow(admitted: Extract<Admission, { kind: 'run' }>): Promise<void> {
    const { request: req, uapi, account } = admitted;
    const key = actionKey(req.user, req.cmd);
    if (key !== undefined && admitted.began !== key && !(await this.deps.operations.underWay.tryBegin(key))) {
      await this.deps.claims.release(req.cardClaim);
      await this.tell(req, ALREADY_RUNNING);
      return;
    }
    try {
      this.display.markWorking(req, await this.display.boardCard(req));
      // The board holds back what it reads of the call until the action's read-back tells the change.
      const heldCall = req.cmd.kind === 'action' ? req.cmd.phoneCallId : undefined;
      const actionId = heldCall !== undefined ? this.deps.board?.acting(heldCall, admitted.actionId) : undefined;
      let outcome: Outcome;
      try {
        outcome = await execute(uapi, req.cmd, { ownExtension: account.extension });
      } catch (err) {
        await this.failed(req, err, actionId);
        return;
      }
      try {
        await this.succeeded(req, outcome, actionId);
      } catch (err) {
        if (actionId !== undefined && heldCall !== undefined) this.deps.board?.actionFailed(heldCall, actionId);
        // The action happened: whatever Slack did with the card, the user must not think otherwise.
        const code = (err as { data?: { error?: string } }).data?.error ?? (err instanceof Error ? err.message : String(err));
        this.deps.logger.warn('an action ran but its result could not be shown', { error: code });
        await this.tell(req, `The action ran, but Slack did not take its card (${code}). Press Refresh on the card, or run \`/call list\`, to see the call.`).catch(() => undefined);
      }
    } finally {
      if (key !== undefined) await this.deps.operations.underWay.end(key).catch((err: unknown) => this.deps.logger.warn('could not release an action claim', { error: String(err) }));
    }
  }

  private async succeeded(req: ActionRequest, outcome: Outcome, actionId?: string): Promise<void> {
    const { operations } = this.deps;
    if (outcome.kind === 'events') {
      const msg = operations.message(req.user.userId, outcome);
      await this.tell(req, msg.text, msg.blocks);
      return;
    }
    if (outcome.kind === 'calls') {
      let msg = operations.message(req.user.userId, outcome);
      const only = outcome.calls.length === 1 ? outcome.calls[0]! : undefined;
      if (req.surface.kind === 'card' && only) msg = callCard(only, { extension: outcome.extension, partiesOnly: true, note: `Refreshed by <@${req.user.userId}> · ${operations.time()}` });
      // `/call list` answers privately: every call with a button to post its card to the channel.
      if (req.surface.kind === 'private') msg = callListMessage(outcome.extension, outcome.calls, { postable: true });
      await this.display.show(req, msg, only && { phoneCallId: only.id, extension: only.extension ?? outcome.extension });
      return;
    }
    const cmd = req.cmd as ActionCommand;
    // A whisper, listen or barge leg is drawn as what it is from the first card on.
    const hint = legHintOf(cmd);
    if (hint) rememberLeg(outcome.phoneCallId, hint);
    const label = callAction(outcome.action).label;
    let note = operations.note(req.user.userId, outcome);
    if (hint && isSilentLeg(hint.mode)) {
      // Channel cards show the call's parties only: who listens or whispers is told to the supervisor alone.
      await this.tell(req, `:ear: ${note}. Shown on the boards watching the call, not on the call's cards in other channels.`);
      note = '';
    }
    let msg: SlackMessage;
    if (outcome.unread) {
      // The PUT was accepted: say so, keep the card showing it as pending, and read it again shortly.
      note = `:hourglass_flowing_sand: ${note}: VoipNow accepted it; the new state could not be read yet, refreshing…`;
      msg = this.display.pendingOn(req, outcome.phoneCallId, outcome.extension, note);
      const why =
        outcome.unread.kind === 'timeout' ? 'reading it back timed out' : `reading it back failed: ${outcome.unread.status ? `HTTP ${outcome.unread.status}` : outcome.unread.code}`;
      await this.tell(
        req,
        `:information_source: VoipNow accepted ${label} on call \`${outcome.phoneCallId}\`, but its new state could not be read yet (${why}). The card will refresh shortly; no need to press again.`,
      );
    } else {
      msg = operations.message(req.user.userId, outcome, note);
    }
    const where = await this.display.show(req, msg, { phoneCallId: outcome.phoneCallId, extension: outcome.extension }, true);
    const { publisher, followUp, background } = this.deps;
    background.track(publisher.syncOthers(req.user.teamId, outcome.phoneCallId, where, () => msg));
    if (outcome.unread) this.rereads.schedule({ user: req.user, phoneCallId: outcome.phoneCallId, extension: outcome.extension, note, where });
    else if (outcome.call) followUp.follow(req.user, outcome.call, outcome.extension, note, outcome.awaitingAnswer);
    for (const hook of this.deps.afterAction) {
      background.track(
        Promise.resolve().then(() =>
          hook({
            user: req.user,
            cmd,
            outcome,
            message: msg,
            client: req.client,
            ...(req.surface.channelId && { channelId: req.surface.channelId }),
            ...(actionId !== undefined && { actionId }),
          }),
        ),
      );
    }
  }

  private async failed(req: ActionRequest, err: unknown, actionId?: string): Promise<void> {
    const place = cardPlace(req.surface);
    const cmd = req.cmd;
    const callId = cmd.kind === 'action' || cmd.kind === 'show' ? cmd.phoneCallId : undefined;
    const uncertain = cmd.kind === 'action' && err instanceof UapiError && err.kind === 'timeout';
    if (!uncertain) await this.deps.claims.release(req.cardClaim);
    const boardCard = await this.display.boardCard(req);
    // The action's hold on what the board reads of the call ends (with the line below on a board card).
    if (!boardCard && actionId !== undefined && callId) this.deps.board?.actionFailed(callId, actionId);
    if (boardCard) {
      // A board card is the board's to render: the failure goes into its audit thread, and the board reads the call again.
      const said = uncertain ? 'may or may not have happened (VoipNow did not answer in time)' : slackSentence(err, this.deps);
      this.deps.board!.note(boardCard, actionLine(req.user.userId, cmd, { ok: false, error: said }), actionId);
    } else if (uncertain && callId) {
      // It may have happened: never put the old card back as if nothing did; read the call again.
      const label = callAction(cmd.action).label;
      const note = `:grey_question: <@${req.user.userId}>: ${label} may or may not have happened (VoipNow did not answer in time); reading the call again…`;
      const msg = this.display.pendingOn(req, callId, cmd.extension, note);
      const where = await this.display.show(req, msg, { phoneCallId: callId, extension: cmd.extension }, true).catch(() => undefined);
      this.rereads.schedule({
        user: req.user,
        phoneCallId: callId,
        extension: cmd.extension,
        note: `<@${req.user.userId}> asked for ${label}; VoipNow did not confirm it in time`,
        where,
      });
    } else if (place?.blocks) {
      // Nothing happened: the card goes back as it was (or shows the call ended).
      const on = cmd.kind === 'dial' ? (cmd.from ?? '') : cmd.extension;
      const blocks =
        err instanceof CallGone && callId ? replaceCallBlocks(place.blocks, callId, callCard({ id: callId, extension: on, state: 'ended' }, { extension: on }).blocks) : place.blocks;
      await this.deps.publisher.update(place, { text: callId ? escapeMrkdwn(`Call ${callId}`) : 'Call', blocks }, { sameState: !(err instanceof CallGone) }).catch(() => undefined);
    }
    const reply = await failureReply(this.deps, req.user, err, req.surface.channelId);
    const extra = uncertain && callId ? ' callops is reading the call again and will update the card.' : '';
    await this.tell(req, reply.text + extra, 'blocks' in reply ? (reply.blocks as KnownBlock[]) : undefined);
  }

  /** A private answer to the acting user on the request's surface. */
  tell(req: ActionRequest, text: string, blocks?: KnownBlock[]): Promise<void> {
    return this.display.tell(req, text, blocks);
  }
}
