/**
 * Distribution mode's settings: no SLACK_BOT_TOKEN, the app's client id and secret and a
 * state secret; a half-set distribution names what is missing.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

const base = { SLACK_SIGNING_SECRET: 'signing', DATA_DIR: '/nonexistent-callops-test' };

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return '';
}

describe('configuration: distribution mode', () => {
  it('client id, client secret and state secret without a bot token turn it on', () => {
    const config = loadConfig({ ...base, SLACK_CLIENT_ID: '123.456', SLACK_CLIENT_SECRET: 'client-secret', SLACK_STATE_SECRET: 'a-long-random-state-secret' });
    expect(config.slack.distribution).toEqual({ clientId: '123.456', clientSecret: 'client-secret', stateSecret: 'a-long-random-state-secret' });
    expect(config.slack.botToken).toBe('');
  });

  it('with a bot token it stays single-workspace mode', () => {
    const config = loadConfig({ ...base, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_CLIENT_ID: '123.456', SLACK_CLIENT_SECRET: 'client-secret', SLACK_STATE_SECRET: 'a-long-random-state-secret' });
    expect(config.slack.distribution).toBeUndefined();
    expect(config.slack.botToken).toBe('xoxb-1');
  });

  it('names what a half-set distribution lacks, and refuses a short state secret or Socket Mode', () => {
    const msg = problems({ ...base, SLACK_STATE_SECRET: 'short', SLACK_APP_TOKEN: 'xapp-1' });
    expect(msg).toMatch(/SLACK_CLIENT_ID is required when SLACK_STATE_SECRET is set without SLACK_BOT_TOKEN/);
    expect(msg).toMatch(/SLACK_STATE_SECRET must be at least 16 random characters/);
    expect(msg).toMatch(/SLACK_APP_TOKEN must not be set in distribution mode/);
    expect(msg).not.toMatch(/SLACK_BOT_TOKEN is required/);
  });

  it('in production, distribution mode needs no VOIPNOW_URL (each workspace connects its own); single-workspace mode still does', () => {
    const prod = { ...base, NODE_ENV: 'production', TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32), PUBLIC_URL: 'https://callops.example.com' };
    const distributed = problems({ ...prod, SLACK_CLIENT_ID: '123.456', SLACK_CLIENT_SECRET: 'client-secret', SLACK_STATE_SECRET: 'a-long-random-state-secret' });
    expect(distributed).not.toMatch(/VOIPNOW_/);
    expect(problems({ ...prod, SLACK_BOT_TOKEN: 'xoxb-1' })).toMatch(/VOIPNOW_URL is required in production/);
  });
});
