/**
 * The Slack app: the services its listeners share (app-services.ts), the Bolt app and its
 * receiver (app-receiver.ts), what it listens to (app-listeners.ts), and here its readiness,
 * plain routes, start and stop. Socket Mode when an app token is given, the HTTP receiver
 * (`/slack/events`) otherwise; both also serve `GET /healthz` and the VoipNow OAuth callback.
 */
import type { App } from '@slack/bolt';
import { RequestsInFlight } from './http/requests-in-flight.js';
import { ABANDONED_NOTE_MS, CardNotes, type MarkCard } from './cards/card-notes.js';
import { redrawInterruptedPress } from './actions/interrupted-press.js';
import { REFUSED_TOKEN_CODES, SlackTokenRefusedError, slackErrorCode } from '../health.js';
import { httpRoutes } from './http/http-routes.js';
import { appReadiness } from './http/readiness-checks.js';
import type { Installation } from './workspaces/workspace-guard.js';
import type { SlackApp, SlackAppOptions } from './app-options.js';
import { buildServices } from './app-services.js';
import { buildBoltApp } from './app-receiver.js';
import { registerListeners } from './app-listeners.js';

export type { SlackApp, SlackAppOptions } from './app-options.js';

export function createSlackApp(opts: SlackAppOptions): SlackApp {
  const { config, store, logger } = opts;
  const now = opts.now ?? Date.now;
  let app: App | undefined;
  const services = buildServices(opts, () => app!.client);
  const { deps, distribution, queue, ownQueue, metrics, tenants, linking, signInWithSlack, background, board, phone } = services;

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

  let stopping = false;
  let installation: Installation | undefined;
  const bolt = buildBoltApp(opts, services, routes, {
    stopping: () => stopping,
    socketConnected: (connected) => (socketConnected = connected),
    installation: (found) => (installation = found),
  });
  const { socket } = bolt;
  app = bolt.app;
  const cardNotes = new CardNotes(store.outbox, logger, now);
  const inFlight = new RequestsInFlight(logger, cardNotes);
  registerListeners(app, services, {
    logger,
    inFlight,
    stopping: () => stopping,
    installation: () => installation,
    appClientOptions: bolt.appClientOptions,
    level: bolt.level,
  });

  const theApp = app;
  // A card left "working…" is marked interrupted through the card writer, like every card write.
  const markCard: MarkCard = (card, msg) => deps.publisher.update(card, msg, { sameState: true });
  // Or, when the note says who pressed, drawn again with the call as that user's link reads it now.
  const redrawCard = redrawInterruptedPress({ ...deps, board });
  // The board's lease is per workspace: the bot token's team.
  const boardTeam = async (): Promise<string> => {
    if (!opts.replicas || distribution) return 'default';
    const auth = await theApp.client.auth.test();
    return String(auth.team_id ?? 'default');
  };
  // Cards a stopped process left "working…" are drawn again (or marked interrupted): at once when this process is
  // alone on its store; with replicas once their press stopped touching its note, checked now and then.
  let notesTimer: NodeJS.Timeout | undefined;
  const sweepNotes = async (): Promise<void> => {
    const sweep = (olderThanMs: number) =>
      cardNotes
        .sweep(markCard, olderThanMs, redrawCard)
        .catch((err: unknown) => logger.warn('could not mark interrupted cards', { error: err instanceof Error ? err.message : String(err) }));
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
