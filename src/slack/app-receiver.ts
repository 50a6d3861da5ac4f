/**
 * The Bolt app and its receiver: Socket Mode when an app token is given, else the HTTP
 * receiver (`/slack/events`, the plain routes, and in distribution mode "Add to Slack")
 * behind the gate, which hands what it verified and parsed straight to the app.
 */
import { App, HTTPReceiver, type LogLevel, SocketModeReceiver, type webApi } from '@slack/bolt';
import { gateRequests, guardSocketMode } from './http/gate.js';
import { slackEvents } from './http/slack-events.js';
import { countingSlackFetch } from '../metrics.js';
import { boltLevel, boltLogger } from './http/bolt-logger.js';
import type { HttpRoute } from './http/http-routes.js';
import { type Installation, noteInstallation } from './workspaces/workspace-guard.js';
import type { SlackAppOptions } from './app-options.js';
import type { AppServices } from './app-services.js';

/** What the receiver reports to the app around it, and asks of it. */
export interface ReceiverState {
  /** True once shutting down: Slack requests are refused (503). */
  stopping: () => boolean;
  /** Socket Mode connected or not (readiness). */
  socketConnected: (connected: boolean) => void;
  /** Bolt's auth.test told which workspace installed the app (single-workspace mode). */
  installation: (found: Installation) => void;
}

export interface BoltApp {
  app: App;
  socket: boolean;
  /** LOG_LEVEL, as Bolt's level. */
  level: LogLevel;
  /** The Web API options of the app's own client. */
  appClientOptions: webApi.WebClientOptions;
}

export function buildBoltApp(opts: SlackAppOptions, services: Pick<AppServices, 'metrics' | 'distribution'>, routes: HttpRoute[], state: ReceiverState): BoltApp {
  const { config, logger } = opts;
  const now = opts.now ?? Date.now;
  const { metrics, distribution } = services;
  // LOG_LEVEL drives Bolt's own logger too (its lines then pass through ours).
  const level = boltLevel(config.logLevel);
  const socket = Boolean(config.slack.appToken);
  // Separate objects: the Socket Mode client mutates the options it is given.
  const clientOptions = (): webApi.WebClientOptions => ({
    ...(config.slack.apiUrl && { slackApiUrl: config.slack.apiUrl }),
    ...opts.slackClientOptions,
  });
  // Every Web API answer the app's clients get is counted by method and status (429s included).
  // Bolt's own auth.test at start also tells which workspace installed the app (no second call).
  const baseFetch = countingSlackFetch(metrics, opts.slackClientOptions?.fetch ?? (globalThis.fetch as unknown as webApi.FetchFunction));
  const appClientOptions = { ...clientOptions(), fetch: distribution ? distribution.guardFetch(baseFetch) : noteInstallation(baseFetch, state.installation) };
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
    receiver.requestListener = gateRequests(receiver.requestListener, {
      signingSecret: config.slack.signingSecret!,
      endpoints: ['/slack/events'],
      logger,
      now,
      stopping: state.stopping,
      deliver: () => events,
      answered: (kind, status, ms) => metrics.slackAck(kind, status, ms),
    });
  } else {
    guardSocketMode(receiver, logger);
  }
  if (distribution && receiver instanceof HTTPReceiver) distribution.takeInstaller(receiver);
  const app = new App({
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
  // The gate hands what it verified and parsed straight to the app (Bolt's receiver would read it again).
  const events = receiver instanceof HTTPReceiver ? slackEvents(app, boltLogger(logger, level)) : undefined;
  if (receiver instanceof SocketModeReceiver) {
    receiver.client.on('connected', () => state.socketConnected(true));
    receiver.client.on('disconnected', () => state.socketConnected(false));
    receiver.client.on('reconnecting', () => state.socketConnected(false));
  }
  return { app, socket, level, appClientOptions };
}
