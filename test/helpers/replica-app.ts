/**
 * One in-process replica of the Slack app for the multi-replica tests: the real
 * Bolt app on its own port, sharing the given store, UAPI client and recording
 * Slack API with its siblings; `extra` sets what differs per test file
 * (follow-up timing, board replicas).
 */
import { createLogger } from '../../src/log.js';
import { createSlackApp, type SlackApp, type SlackAppOptions } from '../../src/slack/app.js';
import type { Store } from '../../src/store/types.js';
import type { UapiHttp } from '../../src/uapi/http.js';
import type { VoipnowOAuth } from '../../src/uapi/oauth.js';
import type { SlackApi } from './slack-api.js';
import { BOT_TOKEN, SIGNING_SECRET } from './stack.js';

export interface ReplicaAppDeps {
  api: SlackApi;
  store: Store;
  http: UapiHttp;
  oauth: VoipnowOAuth;
}

export async function startReplicaApp(d: ReplicaAppDeps, extra: Partial<SlackAppOptions>): Promise<{ app: SlackApp; base: string }> {
  const app = createSlackApp({
    config: { slack: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, apiUrl: d.api.url }, port: 0, publicUrl: 'http://callops.test', supervisors: undefined },
    store: d.store,
    http: d.http,
    oauth: d.oauth,
    logger: createLogger('error', () => undefined),
    host: '127.0.0.1',
    slackClientOptions: { retryConfig: { retries: 0 } },
    ...extra,
  });
  const { port } = await app.start();
  return { app, base: `http://127.0.0.1:${port}` };
}
