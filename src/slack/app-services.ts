/**
 * What the Slack listeners share (SlackDeps) and the work behind it: accounts and linking,
 * the action pipeline with its follow-ups and jobs, the supervisor board, the phone users'
 * lines, metrics, and which VoipNow server each workspace talks to. Built before the Bolt
 * app, which it reaches through `slack()` once that exists.
 */
import type { webApi } from '@slack/bolt';
import { Accounts } from './users/accounts.js';
import { Linking } from './users/linking.js';
import { ActionsUnderWay, CallOperations } from './actions/operations.js';
import type { AfterAction } from './actions/action-request.js';
import { ActionPipeline } from './actions/pipeline.js';
import { RequestClaims } from './actions/request-claims.js';
import { CardPublisher } from './cards/publish.js';
import { CardWriter } from './cards/card-writer.js';
import { BudgetedSender } from './board/budgeted-sender.js';
import { DEFAULT_BUDGETS } from './board/budget.js';
import { currentWorkspace } from './workspaces/workspace-tokens.js';
import { FOLLOW_UP_QUEUE, RingFollowUp } from './actions/followup.js';
import { REREAD_QUEUE } from './actions/reread.js';
import { AppJobs } from './actions/jobs.js';
import { type JobQueue, MemoryJobQueue } from '../coordination/index.js';
import { SlackPhone } from './phone/index.js';
import type { SlackDeps } from './deps.js';
import { Background } from '../background.js';
import { countingSlackFetch, createMetrics, type Metrics } from '../metrics.js';
import { distributionOf } from './workspaces/distribution.js';
import { type VoipnowTenants, tenantsOf } from './workspaces/voipnow-tenants.js';
import { voipnowConnectOf } from './workspaces/voipnow-connect.js';
import { SlackBoard } from './board/index.js';
import { Supervisors } from './users/supervisors.js';
import { actionLine } from './board/action-lines.js';
import { legHintOf } from './cards/leg-hints.js';
import type { SlackAppOptions } from './app-options.js';

export type Distribution = NonNullable<ReturnType<typeof distributionOf>>;

export interface AppServices {
  deps: SlackDeps;
  /** Distribution mode's installations and tokens; undefined in single-workspace mode. */
  distribution: Distribution | undefined;
  /** The follow-up and re-read jobs' queue, and whether this app owns it (no replicas). */
  queue: JobQueue;
  ownQueue: boolean;
  metrics: Metrics;
  tenants: VoipnowTenants;
  linking: Linking;
  /** Sign in with Slack's app credentials, when configured. */
  signInWithSlack: { clientId: string; clientSecret: string } | undefined;
  background: Background;
  supervisors: Supervisors;
  board: SlackBoard;
  phone: SlackPhone;
}

export function buildServices(opts: SlackAppOptions, slack: () => webApi.WebClient): AppServices {
  const { config, store, logger } = opts;
  const now = opts.now ?? Date.now;
  // Distribution mode: no bot token; each workspace's comes from its installation (distribution.ts).
  const distribution = distributionOf({ config, store, logger, now, ...(opts.installations && { installations: opts.installations }) });
  const distributed = <F>(fetch: F): F => (distribution ? distribution.guardFetch(fetch) : fetch);
  // Follow-ups and re-reads are jobs: pg-boss with replicas (durable, run once), else in-process.
  const queue = opts.replicas?.queue ?? new MemoryJobQueue();
  const metrics =
    opts.metrics ??
    createMetrics({
      source: store,
      queues: { names: () => [FOLLOW_UP_QUEUE, REREAD_QUEUE], stats: (name) => queue.stats(name) },
      ...(config.metricsWorkspaceLabels !== undefined && { workspaceLabels: config.metricsWorkspaceLabels }),
    });
  opts.http.observe((e) => metrics.uapiRequest(e));
  if (distribution && !opts.tenants) throw new Error("distribution mode needs a store of the workspaces' VoipNow servers");
  // Which VoipNow server each workspace talks to: its own in distribution mode, else VOIPNOW_URL.
  const tenants = tenantsOf({ ...(distribution && { stored: opts.tenants }), http: opts.http, oauth: opts.oauth, logger, metrics });
  const accounts = new Accounts(store, opts.http, opts.oauth, logger, now, tenants);
  const signInWithSlack = config.slack.clientId && config.slack.clientSecret ? { clientId: config.slack.clientId, clientSecret: config.slack.clientSecret } : undefined;
  const linking = new Linking({ store, accounts, publicUrl: config.publicUrl, logger, slack, now, signInWithSlack });
  // One sender for every card (board and call cards): one update budget per workspace, one post budget per channel.
  const budgets = { ...DEFAULT_BUDGETS, ...(config.board && { updatesPerMinute: config.board.updatesPerMinute }), ...opts.board?.budgets };
  const sender = new BudgetedSender(budgets, logger, now, !distribution);
  const cardWriter = new CardWriter(sender, () => board.client, logger);
  const publisher = new CardPublisher(store, logger, cardWriter, () => currentWorkspace()?.teamId);
  const background = new Background((err) => logger.error('background work failed', { error: err instanceof Error ? err.message : String(err) }));
  // Who is a supervisor: a Slack user group (SUPERVISOR_GROUP), else SUPERVISOR_USER_IDS, else every linked user.
  const supervisors = new Supervisors({ group: config.supervisorGroup, userIds: config.supervisors }, slack, logger, now);
  const operations = new CallOperations(opts.isSupervisor ?? ((user) => supervisors.isSupervisor(user.userId)), new ActionsUnderWay(store, now), now, () => supervisors.howToJoin);
  const ownQueue = !opts.replicas;
  const jobs = new AppJobs(queue, background, logger, ownQueue);
  const followUp = new RingFollowUp(accounts, publisher, logger, opts.followUp ?? {}, jobs, store, background);
  const afterAction: AfterAction[] = [];
  const claims = new RequestClaims(store, now);
  // Supervisor board: the board, its receiver route, and an audit line on its cards after every action.
  const board = new SlackBoard({
    store,
    accounts,
    supervisors,
    background,
    logger,
    now,
    botToken: config.slack.botToken,
    // Board writes are counted like every other Web API call (by method and status, 429s included).
    clientOptions: {
      ...(config.slack.apiUrl && { slackApiUrl: config.slack.apiUrl }),
      ...opts.slackClientOptions,
      fetch: distributed(countingSlackFetch(metrics, opts.slackClientOptions?.fetch ?? (globalThis.fetch as unknown as webApi.FetchFunction))),
    },
    onStaleness: (channelId, seconds) => metrics.boardStaleness(channelId, seconds),
    eventsUrl: opts.board?.eventsUrl ?? config.board?.eventsUrl,
    timing: { ...(config.board && { liveMs: config.board.pollLiveMs, idleMs: config.board.pollIdleMs }), ...opts.board?.timing },
    thresholds: { ...config.board?.thresholds, ...opts.board?.thresholds },
    budgets,
    sender,
    ...(opts.board?.ownerCheckMs && { ownerCheckMs: opts.board.ownerCheckMs }),
    ...((opts.board?.queues ?? config.board?.queues) && { queues: opts.board?.queues ?? config.board?.queues }),
    ...(opts.replicas && { replicas: opts.replicas }),
    ...(distribution && { makeClient: (_token: string, options: webApi.WebClientOptions) => distribution.client(options) }),
  });
  // A user whose link had expired links again: the watches it paused resume.
  accounts.onLinked = async (user) => void (await board.board.resumeOwner(user));
  accounts.onUnlinking = async (user) => void (await board.board.ownerUnlinking(user));
  // Phone users' own extensions, read like the board's watches: missed-call DMs, App Home, Slack Calls.
  const phone = new SlackPhone({
    store,
    accounts,
    logger,
    background,
    client: slack,
    now,
    timing: { ...(config.board && { liveMs: config.board.pollLiveMs, idleMs: config.board.pollIdleMs }), ...opts.board?.timing },
  });
  accounts.onChanged = () => phone.changed();
  board.board.onEvent = (extension) => phone.lines.eventArrived(extension);
  const pipeline = new ActionPipeline({ accounts, linking, operations, publisher, followUp, logger, background, afterAction, claims, board, rereadJobs: { jobs } }, opts.pipeline);
  const deps: SlackDeps = {
    accounts,
    linking,
    operations,
    publisher,
    followUp,
    store,
    logger,
    // Distribution mode: no one host is every workspace's (whoami asks the workspace's own).
    voipnowHost: distribution ? 'your workspace’s VoipNow server' : new URL(opts.http.origin).host,
    now,
    background,
    pipeline,
    afterAction,
    metrics,
    board,
    phone,
    connect: voipnowConnectOf({ tenants, ...(opts.installations && { installations: opts.installations }), store, board, publicUrl: config.publicUrl, logger, now }),
  };
  // The action's read-back is the board cards' new state: no second read of the call for them.
  afterAction.push(({ user, cmd, outcome, actionId }) => {
    const read = outcome.call && !outcome.unread ? { teamId: user.teamId, call: outcome.call, awaiting: Boolean(outcome.awaitingAnswer) } : undefined;
    board.afterAction(outcome.phoneCallId, actionLine(user.userId, cmd, { ok: true }), legHintOf(cmd), read, actionId);
  });
  afterAction.push(phone.afterAction);

  return { deps, distribution, queue, ownQueue, metrics, tenants, linking, signInWithSlack, background, supervisors, board, phone };
}
