/**
 * A stack in distribution mode whose recording Slack API installs the workspace a code names
 * ("code-T9" installs T9, with the bot token `xoxb-T9-token`) and answers `auth.test` for each
 * workspace's own token.
 */
import { BOT_SCOPES } from '../../src/slack/workspaces/bot-scopes.js';
import { startStack, type Stack } from './stack.js';

export async function startDistributionStack(teamName: (team: string) => string = (team) => `Team ${team}`): Promise<Stack> {
  const s = await startStack({ distribution: true, boardEvents: true, board: { timing: { liveMs: 300, idleMs: 5000, maxBackoffMs: 2000 } } });
  s.api.respondWith('oauth.v2.access', (call) => {
    const team = String(call.body.code).replace(/^code-/, '');
    return {
      ok: true,
      app_id: 'A1',
      authed_user: { id: `U-installer-${team}` },
      scope: BOT_SCOPES.join(','),
      token_type: 'bot',
      access_token: `xoxb-${team}-token`,
      bot_user_id: `UBOT-${team}`,
      team: { id: team, name: teamName(team) },
      enterprise: null,
      is_enterprise_install: false,
    };
  });
  s.api.respondWith('auth.test', (call, defaults) => {
    const team = /^xoxb-(\w+)-token$/.exec(call.token ?? '')?.[1];
    return team ? { ...defaults(), team_id: team, user_id: `UBOT-${team}`, bot_id: `BBOT-${team}` } : { ok: false, error: 'invalid_auth' };
  });
  return s;
}
