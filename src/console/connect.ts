/**
 * Where the console's VoipNow is: the server named by VOIPNOW_URL (with
 * VOIPNOW_TOKEN, or VOIPNOW_CLIENT_ID / VOIPNOW_CLIENT_SECRET of a trusted
 * app), or else the sandbox PBX started in-process, signed in as demo user 12.
 */
import { UapiHttp } from '../uapi/http.js';
import { UapiClient, staticToken, type Credentials } from '../uapi/client.js';
import { VoipnowOAuth, refreshingCredentials } from '../uapi/oauth.js';
import type { Logger } from '../log.js';
import { UsageError } from './exit.js';

export interface Connection {
  client: UapiClient;
  /** For the banner: which server, as whom. */
  where: string;
  /** The signed-in user's own extension, when known: `dial` rings it first. */
  ownExtension?: string;
  close(): Promise<void>;
}

export async function connect(env: NodeJS.ProcessEnv, logger: Logger): Promise<Connection> {
  if (!env.VOIPNOW_URL) {
    const { startSandbox } = await import('../sandbox/server.js');
    const sandbox = await startSandbox({ port: 0, clientId: env.SANDBOX_CLIENT_ID, clientSecret: env.SANDBOX_CLIENT_SECRET });
    const http = new UapiHttp({ baseUrl: sandbox.url, logger });
    const oauth = new VoipnowOAuth(http, {
      clientId: env.SANDBOX_CLIENT_ID ?? 'callops-demo',
      clientSecret: env.SANDBOX_CLIENT_SECRET ?? 'callops-demo-secret',
    });
    const creds = refreshingCredentials(oauth, await oauth.clientCredentials(), { reauth: () => oauth.clientCredentials() });
    return {
      client: new UapiClient(http, creds),
      where: `the built-in sandbox PBX at ${sandbox.url} (no VOIPNOW_URL set), signed in as demo user 12 who owns 0003*210`,
      ownExtension: '0003*210',
      close: async () => {
        http.close();
        await sandbox.close();
      },
    };
  }
  const http = new UapiHttp({
    baseUrl: env.VOIPNOW_URL,
    caFile: env.VOIPNOW_CA_FILE || undefined,
    insecureTls: env.VOIPNOW_INSECURE_TLS === 'true',
    timeoutMs: env.VOIPNOW_TIMEOUT_MS ? Number(env.VOIPNOW_TIMEOUT_MS) : undefined,
    logger,
  });
  let creds: Credentials;
  if (env.VOIPNOW_TOKEN) creds = staticToken(env.VOIPNOW_TOKEN);
  else if (env.VOIPNOW_CLIENT_ID && env.VOIPNOW_CLIENT_SECRET) {
    const oauth = new VoipnowOAuth(http, { clientId: env.VOIPNOW_CLIENT_ID, clientSecret: env.VOIPNOW_CLIENT_SECRET });
    creds = refreshingCredentials(oauth, await oauth.clientCredentials(), { reauth: () => oauth.clientCredentials() });
  } else {
    http.close();
    throw new UsageError('VOIPNOW_URL is set but neither VOIPNOW_TOKEN nor VOIPNOW_CLIENT_ID and VOIPNOW_CLIENT_SECRET are; set one, or unset VOIPNOW_URL to use the sandbox.');
  }
  return { client: new UapiClient(http, creds), where: http.origin, close: async () => http.close() };
}
