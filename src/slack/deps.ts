/**
 * What every Slack listener is given: built once in app.ts.
 */
import type { Accounts } from './users/accounts.js';
import type { Linking } from './users/linking.js';
import type { CallOperations } from './actions/operations.js';
import type { CardPublisher } from './cards/publish.js';
import type { RingFollowUp } from './actions/followup.js';
import type { Store } from '../store/types.js';
import type { Logger } from '../log.js';
import type { Background } from '../background.js';
import type { AfterAction } from './actions/action-request.js';
import type { ActionPipeline } from './actions/pipeline.js';
import type { Metrics } from '../metrics.js';
import type { SlackBoard } from './board/index.js';
import type { SlackPhone } from './phone/index.js';
import type { VoipnowConnect } from './workspaces/voipnow-connect.js';

export interface SlackDeps {
  accounts: Accounts;
  linking: Linking;
  operations: CallOperations;
  publisher: CardPublisher;
  /** Follows calls that are still ringing and updates their cards. */
  followUp: RingFollowUp;
  store: Store;
  logger: Logger;
  /** The VoipNow host, shown to users. */
  voipnowHost: string;
  now: () => number;
  /** Work that outlives a request (follow-ups, card syncs, board writes): the drain point. */
  background: Background;
  /** The one path of every action: commands, presses and modal submissions. */
  pipeline: ActionPipeline;
  /** Told after every completed action on a call (e.g. the supervisor board's audit line); run in the background. */
  afterAction: AfterAction[];
  /** Prometheus metrics: listeners record commandRan / actionRan here. */
  metrics?: Metrics;
  /** The supervisor board; set in app.ts. */
  board?: SlackBoard;
  /** The phone users' own lines: missed calls, App Home's panel, Slack Calls; set in app.ts. */
  phone?: SlackPhone;
  /** Admins connect the workspace's VoipNow server (`/call connect`); set in app.ts. */
  connect?: VoipnowConnect;
}
