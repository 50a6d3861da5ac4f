import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Ajv } from 'ajv';
import { BOT_SCOPES } from '../src/slack/workspaces/bot-scopes.js';

const schemaPath = new URL('./fixtures/slack/manifest.schema.1.0.0.json', import.meta.url);
const manifest = parse(readFileSync(new URL('../manifest.yml', import.meta.url), 'utf8')) as Record<string, any>;

describe('manifest.yml', () => {
  it("validates against Slack's own manifest schema", () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
    const ok = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('declares what the app listens to, with the smallest set of scopes', () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual(['/call']);
    expect(manifest.features.slash_commands[0].usage_hint).toContain('hold');
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened', 'subteam_members_changed', 'member_joined_channel', 'app_uninstalled', 'tokens_revoked']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([
      'calls:read',
      'calls:write',
      'channels:history',
      'channels:read',
      'chat:write',
      'commands',
      'groups:history',
      'groups:read',
      'usergroups:read',
    ]);
  });

  it('is ready for distribution: the install redirect URL, org-wide installs, and the scopes "Add to Slack" asks for', () => {
    expect(manifest.oauth_config.redirect_urls).toEqual(['https://callops.example.com/slack/oauth_redirect']);
    expect(manifest.settings.org_deploy_enabled).toBe(true);
    expect([...BOT_SCOPES].sort()).toEqual([...manifest.oauth_config.scopes.bot].sort());
  });
});
