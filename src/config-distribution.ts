/**
 * Which Slack mode the variables choose, and what each mode needs. Distribution mode (no
 * SLACK_BOT_TOKEN, a SLACK_STATE_SECRET): workspaces install with "Add to Slack" and their
 * tokens are stored; it needs the app's client id and secret and receives HTTP. Otherwise
 * the one workspace's bot token is required.
 */

interface SlackVariables {
  SLACK_BOT_TOKEN?: string;
  SLACK_STATE_SECRET?: string;
  SLACK_CLIENT_ID?: string;
  SLACK_CLIENT_SECRET?: string;
  SLACK_APP_TOKEN?: string;
}

/** The app's credentials in distribution mode (Config.slack.distribution). */
export interface DistributionSettings {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
}

export function isDistributed(c: SlackVariables): boolean {
  return !c.SLACK_BOT_TOKEN && Boolean(c.SLACK_STATE_SECRET);
}

/** What the chosen mode is missing or refuses, as [variable, what is wrong]. */
export function slackModeProblems(c: SlackVariables): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const need = (name: keyof SlackVariables, why: string) => {
    if (!c[name]) out.push([name, `is required ${why}`.trim()]);
  };
  if (!isDistributed(c)) {
    need('SLACK_BOT_TOKEN', 'to post to Slack');
    return out;
  }
  need('SLACK_CLIENT_ID', 'when SLACK_STATE_SECRET is set without SLACK_BOT_TOKEN (distribution mode)');
  need('SLACK_CLIENT_SECRET', 'when SLACK_STATE_SECRET is set without SLACK_BOT_TOKEN (distribution mode)');
  if (c.SLACK_STATE_SECRET && c.SLACK_STATE_SECRET.length < 16) {
    out.push(['SLACK_STATE_SECRET', `must be at least 16 random characters (openssl rand -hex 32), got ${c.SLACK_STATE_SECRET.length}`]);
  }
  if (c.SLACK_APP_TOKEN) {
    out.push(['SLACK_APP_TOKEN', 'must not be set in distribution mode (SLACK_STATE_SECRET without SLACK_BOT_TOKEN): a distributed app receives HTTP on PORT']);
  }
  return out;
}

/** Distribution mode's settings, once the variables passed their checks; undefined in single-workspace mode. */
export function distributionSettings(c: SlackVariables): DistributionSettings | undefined {
  if (!isDistributed(c)) return undefined;
  return { clientId: c.SLACK_CLIENT_ID!, clientSecret: c.SLACK_CLIENT_SECRET!, stateSecret: c.SLACK_STATE_SECRET! };
}
