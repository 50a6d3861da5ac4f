/** What the Slack app is built from (SlackAppOptions) and what it gives back (SlackApp). */
import type { App, webApi } from '@slack/bolt';
import type { Config } from '../config.js';
import type { Store } from '../store/types.js';
import type { UapiHttp } from '../uapi/http.js';
import type { VoipnowOAuth } from '../uapi/oauth.js';
import type { Logger } from '../log.js';
import type { IsSupervisor } from './actions/operations.js';
import type { PipelineOptions } from './actions/pipeline.js';
import type { FollowUpOptions } from './actions/followup.js';
import type { SlackDeps } from './deps.js';
import type { Metrics } from '../metrics.js';
import type { Readiness } from '../health.js';
import type { InstallationStore } from '../store/installations.js';
import type { SqlRunner } from '../store/sql-runner.js';
import type { VoipnowTenantStore } from '../store/voipnow-tenants.js';
import type { BoardReplicas, SlackBoard, SlackBoardOptions } from './board/index.js';

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
