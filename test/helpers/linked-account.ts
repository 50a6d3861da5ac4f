/**
 * Links a Slack user as a VoipNow user in the store a callops child process (src/main.ts)
 * will read: the user's own sandbox token (an hour long), saved encrypted by the store, which
 * is then closed so the process owns it.
 */
import type { Sandbox } from '../../src/sandbox/server.js';
import type { Store } from '../../src/store/types.js';

export async function linkSandboxUser(store: Store, sandbox: Sandbox, voipnowUserId: string, slackUserId: string, extension?: string): Promise<void> {
  const t = sandbox.issueToken(voipnowUserId, 3600);
  const now = new Date();
  await store.saveLinkedAccount({
    teamId: 'T1',
    slackUserId,
    voipnowUserId: '@me',
    ...(extension && { extension }),
    accessToken: t.accessToken,
    refreshToken: t.refreshToken,
    expiresAt: new Date(Date.now() + 3600_000),
    linkedAt: now,
    updatedAt: now,
  });
  await store.close();
}

/** VoipNow user 12, the sandbox's agent on `extension`. */
export function linkUser12(store: Store, sandbox: Sandbox, slackUserId: string, extension: string): Promise<void> {
  return linkSandboxUser(store, sandbox, '12', slackUserId, extension);
}
