/**
 * The one action pipeline: a `/call` command, a press on a card and a modal
 * submission all run here, with the surface (post a new card, update a card in
 * place) as a parameter. Once per request: the request is claimed (a retry or a
 * repeated press runs nothing), the account is looked up, the role is checked;
 * then the action runs as the user, the result is shown truthfully (done, ended,
 * accepted but not read yet, or uncertain after a timeout), other cards of the
 * call are brought up to date, ringing calls are followed, and `afterAction`
 * hooks (the supervisor board) are told.
 */
import type { webApi } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { callAction } from '../calls/actions.js';
import { callCard, endedCard, replaceCallBlocks } from './blocks/call-card.js';
import { CallGone, execute, type Outcome, type UapiCommand } from '../calls/execute.js';
import { UapiError } from '../uapi/errors.js';
import type { UapiClient } from '../uapi/client.js';
import type { LinkedAccount } from '../store/types.js';
import { LinkRequired, type SlackUser } from './accounts.js';
import type { SlackDeps } from './deps.js';
import { actionKey } from './operations.js';
import { legHintOf, rememberLeg } from './leg-hints.js';
import { callListMessage } from './blocks/call-list.js';
import type { SlackMessage } from './publish.js';
import { CallRereads, type RereadJobs } from './reread.js';
import { cardPlace, type Surface } from './surface.js';
import { ActionDisplay } from './action-display.js';
import { failureReply, linkPrompt, slackSentence } from './replies.js';
import type { RequestClaims } from './request-claims.js';
import { actionLine } from './board/actions.js';

type WebClient = webApi.WebClient;
type ActionCommand = Extract<UapiCommand, { kind: 'action' }>;
type ActionOutcome = Extract<Outcome, { kind: 'action' }>;

export interface ActionRequest {
  user: SlackUser;
  cmd: UapiCommand;
  surface: Surface;
  client: WebClient;
  /** Slack's identity of this request: every retry of it carries the same one. */
  identity?: string;
  /** This button on this card as the user saw it: repeated presses run once; given back when the action failed. */
  cardPress?: string;
}

/** An action that completed, for hooks such as the supervisor board's audit line. */
export interface ActionDone {
  user: SlackUser;
  cmd: ActionCommand;
  outcome: ActionOutcome;
  message: SlackMessage;
  client: WebClient;
}
export type AfterAction = (done: ActionDone) => Promise<void> | void;

export type Reply = Record<string, unknown> & { text: string };

export type Admission =
  | { kind: 'run'; request: ActionRequest; uapi: UapiClient; account: LinkedAccount }
  /** A retry or a duplicate of a request already received: answer nothing more. */
  | { kind: 'duplicate' }
  /** Not linked, not allowed, or pressed already: the private reply says so; nothing was sent to VoipNow. */
  | { kind: 'refused'; reply: Reply };

export type { Surface } from './surface.js';

export type PipelineDeps = Pick<SlackDeps, 'accounts' | 'linking' | 'operations' | 'publisher' | 'followUp' | 'logger' | 'background' | 'afterAction' | 'board'> & {
  claims: RequestClaims;
  /** Re-reads as queue jobs (app.ts); without, timers in this process. */
  rereadJobs?: RereadJobs;
};

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
    // The claim and the account are read together (one store round trip, not two, before the action);
    // a duplicate's account read is simply dropped.
    const account = accounts.clientFor(request.user);
    account.catch(() => undefined);
    if (!(await claims.claim(request.identity))) return { kind: 'duplicate' };
    const channelId = request.surface.channelId;
    let linked: { client: UapiClient; account: LinkedAccount };
    try {
      linked = await account;
    } catch (err) {
      if (err instanceof LinkRequired) return { kind: 'refused', reply: await linkPrompt(this.deps, request.user, err.reason, channelId) };
      throw err;
    }
    try {
      await operations.assertAllowed(request.user, request.cmd);
    } catch (err) {
      return { kind: 'refused', reply: await failureReply(this.deps, request.user, err, channelId) };
    }
    if (!(await claims.claim(request.cardPress))) {
      return {
        kind: 'refused',
        reply: {
          response_type: 'ephemeral',
          replace_original: false,
          text: 'That action is already running or done from this card (a press runs once); wait for the card to update, or press Refresh.',
        },
      };
    }
    return { kind: 'run', request, uapi: linked.client, account: linked.account };
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
    if (key !== undefined && !(await this.deps.operations.inflight.tryBegin(key))) {
      await this.deps.claims.release(req.cardPress);
      await this.tell(req, 'That action is already running on this call; wait for it to finish.');
      return;
    }
    try {
      this.display.markWorking(req, await this.display.boardCard(req));
      let outcome: Outcome;
      try {
        outcome = await execute(uapi, req.cmd, { ownExtension: account.extension });
      } catch (err) {
        await this.failed(req, err);
        return;
      }
      try {
        await this.succeeded(req, outcome);
      } catch (err) {
        // The action happened: whatever Slack did with the card, the user must not think otherwise.
        const code = (err as { data?: { error?: string } }).data?.error ?? (err instanceof Error ? err.message : String(err));
        this.deps.logger.warn('an action ran but its result could not be shown', { error: code });
        await this.tell(req, `The action ran, but Slack did not take its card (${code}). Press Refresh on the card, or run \`/call list\`, to see the call.`).catch(() => undefined);
      }
    } finally {
      if (key !== undefined) await this.deps.operations.inflight.end(key).catch((err: unknown) => this.deps.logger.warn('could not release an action claim', { error: String(err) }));
    }
  }

  private async succeeded(req: ActionRequest, outcome: Outcome): Promise<void> {
    const { operations } = this.deps;
    if (outcome.kind === 'events') {
      const msg = operations.message(req.user.userId, outcome);
      await this.tell(req, msg.text, msg.blocks);
      return;
    }
    if (outcome.kind === 'calls') {
      let msg = operations.message(req.user.userId, outcome);
      const only = outcome.calls.length === 1 ? outcome.calls[0]! : undefined;
      if (req.surface.kind === 'card' && only) msg = callCard(only, { extension: outcome.extension, note: `Refreshed by <@${req.user.userId}> · ${operations.time()}` });
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
    background.track(publisher.syncOthers(req.client, outcome.phoneCallId, where, () => msg));
    if (outcome.unread) this.rereads.schedule({ client: req.client, user: req.user, phoneCallId: outcome.phoneCallId, extension: outcome.extension, note, where });
    else if (outcome.call) followUp.follow(req.client, req.user, outcome.call, outcome.extension, note, outcome.awaitingAnswer);
    for (const hook of this.deps.afterAction) {
      background.track(Promise.resolve().then(() => hook({ user: req.user, cmd, outcome, message: msg, client: req.client })));
    }
  }

  private async failed(req: ActionRequest, err: unknown): Promise<void> {
    const place = cardPlace(req.surface);
    const cmd = req.cmd;
    const callId = cmd.kind === 'action' || cmd.kind === 'show' ? cmd.phoneCallId : undefined;
    const uncertain = cmd.kind === 'action' && err instanceof UapiError && err.kind === 'timeout';
    if (!uncertain) await this.deps.claims.release(req.cardPress);
    const boardCard = await this.display.boardCard(req);
    if (boardCard) {
      // A board card is the board's to render: the failure goes into its audit thread, and the board reads the call again.
      const said = uncertain ? 'may or may not have happened (VoipNow did not answer in time)' : slackSentence(err, this.deps);
      this.deps.board!.note(boardCard, actionLine(req.user.userId, cmd, { ok: false, error: said }));
    } else if (uncertain && callId) {
      // It may have happened: never put the old card back as if nothing did; read the call again.
      const label = callAction(cmd.action).label;
      const note = `:grey_question: <@${req.user.userId}>: ${label} may or may not have happened (VoipNow did not answer in time); reading the call again…`;
      const msg = this.display.pendingOn(req, callId, cmd.extension, note);
      const where = await this.display.show(req, msg, { phoneCallId: callId, extension: cmd.extension }, true).catch(() => undefined);
      this.rereads.schedule({
        client: req.client,
        user: req.user,
        phoneCallId: callId,
        extension: cmd.extension,
        note: `<@${req.user.userId}> asked for ${label}; VoipNow did not confirm it in time`,
        where,
      });
    } else if (place?.blocks) {
      // Nothing happened: the card goes back as it was (or shows the call ended).
      const blocks =
        err instanceof CallGone && callId ? replaceCallBlocks(place.blocks, callId, endedCard(callId, cmd.kind === 'dial' ? (cmd.from ?? '') : cmd.extension).blocks) : place.blocks;
      await this.deps.publisher.update(req.client, place, { text: callId ? `Call ${callId}` : 'Call', blocks }).catch(() => undefined);
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
