/**
 * The Bolt app: Socket Mode when an app token is given, the HTTP receiver
 * (`/slack/events`) otherwise; both also serve `GET /healthz` and the VoipNow
 * OAuth callback. Listeners live in their own files; this only wires them.
 */
import { App, HTTPReceiver, SocketModeReceiver, type webApi } from '@slack/bolt';
import type { Config } from '../config.js';
import type { Store } from '../store/types.js';
import type { UapiHttp } from '../uapi/http.js';
import type { VoipnowOAuth } from '../uapi/oauth.js';
import type { Logger } from '../log.js';
import { Accounts } from './users/accounts.js';
import { LINK_BUTTON_ACTION, Linking } from './users/linking.js';
import { ActionsUnderWay, CallOperations, type IsSupervisor } from './actions/operations.js';
import type { AfterAction } from './actions/action-request.js';
import { ActionPipeline, type PipelineOptions } from './actions/pipeline.js';
import { RequestClaims } from './actions/request-claims.js';
import { CardPublisher } from './cards/publish.js';
import { CardWriter } from './cards/card-writer.js';
import { BudgetedSender } from './board/budgeted-sender.js';
import { DEFAULT_BUDGETS } from './board/budget.js';
import { currentWorkspace } from './workspaces/workspace-tokens.js';
import { FOLLOW_UP_QUEUE, RingFollowUp, type FollowUpOptions } from './actions/followup.js';
import { REREAD_QUEUE } from './actions/reread.js';
import { AppJobs } from './actions/jobs.js';
import { MemoryJobQueue } from '../coordination/index.js';
import { registerCommands } from './commands/call-command.js';
import { registerInteractions } from './actions/interactions.js';
import { registerEventEditing } from './commands/call-event-modal.js';
import { registerHome } from './phone/home.js';
import { registerDialNumber } from './commands/dial-number.js';
import { SlackPhone } from './phone/index.js';
import { registerCallBack } from './phone/call-back.js';
import type { SlackDeps } from './deps.js';
import { Background } from '../background.js';
import { gateRequests, guardSocketMode } from './http/gate.js';
import { RequestsInFlight } from './http/requests-in-flight.js';
import { ABANDONED_NOTE_MS, CardNotes, type MarkCard } from './cards/card-notes.js';
import { recordOutcomes } from './actions/outcomes.js';
import { countingSlackFetch, createMetrics, type Metrics } from '../metrics.js';
import { type Readiness, REFUSED_TOKEN_CODES, SlackTokenRefusedError, slackErrorCode } from '../health.js';
import { boltLevel, boltLogger } from './http/bolt-logger.js';
import { httpRoutes } from './http/http-routes.js';
import { appReadiness } from './http/readiness-checks.js';
import { type Installation, noteInstallation, workspaceGuard } from './workspaces/workspace-guard.js';
import type { InstallationStore } from '../store/installations.js';
import type { SqlRunner } from '../store/sql-runner.js';
import { distributionOf } from './workspaces/distribution.js';
import type { VoipnowTenantStore } from '../store/voipnow-tenants.js';
import { tenantsOf } from './workspaces/voipnow-tenants.js';
import { voipnowConnectOf } from './workspaces/voipnow-connect.js';

import { SlackBoard, type BoardReplicas, type SlackBoardOptions } from './board/index.js';
import { Supervisors } from './users/supervisors.js';
import { actionLine } from './board/action-lines.js';
import { legHintOf } from './cards/leg-hints.js';

export interface SlackAppOptions {
  config: Pick<Config, 'slack' | 'port' | 'publicUrl' | 'supervisors'> &
    Partial<Pick<Config, 'board' | 'supervisorGroup' | 'metricsToken' | 'metricsWorkspaceLabels' | 'production'>> & { logLevel?: Config['logLevel'] };
  store: Store;
  http: UapiHttp;
  oauth: VoipnowOAuth;
  logger: Logger;
  now?: () => number;
  /** Extra Web API client options (tests turn retries off). */
  slackClientOptions?: webApi.WebClientOptions;
  /** Interface to listen on in HTTP mode (default: all). */
  host?: string;
  /** How ringing calls are followed after an action (tests shorten it). */
  followUp?: FollowUpOptions;
  /** Who may run supervisor actions (default: the SUPERVISOR_USER_IDS list). */
  isSupervisor?: IsSupervisor;
  /** Re-read delays after an action whose result could not be read (tests shorten them). */
  pipeline?: PipelineOptions;
  /** Prometheus metrics (default: a new registry reading counts from the store). */
  metrics?: Metrics;
  /** Supervisor board tuning (tests shorten polling and thresholds). */
  board?: Partial<Pick<SlackBoardOptions, 'timing' | 'thresholds' | 'budgets' | 'queues' | 'eventsUrl' | 'ownerCheckMs'>>;
  /** Several replicas on one PostgreSQL (DATABASE_URL): the board runs on the holder of a lease. */
  replicas?: BoardReplicas;
  /** Distribution mode (config.slack.distribution): where installations are kept, and the store's SQL for uninstalls. */
  installations?: { store: InstallationStore; sql: SqlRunner };
  /** Read linked users' extensions (missed-call DMs, App Home's live panel, calls.end); default true. */
  phoneLines?: boolean;
  /** Distribution mode: each workspace's VoipNow server (`http` and `oauth` then serve no workspace). */
  tenants?: { store: VoipnowTenantStore; timeoutMs?: number };
}

export interface SlackApp {
  app: App;
  deps: SlackDeps;
  /** The supervisor board. */
  board: SlackBoard;
  mode: 'socket' | 'http';
  /** Starts listening; returns the HTTP port actually bound (HTTP mode). */
  start(): Promise<{ port?: number }>;
  /** Resolves when no background work (follow-ups, card syncs, board writes) is pending. */
  idle(): Promise<void>;
  /** Stops taking work, lets in-flight actions finish (at most `drainMs`, default 8 s), then stops listening. */
  stop(opts?: { drainMs?: number }): Promise<void>;
  /** What `GET /readyz` reports. */
  readiness: Readiness;
  /** What `GET /metrics` serves. */
  metrics: Metrics;
}

export function createSlackApp(opts: SlackAppOptions): SlackApp {
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
  let app: App | undefined;
  const signInWithSlack = config.slack.clientId && config.slack.clientSecret ? { clientId: config.slack.clientId, clientSecret: config.slack.clientSecret } : undefined;
  const linking = new Linking({ store, accounts, publicUrl: config.publicUrl, logger, slack: () => app!.client, now, signInWithSlack });
  // One sender for every card (board and call cards): one update budget per workspace, one post budget per channel.
  const budgets = { ...DEFAULT_BUDGETS, ...(config.board && { updatesPerMinute: config.board.updatesPerMinute }), ...opts.board?.budgets };
  const sender = new BudgetedSender(budgets, logger, now, !distribution);
  const cardWriter = new CardWriter(sender, () => board.client, logger);
  const publisher = new CardPublisher(store, logger, cardWriter, () => currentWorkspace()?.teamId);
  const background = new Background((err) => logger.error('background work failed', { error: err instanceof Error ? err.message : String(err) }));
  // Who is a supervisor: a Slack user group (SUPERVISOR_GROUP), else SUPERVISOR_USER_IDS, else every linked user.
  const supervisors = new Supervisors({ group: config.supervisorGroup, userIds: config.supervisors }, () => app!.client, logger, now);
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
    client: () => app!.client,
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

  // Readiness: set once Slack accepted the bot token (auth.test at start) and while Socket Mode is connected.
  let slackAuthChecked = false;
  let socketConnected = false;
  const readiness = appReadiness({
    store,
    // Distribution mode: each workspace's server is its own; one unreachable tenant never makes the replica unready.
    ...(!distribution && { http: opts.http }),
    slackAuthChecked: () => slackAuthChecked,
    ...(config.slack.appToken && { socketConnected: () => socketConnected }),
    linkingUnverified: Boolean(config.production) && !signInWithSlack,
  });

  const routes = httpRoutes({ readiness, metrics, linking, logger, ...(config.metricsToken && { metricsToken: config.metricsToken }) });
  routes.push(board.route());

  // LOG_LEVEL drives Bolt's own logger too (its lines then pass through ours).
  const level = boltLevel(config.logLevel);
  let installation: Installation | undefined;
  const socket = Boolean(config.slack.appToken);
  // Separate objects: the Socket Mode client mutates the options it is given.
  const clientOptions = (): webApi.WebClientOptions => ({
    ...(config.slack.apiUrl && { slackApiUrl: config.slack.apiUrl }),
    ...opts.slackClientOptions,
  });
  // Every Web API answer the app's clients get is counted by method and status (429s included).
  // Bolt's own auth.test at start also tells which workspace installed the app (no second call).
  const baseFetch = countingSlackFetch(metrics, opts.slackClientOptions?.fetch ?? (globalThis.fetch as unknown as webApi.FetchFunction));
  const appClientOptions = { ...clientOptions(), fetch: distribution ? distribution.guardFetch(baseFetch) : noteInstallation(baseFetch, (found) => (installation = found)) };
  const receiver: SocketModeReceiver | HTTPReceiver = socket
    ? new SocketModeReceiver({
        appToken: config.slack.appToken!,
        customRoutes: routes,
        installerOptions: { port: config.port, clientOptions: clientOptions() },
        logger: boltLogger(logger, level),
      })
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret!,
        // The gate below has checked the signature (both ways in time) before Bolt sees a request.
        signatureVerification: false,
        endpoints: '/slack/events',
        customRoutes: routes,
        logger: boltLogger(logger, level),
        // "Add to Slack": Bolt's InstallProvider serves /slack/install and /slack/oauth_redirect.
        ...distribution?.receiverOptions({ ...clientOptions(), fetch: baseFetch }),
      });
  // Malformed or mis-timed Slack requests stop at the gate, before Bolt can throw on them.
  if (receiver instanceof HTTPReceiver) {
    receiver.requestListener = gateRequests(receiver.requestListener, { signingSecret: config.slack.signingSecret!, endpoints: ['/slack/events'], logger, now, stopping: () => stopping });
  } else {
    guardSocketMode(receiver, logger);
  }
  if (distribution && receiver instanceof HTTPReceiver) distribution.takeInstaller(receiver);
  let stopping = false;
  const cardNotes = new CardNotes(store.outbox, logger, now);
  const inFlight = new RequestsInFlight(logger, cardNotes);
  app = new App({
    ...(!distribution && { token: config.slack.botToken }),
    receiver,
    clientOptions: appClientOptions,
    logger: boltLogger(logger, level),
    // Unused by callops, and about 18% of the acknowledgement path's CPU when on (Bolt's default).
    convoStore: false,
    // Bolt's filter of the bot's own message events: callops listens to no message events, and the
    // filter is one more middleware on every request.
    ignoreSelf: false,
    // auth.test runs in start() where its failure can stop the start cleanly, not in the constructor
    // as an unhandled rejection.
    deferInitialization: true,
  });
  if (receiver instanceof SocketModeReceiver) {
    receiver.client.on('connected', () => (socketConnected = true));
    receiver.client.on('disconnected', () => (socketConnected = false));
    receiver.client.on('reconnecting', () => (socketConnected = false));
  }

  // Every request being handled is tracked until its listener is done (not just acknowledged),
  // so shutdown lets in-flight actions finish and write their card. Once stopping, new work is
  // left unacknowledged: Slack sends it again, to a process that is not going away.
  app.use(async ({ next, body }) => {
    if (stopping) return;
    const run = next();
    const settled = run.catch(() => undefined);
    background.track(settled);
    inFlight.track(body, settled);
    await run;
  });
  app.use(recordOutcomes(logger, metrics));
  distribution?.attach(app, board, { ...appClientOptions, logger: boltLogger(logger, level) }, tenants);
  // Slack Connect: only the installing workspace (or its Enterprise Grid org) acts.
  app.use(workspaceGuard(() => installation, logger));
  app.action(LINK_BUTTON_ACTION, async ({ ack }) => ack());
  registerCommands(app, deps);
  registerInteractions(app, deps);
  registerEventEditing(app, deps);
  registerHome(app, deps);
  registerDialNumber(app, deps);
  registerCallBack(app, deps);
  deps.connect?.register(app);
  app.event('subteam_members_changed', async ({ event }) => supervisors.membersChanged(event as { subteam_id?: string; added_users?: string[]; removed_users?: string[] }));
  // The bot was invited (back) into a channel: a board paused there because Slack refused its writes resumes.
  app.event('member_joined_channel', async ({ event, context }) => {
    const e = event as { user?: string; channel?: string; team?: string };
    const teamId = context.teamId ?? e.team;
    if (!e.channel || !teamId || !context.botUserId || e.user !== context.botUserId) return;
    await board.botJoined(teamId, e.channel);
  });
  app.error(async (err) => {
    logger.error('unhandled Slack listener error', { error: err.message });
  });

  const theApp = app;
  // A card left "working…" is marked interrupted through the card writer, like every card write.
  const markCard: MarkCard = (card, msg) => publisher.update(card, msg, { sameState: true });
  // The board's lease is per workspace: the bot token's team.
  const boardTeam = async (): Promise<string> => {
    if (!opts.replicas || distribution) return 'default';
    const auth = await theApp.client.auth.test();
    return String(auth.team_id ?? 'default');
  };
  // Cards a stopped process left "working…" are marked interrupted: at once when this process is
  // alone on its store; with replicas once their press stopped touching its note, checked now and then.
  let notesTimer: NodeJS.Timeout | undefined;
  const sweepNotes = async (): Promise<void> => {
    const sweep = (olderThanMs: number) =>
      cardNotes.sweep(markCard, olderThanMs).catch((err: unknown) => logger.warn('could not mark interrupted cards', { error: err instanceof Error ? err.message : String(err) }));
    if (!opts.replicas) {
      await sweep(0);
      return;
    }
    await sweep(ABANDONED_NOTE_MS);
    notesTimer = setInterval(() => void sweep(ABANDONED_NOTE_MS), ABANDONED_NOTE_MS / 2);
    notesTimer.unref();
  };
  return {
    app: theApp,
    deps,
    board,
    mode: socket ? 'socket' : 'http',
    readiness,
    metrics,
    start: async () => {
      try {
        await theApp.init();
      } catch (err) {
        throw refusedOr(err, 'SLACK_BOT_TOKEN', 'could not check SLACK_BOT_TOKEN with Slack (auth.test)');
      }
      slackAuthChecked = true;
      if (socket) {
        try {
          await theApp.start();
        } catch (err) {
          throw refusedOr(err, 'SLACK_APP_TOKEN', 'could not open the Socket Mode connection');
        }
        await sweepNotes();
        await board.start(await boardTeam());
        if (opts.phoneLines !== false) await phone.start();
        return {};
      }
      const server = (await theApp.start({ port: config.port, ...(opts.host && { host: opts.host }) })) as import('node:http').Server;
      const address = server.address();
      await sweepNotes();
      await board.start(await boardTeam());
      if (opts.phoneLines !== false) await phone.start();
      return { port: typeof address === 'object' && address ? address.port : config.port };
    },
    idle: () => background.idle(),
    stop: async (opts: { drainMs?: number } = {}) => {
      // Stop taking new work, drop follow-ups not yet due, let what runs finish (bounded), then close.
      stopping = true;
      phone.stop();
      clearInterval(notesTimer);
      await board.stop().catch((err: unknown) => logger.warn('shutdown: could not hand the board back', { error: String(err) }));
      deps.followUp.close();
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([background.close().then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), opts.drainMs ?? 8000)))]);
      clearTimeout(timer);
      if (!drained) {
        logger.warn(`shutdown: ${background.size} piece(s) of work still running after the drain time; telling ${inFlight.size} user(s) they were interrupted`);
        await inFlight.interrupt(markCard);
      }
      if (ownQueue) await queue.stop();
      tenants.close();
      await theApp.stop();
    },
  };
}

/** A refused token becomes the one-line start error naming its variable; anything else keeps its message. */
function refusedOr(err: unknown, variable: string, doing: string): Error {
  const code = slackErrorCode(err);
  if (code && REFUSED_TOKEN_CODES.has(code)) return new SlackTokenRefusedError(variable, code);
  return new Error(`${doing}: ${err instanceof Error ? err.message : String(err)}`);
}
