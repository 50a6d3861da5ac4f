/**
 * The bot scopes callops asks for when a workspace installs it: exactly the bot scopes of
 * manifest.yml (a test keeps the two equal).
 */
export const BOT_SCOPES: readonly string[] = ['commands', 'chat:write', 'usergroups:read', 'channels:read', 'groups:read', 'calls:read', 'calls:write', 'channels:history', 'groups:history'];
