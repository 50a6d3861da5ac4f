/**
 * What `GET /readyz` checks: Slack accepted the bot token (auth.test at start), the store
 * answers, the PBX is reachable, and (in Socket Mode) the socket is connected.
 */
import { Readiness, type ReadinessCheck } from '../../health.js';
import type { StoreLifecycle } from '../../store/types.js';
import type { UapiHttp } from '../../uapi/http.js';

export function appReadiness(deps: {
  store: Pick<StoreLifecycle, 'ping'>;
  /** The one VoipNow server (single-workspace mode); distribution mode has one per workspace and checks none here. */
  http?: UapiHttp;
  slackAuthChecked: () => boolean;
  /** Only in Socket Mode. */
  socketConnected?: () => boolean;
  /** Production without Sign in with Slack: said as a warning (the replica stays ready). */
  linkingUnverified?: boolean;
}): Readiness {
  const { store, http, slackAuthChecked, socketConnected } = deps;
  const checks: ReadinessCheck[] = [
    { name: 'slack', run: async () => (slackAuthChecked() ? undefined : 'the bot token has not been checked with Slack yet (starting)') },
    {
      name: 'store',
      run: async () => {
        await store.ping();
        return undefined;
      },
    },
  ];
  if (http) checks.push({ name: 'pbx', run: () => pbxReady(http) });
  if (deps.linkingUnverified) checks.push({ name: 'sign_in_with_slack', advisory: true, run: async () => LINKING_UNVERIFIED });
  if (socketConnected) checks.push({ name: 'socket_mode', run: async () => (socketConnected() ? undefined : 'Socket Mode is not connected to Slack') });
  return new Readiness(checks);
}

/** What production says, in readiness and at start, while Sign in with Slack is not configured. */
export const LINKING_UNVERIFIED =
  'Sign in with Slack is not configured: a /call link page can be completed by whoever receives the link, who then acts on VoipNow as the Slack user who asked. Set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (user scope openid; redirect URL PUBLIC_URL/link/slack/callback).';

/** Ready unless the PBX's latest news is a network failure; without recent news it is probed. */
async function pbxReady(http: UapiHttp): Promise<string | undefined> {
  const { lastAnswerAt, lastFailure } = http.reachability();
  const failedLast = lastFailure !== undefined && (lastAnswerAt === undefined || lastAnswerAt < lastFailure.at);
  if (!failedLast && lastAnswerAt !== undefined && Date.now() - lastAnswerAt < 30_000) return undefined;
  try {
    await http.probe();
    return undefined;
  } catch (err) {
    return `VoipNow at ${http.origin} is unreachable: ${err instanceof Error ? err.message : String(err)}`;
  }
}
