/**
 * An action as the pipeline sees it: the request (who, what, where it came from and where its
 * result goes), the card press it may be, what completed, and what the pipeline is given. The
 * pipeline (pipeline.ts), what shows its progress (action-display.ts) and the listeners that
 * build requests all read these types from here.
 */
import type { webApi } from '@slack/bolt';
import type { Background } from '../../background.js';
import type { Outcome, UapiCommand } from '../../calls/execute.js';
import type { Logger } from '../../log.js';
import type { LinkedAccount } from '../../store/types.js';
import type { UapiClient } from '../../uapi/client.js';
import type { Accounts, SlackUser } from '../users/accounts.js';
import type { SlackBoard } from '../board/index.js';
import type { RingFollowUp } from './followup.js';
import type { Linking } from '../users/linking.js';
import type { CallOperations } from './operations.js';
import type { CardPublisher, SlackMessage } from '../cards/publish.js';
import type { RereadJobs } from './reread.js';
import type { RequestClaims } from './request-claims.js';
import type { Surface } from './surface.js';
import type { PressNote } from '../cards/card-notes.js';

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
  /** A press on a card: its note, stored with the press's claims (card-notes.ts). */
  note?: PressNote;
  /** A press of a button on a card: which card, at which version, and whether the press runs the action itself. */
  press?: CardPress;
  /** A typed command that runs as soon as it is admitted (nothing to confirm first): its claims record its hold on the call. */
  runsAtOnce?: boolean;
  /** Set on admission: the claim of this action on this card version, given back when the action did not happen. */
  cardClaim?: string;
}

/** A button pressed on a card (channel and ts), drawn at `version` (0: a button without one). */
export interface CardPress {
  channelId: string;
  messageTs: string;
  actionId: string;
  version: number;
  /** The press runs the action (Hold, Resume, ...): once per card version; false when it opens a modal. */
  runsAction: boolean;
  /** A submitted modal, checked against the version of the card whose button opened it. */
  fromForm?: boolean;
}

/** An action that completed, for hooks such as the supervisor board's audit line. */
export interface ActionDone {
  user: SlackUser;
  cmd: ActionCommand;
  outcome: ActionOutcome;
  message: SlackMessage;
  client: WebClient;
  /** The conversation the action came from (its card is there). */
  channelId?: string;
  /** The id the supervisor board was given when the action started (its end names it). */
  actionId?: string;
}
export type AfterAction = (done: ActionDone) => Promise<void> | void;

export type Reply = Record<string, unknown> & { text: string };

export type Admission =
  /**
   * `began`: the action's in-flight claim (operations.ts) was taken on admission, under this key;
   * `actionId`: its claims recorded the action's hold on its call under this id (the board's start and end name it).
   */
  | { kind: 'run'; request: ActionRequest; uapi: UapiClient; account: LinkedAccount; began?: string; actionId?: string }
  /** A retry or a duplicate of a request already received: answer nothing more. */
  | { kind: 'duplicate' }
  /** Not linked, not allowed, or pressed already: the private reply says so; nothing was sent to VoipNow. */
  | { kind: 'refused'; reply: Reply };

/** What the pipeline is given (app.ts builds it with the listeners' deps). */
export interface PipelineDeps {
  accounts: Accounts;
  linking: Linking;
  operations: CallOperations;
  publisher: CardPublisher;
  /** Follows calls that are still ringing and updates their cards. */
  followUp: RingFollowUp;
  logger: Logger;
  /** Work that outlives a request: the drain point. */
  background: Background;
  /** Told after every completed action on a call; run in the background. */
  afterAction: AfterAction[];
  /** The supervisor board, when there is one. */
  board?: SlackBoard;
  claims: RequestClaims;
  /** Re-reads as queue jobs (app.ts); without, timers in this process. */
  rereadJobs?: RereadJobs;
}
