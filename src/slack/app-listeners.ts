/**
 * Everything the Bolt app listens to: the middleware every request passes (in-flight
 * tracking, outcomes, the workspace guards) and the listeners, which live in their own
 * files; this only registers them, then indexes them by kind (listener-index.ts).
 */
import type { App, LogLevel, webApi } from '@slack/bolt';
import { LINK_BUTTON_ACTION } from './users/linking.js';
import { registerCommands } from './commands/call-command.js';
import { registerInteractions } from './actions/interactions.js';
import { registerEventEditing } from './commands/call-event-modal.js';
import { registerHome } from './phone/home.js';
import { registerDialNumber } from './commands/dial-number.js';
import { registerCallBack } from './phone/call-back.js';
import type { RequestsInFlight } from './http/requests-in-flight.js';
import { outcomeRecorder } from './actions/outcomes.js';
import { boltLogger } from './http/bolt-logger.js';
import { type GuardedRequest, type Installation, guardWorkspace, workspaceGuard } from './workspaces/workspace-guard.js';
import { indexListeners } from './listener-index.js';
import type { AppServices } from './app-services.js';
import type { Logger } from '../log.js';

export interface ListenerOptions {
  logger: Logger;
  inFlight: RequestsInFlight;
  /** True once shutting down: new work is left unacknowledged. */
  stopping: () => boolean;
  /** The installing workspace (single-workspace mode), once Bolt's auth.test told it. */
  installation: () => Installation | undefined;
  appClientOptions: webApi.WebClientOptions;
  level: LogLevel;
}

export function registerListeners(app: App, services: AppServices, o: ListenerOptions): void {
  const { deps, background, metrics, distribution, board, tenants, supervisors } = services;
  const { logger } = o;
  const recordOutcome = outcomeRecorder(logger, metrics);
  // Slack Connect: only the installing workspace (or its Enterprise Grid org) acts. In distribution
  // mode the guard runs as its own step after distribution's (the request's workspace first).
  const guard = distribution ? undefined : guardWorkspace(o.installation, logger);
  // One step of Bolt's global middleware for what every request passes (each step is one more copy
  // of the request's arguments): in-flight tracking, then the outcome, then the workspace guard.
  // Every request being handled is tracked until its listener is done (not just acknowledged),
  // so shutdown lets in-flight actions finish and write their card. Once stopping, new work is
  // left unacknowledged: Slack sends it again, to a process that is not going away.
  app.use(async (args) => {
    if (o.stopping()) return;
    const { body, next, context } = args;
    const tracked = o.inFlight.start(body, context);
    const run = recordOutcome(body, guard ? () => guard(args as unknown as GuardedRequest, next) : next);
    const settled = run.catch(() => undefined);
    background.track(settled);
    tracked.until(settled);
    await run;
  });
  if (distribution) {
    distribution.attach(app, board, { ...o.appClientOptions, logger: boltLogger(logger, o.level) }, tenants);
    app.use(workspaceGuard(o.installation, logger));
  }
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
  // Each request runs only the listeners of its kind (all are registered by now).
  indexListeners(app);
  app.error(async (err) => {
    logger.error('unhandled Slack listener error', { error: err.message });
  });
}
