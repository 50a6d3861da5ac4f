/**
 * `npm run console`: try callops from a terminal, like Hubot's shell.
 *
 * With no configuration it starts the sandbox PBX in-process and signs in to it
 * with the demo app's client credentials. With VOIPNOW_URL and VOIPNOW_TOKEN (or
 * VOIPNOW_CLIENT_ID / VOIPNOW_CLIENT_SECRET) it talks to that server instead.
 *
 *   npm run console                      interactive prompt
 *   npm run console -- "list 0003*210"   one command, exit code 1 on failure
 */
import 'dotenv/config';
import readline from 'node:readline';
import { UapiHttp } from '../uapi/http.js';
import { UapiClient, staticToken, type Credentials } from '../uapi/client.js';
import { VoipnowOAuth, refreshingCredentials } from '../uapi/oauth.js';
import { failureText } from '../calls/respond.js';
import { createLogger, parseLogLevel } from '../log.js';
import { runLine } from './session.js';
import { APP_NAME, APP_VERSION } from '../version.js';

const logger = createLogger(parseLogLevel(process.env.LOG_LEVEL) ?? 'warn');

async function connect(): Promise<{ client: UapiClient; where: string; close: () => Promise<void> }> {
  const env = process.env;
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
      close: async () => (http.close(), sandbox.close()),
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
    throw new Error('VOIPNOW_URL is set but neither VOIPNOW_TOKEN nor VOIPNOW_CLIENT_ID and VOIPNOW_CLIENT_SECRET are; set one, or unset VOIPNOW_URL to use the sandbox.');
  }
  return { client: new UapiClient(http, creds), where: http.origin, close: async () => http.close() };
}

async function main(): Promise<number> {
  let session;
  try {
    session = await connect();
  } catch (err) {
    process.stderr.write(`${err instanceof Error && !(err as { sentence?: string }).sentence ? err.message : failureText(err, logger)}\n`);
    return 1;
  }
  const oneShot = process.argv.slice(2).join(' ').trim();
  try {
    if (oneShot) {
      const res = await runLine(session.client, oneShot, logger);
      (res.ok ? process.stdout : process.stderr).write(res.text + '\n');
      return res.ok ? 0 : 1;
    }
    process.stdout.write(`${APP_NAME} ${APP_VERSION} console, talking to ${session.where}.\nType help for commands, quit to leave. Try: list 0003*210\n`);
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: 'callops> ' });
    rl.prompt();
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === 'quit' || line === 'exit') break;
      if (line) {
        const res = await runLine(session.client, line, logger);
        process.stdout.write(res.text + '\n');
      }
      rl.prompt();
    }
    rl.close();
    return 0;
  } finally {
    await session.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(failureText(err, logger) + '\n');
    process.exit(1);
  },
);
