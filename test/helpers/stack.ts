/**
 * The whole product on loopback for end-to-end tests and benchmarks: the real
 * Bolt app (HTTP or Socket Mode) built by createSlackApp, the sandbox PBX, a
 * recording Slack Web API and an SQLite store. Nothing of Bolt is stubbed.
 */
import { randomBytes } from 'node:crypto';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { createSlackApp, type SlackApp, type SlackAppOptions } from '../../src/slack/app.js';
import { SqlInstallationStore, SqlVoipnowTenantStore, SqliteStore, TokenCipher, sqlRunnerOf, type Store } from '../../src/store/index.js';
import { UapiHttp } from '../../src/uapi/http.js';
import { VoipnowOAuth } from '../../src/uapi/oauth.js';
import { createLogger } from '../../src/log.js';
import { startSlackApi, type SlackApi, type StartSlackApiOptions } from './slack-api.js';
import { startSocketModeServer, type SocketModeServer } from './socket-mode.js';

export const SIGNING_SECRET = 'test-signing-secret';
export const BOT_TOKEN = 'xoxb-test-bot';
/** Distribution mode's app credentials (see StackOptions.distribution). */
export const DISTRIBUTION = { clientId: 'dist-client-id', clientSecret: 'dist-client-secret', stateSecret: 'dist-state-secret-0123456789' } as const;

/** Update budgets no test's presses run out of (Slack's own limits are the recording API's, when on). */
const ROOMY_BUDGETS = { updatesPerMinute: 6000, updateBurst: 200 };

export interface Stack {
  sandbox: Sandbox;
  api: SlackApi;
  store: Store;
  slack: SlackApp;
  /** The Socket Mode peer, in Socket Mode. */
  socket?: SocketModeServer;
  /** http://127.0.0.1:PORT of the Bolt HTTP receiver (HTTP mode). */
  base: string;
  /** Link a Slack user to a sandbox VoipNow user, as a finished OAuth consent would. */
  link(slackUserId: string, voipnowUserId: string, extension?: string): Promise<void>;
  /** Distribution mode: the workspace's admin connected this stack's sandbox (or another PBX) as its VoipNow server. */
  connect(teamId: string, pbx?: { url: string; clientId?: string; clientSecret?: string }): Promise<void>;
  /** Stop the Slack app and start a new one on the same store, sandbox and Slack API (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  socketMode?: boolean;
  pickupDelayMs?: number;
  voipnowTimeoutMs?: number;
  supervisors?: string[];
  supervisorGroup?: string;
  logLines?: string[];
  /** The recording Slack API enforces Slack's rate limits (429 + Retry-After; see slack-limits.ts); off by default. */
  slackRateLimits?: StartSlackApiOptions['rateLimits'];
  /** Supervisor board tuning (short polling and thresholds in tests). */
  board?: SlackAppOptions['board'];
  /** Register PhoneCallEvents pointing at this stack's own receiver (a real PUBLIC_URL). */
  boardEvents?: boolean;
  /** Configure Sign in with Slack (client id 'siws-client', secret 'siws-secret') for /call link. */
  signInWithSlack?: boolean;
  /** The sandbox's random source for `errorRate` faults (to fail chosen requests). */
  sandboxRandom?: () => number;
  /** Options of the app (who is a supervisor, re-read delays, ...). */
  app?: Pick<import('../../src/slack/app.js').SlackAppOptions, 'isSupervisor' | 'pipeline'>;
  /** METRICS_TOKEN of the app. */
  metricsToken?: string;
  /** NODE_ENV=production (what readiness warns about). */
  production?: boolean;
  /** Use this store instead of a fresh in-memory SQLite one (closed with the stack). */
  store?: Store;
  /** Distribution mode: no bot token, workspaces install through /slack/install (credentials: DISTRIBUTION). */
  distribution?: boolean;
  /**
   * Read linked users' extensions (missed-call DMs, App Home's live panel, calls.end), as the app
   * does by default. Off unless asked: those reads would show in every test's sandbox requests.
   */
  phoneLines?: boolean;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const sandbox = await startSandbox({ pickupDelayMs: opts.pickupDelayMs ?? 30, ...(opts.sandboxRandom && { random: opts.sandboxRandom }) });
  const api = await startSlackApi({ ...(opts.slackRateLimits && { rateLimits: opts.slackRateLimits }) });
  const cipher = TokenCipher.fromKey(randomBytes(32).toString('hex'));
  const store = opts.store ?? new SqliteStore({ file: ':memory:', cipher });
  const installations = opts.distribution ? { store: new SqlInstallationStore(sqlRunnerOf(store), cipher), sql: sqlRunnerOf(store) } : undefined;
  const tenants = opts.distribution ? { store: new SqlVoipnowTenantStore(sqlRunnerOf(store), cipher), timeoutMs: opts.voipnowTimeoutMs ?? 3000 } : undefined;
  const http = new UapiHttp({ baseUrl: sandbox.url, timeoutMs: opts.voipnowTimeoutMs ?? 3000 });
  const oauth = new VoipnowOAuth(http, { clientId: 'callops-demo', clientSecret: 'callops-demo-secret' });
  const lines = opts.logLines;
  const logger = createLogger(lines ? 'debug' : 'error', lines ? (l) => void lines.push(l) : () => undefined);
  const make = (port: number) =>
    createSlackApp({
      config: {
        slack: {
          botToken: opts.distribution ? '' : BOT_TOKEN,
          ...(opts.distribution && { distribution: DISTRIBUTION }),
          signingSecret: SIGNING_SECRET,
          ...(opts.socketMode && { appToken: 'xapp-test' }),
          apiUrl: api.url,
          ...(opts.signInWithSlack && { clientId: 'siws-client', clientSecret: 'siws-secret' }),
        },
        port,
        publicUrl: 'http://callops.test',
        supervisors: opts.supervisors,
        supervisorGroup: opts.supervisorGroup,
        ...(opts.metricsToken && { metricsToken: opts.metricsToken }),
        ...(opts.production && { production: true }),
      },
      store,
      http,
      oauth,
      logger,
      host: '127.0.0.1',
      slackClientOptions: { retryConfig: { retries: 0 } },
      followUp: { delaysMs: [100], maxMs: 5000 },
      ...opts.app,
      // Call cards spend the board's update budget (one per workspace): tests that press fast get
      // room enough, while a test about budgets sets its own, and one under Slack's limits keeps callops' own.
      board: { ...opts.board, budgets: opts.board?.budgets ?? (opts.slackRateLimits ? {} : ROOMY_BUDGETS) },
      ...(installations && { installations }),
      phoneLines: opts.phoneLines ?? false,
      ...(tenants && { tenants }),
    });
  let slack = make(0);
  const socket = opts.socketMode ? await startSocketModeServer(api) : undefined;
  const started = await slack.start();
  if (socket) await socket.connected();
  const base = `http://127.0.0.1:${started.port ?? 0}`;
  // The receiver is this very app: the sandbox posts PhoneCallEvents to it.
  if (opts.boardEvents) slack.board.board.eventsBase = base;
  const stack: Stack = {
    sandbox,
    api,
    store,
    slack,
    socket,
    base,
    async link(slackUserId, voipnowUserId, extension) {
      const t = sandbox.issueToken(voipnowUserId);
      await slack.deps.accounts.link(
        { teamId: 'T1', userId: slackUserId },
        { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: new Date(Date.now() + t.expiresIn * 1000) },
        { extension },
      );
    },
    async connect(teamId, pbx) {
      if (!tenants) throw new Error('connect: only in distribution mode');
      await tenants.store.save({
        teamId,
        url: pbx?.url ?? sandbox.url,
        clientId: pbx?.clientId ?? 'callops-demo',
        clientSecret: pbx?.clientSecret ?? 'callops-demo-secret',
        setBy: 'U-admin',
        setAt: new Date(),
      });
    },
    async restart() {
      await slack.stop();
      slack = make(started.port ?? 0);
      if (opts.boardEvents) slack.board.board.eventsBase = base;
      await slack.start();
      stack.slack = slack;
    },
    async close() {
      await slack.stop().catch(() => undefined);
      await socket?.close();
      http.close();
      await store.close();
      await api.close();
      await sandbox.close();
    },
  };
  return stack;
}
