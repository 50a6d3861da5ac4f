/**
 * Distribution mode wired into the Bolt app: "Add to Slack" on the HTTP receiver, Bolt's
 * authorize over the installation store (with single-flight token rotation), clients that
 * find each workspace's token, the request's workspace for the work it starts, the Slack
 * Connect guard against that workspace, and the uninstall listeners. Single-workspace mode
 * uses none of it.
 */
import type { App, HTTPReceiver, HTTPReceiverOptions, webApi } from '@slack/bolt';
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import type { InstallationKey, InstallationStore } from '../../store/installations.js';
import type { SqlRunner } from '../../store/sql-runner.js';
import type { Store } from '../../store/types.js';
import type { SlackBoard } from '../board/index.js';
import { type BotTokens, botTokens } from './bot-token-rotation.js';
import { installerReceiverOptions } from './installer.js';
import { registerUninstall, type UninstallDeps } from './uninstall.js';
import { type Installation, workspaceGuard } from './workspace-guard.js';
import { currentWorkspace, refuseWithoutToken, WorkspaceWebClient, workspaceOfRequest } from './workspace-tokens.js';

export interface DistributionDeps {
  config: Pick<Config, 'slack' | 'publicUrl'>;
  installations: { store: InstallationStore; sql: SqlRunner };
  store: Store;
  logger: Logger;
  now: () => number;
}

/** The workspace (and org) the current request was authorized for, as the Slack Connect guard reads it. */
function currentInstallation(): Installation | undefined {
  const key = currentWorkspace();
  return key?.teamId ? { teamId: key.teamId, ...(key.enterpriseId && { enterpriseId: key.enterpriseId }) } : undefined;
}

export class Distribution {
  #tokens: BotTokens | undefined;

  constructor(private readonly deps: DistributionDeps & { settings: NonNullable<Config['slack']['distribution']> }) {}

  /** Each workspace's bot token now (rotated first when expiring); undefined before the receiver exists or when not installed. */
  readonly tokenFor = (key: InstallationKey): Promise<string | undefined> => (this.#tokens ? this.#tokens.tokenFor(key) : Promise.resolve(undefined));

  /** A Web API call that still carries no token is answered `not_authed` and never reaches Slack. */
  guardFetch<F>(fetch: F): F {
    return refuseWithoutToken(fetch);
  }

  /** A client without a token of its own, calling with the current workspace's. */
  client(options: webApi.WebClientOptions): WorkspaceWebClient {
    return new WorkspaceWebClient(this.tokenFor, options);
  }

  /** The HTTP receiver options of "Add to Slack"; `clientOptions` reach `oauth.v2.access` (SLACK_API_URL). */
  receiverOptions(clientOptions: webApi.WebClientOptions): Partial<HTTPReceiverOptions> {
    const { config, installations, store, logger, now, settings } = this.deps;
    return installerReceiverOptions({ ...settings, publicUrl: config.publicUrl, installations: installations.store, claims: store, logger, clientOptions, now });
  }

  /** Before the App is built: its authorize refreshes expiring tokens single-flight. */
  takeInstaller(receiver: HTTPReceiver): void {
    const installer = receiver.installer;
    if (!installer) throw new Error('distribution mode: the HTTP receiver has no installer');
    this.#tokens = botTokens({ installations: this.deps.installations.store, store: this.deps.store, authorize: installer.authorize.bind(installer), now: this.deps.now });
    installer.authorize = this.#tokens.authorize;
  }

  /** After the App is built: its own client, the request's workspace, the Slack Connect guard, uninstalls. */
  attach(app: App, board: SlackBoard, clientOptions: webApi.WebClientOptions, tenants?: UninstallDeps['tenants']): void {
    const { installations, store, logger } = this.deps;
    app.client = this.client(clientOptions);
    // Work a request starts (follow-ups, direct messages) calls Slack with that workspace's token.
    app.use(workspaceOfRequest(installations.store));
    // Slack Connect: only users of the workspace (or org) the request was authorized for act.
    app.use(workspaceGuard(() => currentInstallation(), logger));
    registerUninstall(app, { installations: installations.store, store, sql: installations.sql, board, logger, ...(tenants && { tenants }) });
  }
}

/** Distribution mode when configured (config.slack.distribution), else undefined. */
export function distributionOf(deps: Omit<DistributionDeps, 'installations'> & { installations?: DistributionDeps['installations'] }): Distribution | undefined {
  const settings = deps.config.slack.distribution;
  if (!settings) return undefined;
  if (!deps.installations) throw new Error('distribution mode needs an installation store');
  return new Distribution({ ...deps, installations: deps.installations, settings });
}
