/**
 * The Bolt app: Socket Mode when an app token is given, the HTTP receiver
 * (`/slack/events`) otherwise; both also serve `GET /healthz` and the VoipNow
 * OAuth callback. Listeners live in their own files; this only wires them.
 */
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Logger as BoltLogger, type Receiver, type webApi } from '@slack/bolt';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import type { Store } from '../store/types.js';
import type { UapiHttp } from '../uapi/http.js';
import type { VoipnowOAuth } from '../uapi/oauth.js';
import type { Logger } from '../log.js';
import { Accounts } from './accounts.js';
import { CALLBACK_PATH, LINK_BUTTON_ACTION, Linking } from './linking.js';
import { CallOperations } from './operations.js';
import { CardPublisher } from './publish.js';
import { RingFollowUp, type FollowUpOptions } from './followup.js';
import { registerCommands } from './commands.js';
import { registerInteractions } from './interactions.js';
import { registerEventEditing } from './events.js';
import { registerHome } from './home.js';
import type { SlackDeps } from './deps.js';
import { APP_NAME, APP_VERSION } from '../version.js';
import { Background } from '../background.js';
import { SlackBoard, type SlackBoardOptions } from './board/index.js';
import { Supervisors } from './supervisors.js';

export interface SlackAppOptions {
  config: Pick<Config, 'slack' | 'port' | 'publicUrl' | 'supervisors'> & Partial<Pick<Config, 'board' | 'supervisorGroup'>>;
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
  /** Supervisor board tuning (tests shorten polling and thresholds). */
  board?: Partial<Pick<SlackBoardOptions, 'timing' | 'thresholds' | 'budgets' | 'queues' | 'eventsUrl'>>;
}

export interface SlackApp {
  app: App;
  deps: SlackDeps;
  /** The supervisor board (issue 11). */
  board: SlackBoard;
  mode: 'socket' | 'http';
  /** Starts listening; returns the HTTP port actually bound (HTTP mode). */
  start(): Promise<{ port?: number }>;
  /** Resolves when no background work (follow-ups, card syncs, board writes) is pending. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** Bolt logs through ours, so its lines are redacted like every other. */
function boltLogger(logger: Logger, level: LogLevel): BoltLogger {
  const text = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' ');
  let current = level;
  return {
    debug: (...a) => logger.debug(`bolt: ${text(a)}`),
    info: (...a) => logger.info(`bolt: ${text(a)}`),
    warn: (...a) => logger.warn(`bolt: ${text(a)}`),
    error: (...a) => logger.error(`bolt: ${text(a)}`),
    setLevel: (l) => (current = l),
    getLevel: () => current,
    setName: () => undefined,
  };
}

export function createSlackApp(opts: SlackAppOptions): SlackApp {
  const { config, store, logger } = opts;
  const now = opts.now ?? Date.now;
  const accounts = new Accounts(store, opts.http, opts.oauth, logger, now);
  let app: App | undefined;
  const linking = new Linking({ store, accounts, oauth: opts.oauth, publicUrl: config.publicUrl, logger, slack: () => app!.client, now });
  const publisher = new CardPublisher(store, logger);
  const background = new Background((err) => logger.error('background work failed', { error: err instanceof Error ? err.message : String(err) }));
  const deps: SlackDeps = {
    accounts,
    linking,
    operations: new CallOperations(accounts, config.supervisors, undefined, now),
    publisher,
    followUp: new RingFollowUp(accounts, publisher, logger, opts.followUp),
    store,
    logger,
    voipnowHost: new URL(opts.http.origin).host,
    now,
    background,
  };
  // Supervisor board (issue 11): roles from the user group or list, the board and its receiver route.
  const supervisors = new Supervisors({ group: config.supervisorGroup, userIds: config.supervisors }, () => app!.client, logger, now);
  deps.operations.roles = supervisors;
  const board = new SlackBoard({
    store, accounts, supervisors, background, logger, now,
    botToken: config.slack.botToken,
    clientOptions: { ...(config.slack.apiUrl && { slackApiUrl: config.slack.apiUrl }), ...opts.slackClientOptions },
    eventsUrl: opts.board?.eventsUrl ?? config.board?.eventsUrl,
    timing: { ...(config.board && { liveMs: config.board.pollLiveMs, idleMs: config.board.pollIdleMs }), ...opts.board?.timing },
    thresholds: { ...config.board?.thresholds, ...opts.board?.thresholds },
    budgets: { ...(config.board && { updatesPerMinute: config.board.updatesPerMinute }), ...opts.board?.budgets },
    ...(opts.board?.queues && { queues: opts.board.queues }),
  });
  deps.board = board;

  const routes = [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ ok: true, app: APP_NAME, version: APP_VERSION }));
      },
    },
    {
      path: CALLBACK_PATH,
      method: ['GET'],
      handler: (req: IncomingMessage, res: ServerResponse) => {
        linking.callback(req, res).catch((err: unknown) => {
          logger.error('OAuth callback failed', { error: err instanceof Error ? err.message : String(err) });
          if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end('callops could not finish linking; the error was logged.');
        });
      },
    },
  ];

  routes.push(board.route());

  const level = LogLevel.WARN;
  const socket = Boolean(config.slack.appToken);
  // Separate objects: the Socket Mode client mutates the options it is given.
  const clientOptions = (): webApi.WebClientOptions => ({
    ...(config.slack.apiUrl && { slackApiUrl: config.slack.apiUrl }),
    ...opts.slackClientOptions,
  });
  const receiver: Receiver = socket
    ? new SocketModeReceiver({
        appToken: config.slack.appToken!,
        customRoutes: routes,
        installerOptions: { port: config.port, clientOptions: clientOptions() },
        logger: boltLogger(logger, level),
      })
    : new HTTPReceiver({
        signingSecret: config.slack.signingSecret!,
        endpoints: '/slack/events',
        customRoutes: routes,
        logger: boltLogger(logger, level),
      });
  app = new App({ token: config.slack.botToken, receiver, clientOptions: clientOptions(), logger: boltLogger(logger, level) });

  app.action(LINK_BUTTON_ACTION, async ({ ack }) => ack());
  registerCommands(app, deps);
  registerInteractions(app, deps);
  registerEventEditing(app, deps);
  registerHome(app, deps);
  app.event('subteam_members_changed', async ({ event }) => supervisors.membersChanged(event as { subteam_id?: string; added_users?: string[]; removed_users?: string[] }));
  app.error(async (err) => {
    logger.error('unhandled Slack listener error', { error: err.message });
  });

  const theApp = app;
  return {
    app: theApp,
    deps,
    board,
    mode: socket ? 'socket' : 'http',
    start: async () => {
      if (socket) {
        await theApp.start();
        await board.start();
        return {};
      }
      const server = (await theApp.start({ port: config.port, ...(opts.host && { host: opts.host }) })) as import('node:http').Server;
      const address = server.address();
      await board.start();
      return { port: typeof address === 'object' && address ? address.port : config.port };
    },
    idle: () => background.idle(),
    stop: async () => {
      board.stop();
      deps.followUp.close();
      await background.close();
      await theApp.stop();
    },
  };
}
