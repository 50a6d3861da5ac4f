/**
 * `npm run sandbox`: starts the sandbox PBX.
 *
 *   --port N  or SANDBOX_PORT (default 8080)
 *   --host H  or SANDBOX_HOST (default 127.0.0.1)
 *   --traffic N  generate N calls a minute on the seed world (see POST /_sandbox/traffic)
 *   SANDBOX_CLIENT_ID / SANDBOX_CLIENT_SECRET (default callops-demo / callops-demo-secret)
 *   SANDBOX_PICKUP_DELAY_MS (default 1500)
 */
import { startSandbox } from './server.js';

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const arg = argv[i] ?? '';
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
}

function intOption(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`sandbox: ${what} must be a non-negative integer, got "${value}"`);
    process.exit(2);
  }
  return n;
}

const argv = process.argv.slice(2);
const port = intOption(argValue(argv, 'port') ?? process.env.SANDBOX_PORT, 8080, 'port');
const host = argValue(argv, 'host') ?? process.env.SANDBOX_HOST ?? '127.0.0.1';
const clientId = process.env.SANDBOX_CLIENT_ID || 'callops-demo';
const clientSecret = process.env.SANDBOX_CLIENT_SECRET || 'callops-demo-secret';
const pickupDelayMs = intOption(process.env.SANDBOX_PICKUP_DELAY_MS, 1500, 'SANDBOX_PICKUP_DELAY_MS');
const trafficPerMinute = intOption(argValue(argv, 'traffic'), 0, 'traffic');

const sandbox = await startSandbox({
  port, host, clientId, clientSecret, pickupDelayMs,
  log: (line) => console.log(`${new Date().toISOString()} ${line}`),
});

const demo = sandbox.issueToken('12');
console.log([
  `Sandbox PBX (VoipNow UAPI look-alike) listening on ${sandbox.url}`,
  '',
  `  OAuth client id:     ${clientId}`,
  `  OAuth client secret: ${clientSecret}`,
  `  Token endpoint:      ${sandbox.url}/oauth/token.php`,
  `  Consent page:        ${sandbox.url}/oauth/authorize.php?response_type=code&client_id=${encodeURIComponent(clientId)}&redirect_uri=http%3A%2F%2Flocalhost%2Fcallback&state=0123456789abcdef`,
  '',
  'Try it (token for user 12, John Doe, owner of 0003*210; valid 1 hour):',
  `  curl -s -H 'Authorization: Bearer ${demo.accessToken}' '${sandbox.url}/uapi/phoneCalls/@me/0003*210'`,
  `  curl -s -X PUT -H 'Authorization: Bearer ${demo.accessToken}' -H 'Content-Type: application/json' \\`,
  `       -d '{"action":"OnHold","phoneCallViewId":"01"}' '${sandbox.url}/uapi/phoneCalls/12/0003*210/b817d2618fe6f1804333'`,
  'Or get your own token:',
  `  curl -s -d grant_type=client_credentials -d client_id=${clientId} -d client_secret=${clientSecret} ${sandbox.url}/oauth/token.php`,
  `Controls: ${sandbox.url}/_sandbox/world (GET), /_sandbox/reset, /_sandbox/faults, /_sandbox/calls, /_sandbox/traffic (POST)`,
  '',
].join('\n'));
if (trafficPerMinute > 0) {
  sandbox.traffic.configure({ callsPerMinute: trafficPerMinute });
  console.log(`Traffic: ${trafficPerMinute} calls a minute (stop: curl -X POST -d '{"callsPerMinute":0}' ${sandbox.url}/_sandbox/traffic)`);
}

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`sandbox: ${signal} received, shutting down`);
  await sandbox.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
