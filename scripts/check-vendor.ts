/**
 * npm run check:vendor -- <path to a checkout of 4psa/mcp-voipnow>
 *
 * A second client for the sandbox: VoipNow's own open-source UAPI client (the
 * `calls` part of 4psa/mcp-voipnow, MIT) is built in its own folder, pointed at
 * a sandbox this script starts (through the client's own config.json: appId,
 * appSecret, voipnowHost, voipnowTokenFile, insecure), and every call tool it
 * registers is called. For each call the script prints the request, the answer
 * and whether both match 4PSA's pages; where the client itself is wrong it says
 * so (CLIENT), where the sandbox is (SANDBOX).
 *
 * The vendor's code is never copied into this repository: it is built and run
 * where it was checked out (outside this repository). Not part of `npm test`.
 *
 * The client only speaks HTTPS (its token request uses https.request), so the
 * sandbox is put behind a local TLS proxy with a throw-away self-signed
 * certificate (openssl) and the client's own `insecure: true` option.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startSandbox, type SandboxRequestRecord } from '../src/sandbox/server.js';
import { vendorCases, type Case } from './vendor-cases.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLIENT_ID = 'callops-demo';
const CLIENT_SECRET = 'callops-demo-secret';

type Verdict = 'ok' | 'CLIENT' | 'SANDBOX';
interface Row {
  tool: string;
  request: string;
  answer: string;
  output: string;
  verdict: Verdict;
  why: string;
}

function fail(message: string): never {
  process.stderr.write(`check:vendor: ${message}\n`);
  process.exit(2);
}

function vendorDir(arg: string | undefined): string {
  if (!arg) fail('give the path of a checkout of 4psa/mcp-voipnow, e.g. `npm run check:vendor -- /tmp/mcp-voipnow`.');
  const root = resolve(arg);
  const calls = existsSync(join(root, 'calls', 'package.json')) ? join(root, 'calls') : root;
  if (!existsSync(join(calls, 'src', 'tool-registry.ts'))) fail(`${root} does not look like a checkout of 4psa/mcp-voipnow (no calls/src/tool-registry.ts).`);
  const real = realpathSync(calls);
  if (real === REPO || real.startsWith(`${REPO}/`)) fail('check the vendor client out outside this repository; its code is not ours to ship.');
  return real;
}

/** npm ci (no install scripts) and npm run build in the vendor's folder, when not done yet. */
function build(dir: string): void {
  const run = (args: string[]) => {
    process.stdout.write(`$ (cd ${dir} && npm ${args.join(' ')})\n`);
    const r = spawnSync('npm', args, { cwd: dir, stdio: 'inherit' });
    if (r.status !== 0) fail(`npm ${args.join(' ')} failed in ${dir}; install its dependencies there by hand, then run this again.`);
  };
  if (!existsSync(join(dir, 'node_modules'))) run(['ci', '--ignore-scripts', '--no-audit', '--no-fund']);
  if (!existsSync(join(dir, 'dist', 'tool-registry.js'))) run(['run', 'build']);
}

/** A TLS front for the sandbox: the client's token request only speaks https. */
async function tlsProxy(target: string, work: string): Promise<{ url: string; close: () => Promise<void> }> {
  const key = join(work, 'key.pem');
  const cert = join(work, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  const upstream = new URL(target);
  const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const fwd = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-proto': 'https' } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `https://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

const quiet = { info() {}, debug() {}, warn() {}, warning() {}, error() {}, log() {} };

function subset(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) return Array.isArray(actual) && expected.every((e, i) => subset(e, actual[i]));
  if (expected && typeof expected === 'object') {
    return !!actual && typeof actual === 'object' && Object.entries(expected).every(([k, v]) => subset(v, (actual as Record<string, unknown>)[k]));
  }
  return expected === actual;
}

function short(v: unknown, n = 110): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s === undefined ? '' : s.length > n ? `${s.slice(0, n)}…` : s;
}

function judge(c: Case, reqs: SandboxRequestRecord[], output: string): { verdict: Verdict; why: string } {
  const e = c.expect;
  const req = reqs.find((r) => r.method === e.method && e.path.test(r.path));
  if (!req) {
    const sent = reqs.map((r) => `${r.method} ${r.path} ${short(r.body, 60)}`).join('; ') || 'nothing';
    return { verdict: 'CLIENT', why: `${c.clientDefect ?? 'sent something else'}: sent ${sent}; the page (${e.page}) says ${e.method} ${e.path.source}` };
  }
  if (e.body && !subset(e.body, req.body)) return { verdict: 'CLIENT', why: `${c.clientDefect ?? 'body differs from the page'}: ${e.page} sends ${short(e.body, 80)}` };
  for (const [k, v] of Object.entries(e.query ?? {})) {
    if (req.query[k] !== v) return { verdict: 'CLIENT', why: `${c.clientDefect ?? `query ${k}`}: expected ${k}=${v}, sent ${JSON.stringify(req.query)}` };
  }
  if (!e.status.includes(req.status)) {
    return { verdict: 'SANDBOX', why: `answered ${req.status}; ${e.page} answers ${e.status.join('/')}` };
  }
  if (/^Error|Unexpected end of JSON|SyntaxError/i.test(output)) {
    return { verdict: 'CLIENT', why: `${c.clientDefect ?? 'the client failed on a documented answer'} (${req.status})` };
  }
  return { verdict: 'ok', why: `matches ${e.page}` };
}

async function main(): Promise<void> {
  const dir = vendorDir(process.argv[2]);
  build(dir);
  const work = mkdtempSync(join(tmpdir(), 'check-vendor-'));
  const sandbox = await startSandbox({ pickupDelayMs: 200, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  const proxy = await tlsProxy(sandbox.url, work);
  try {
    const mod = (p: string) => import(pathToFileURL(join(dir, 'dist', p)).href);
    const { setLogLevel } = await mod('logger.js');
    setLogLevel?.('error');
    // The client's own configuration file and token file, as its README describes them.
    const configPath = join(work, 'config.json');
    const config = { appId: CLIENT_ID, appSecret: CLIENT_SECRET, voipnowHost: proxy.url, voipnowTokenFile: join(work, '.access_token'), logLevel: 'error', insecure: true };
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const { generateToken } = await mod('token/utils.js');
    await generateToken(JSON.parse(readFileSync(configPath, 'utf8')));
    const token = readFileSync(config.voipnowTokenFile, 'utf8').trim().split(':')[2];
    if (!token) fail('the client wrote no token file; its OAuth request to the sandbox failed.');
    const voipnow = { voipnowUrl: config.voipnowHost, voipnowToken: token, agent: new https.Agent({ rejectUnauthorized: false }) };
    const registry = await mod('tool-registry.js');
    await registry.initializeTools('tools', quiet);
    const tools: string[] = registry.getToolSchemas().map((t: { name: string }) => t.name);
    const callTools = tools.filter((t) => t.startsWith('phone-calls-') || t.startsWith('extensions-phone-call-events-'));
    process.stdout.write(`\nVoipNow's client (${dir}) registers ${tools.length} tools, ${callTools.length} of them for calls; sandbox ${sandbox.url} behind ${proxy.url}\n`);

    const state = { ringing: '' };
    const CASES = vendorCases(state);
    const rows: Row[] = [];
    for (const c of CASES) {
      sandbox.reset();
      sandbox.world.pickupDelayMs = 200;
      await c.setup?.(sandbox);
      const args = JSON.parse(JSON.stringify(c.args).replace('{ringing}', state.ringing)) as Record<string, unknown>;
      const before = sandbox.requests.length;
      let output: string;
      try {
        const handler = c.direct ? (await mod(`tools/${c.direct.module}`))[c.direct.runner] : registry.getToolHandler(c.tool);
        const result = await handler(args, 'callops-check-vendor', voipnow, quiet);
        output = (result?.content ?? []).map((x: { text?: string }) => x.text ?? '').join(' ');
      } catch (err) {
        // The client validates its arguments with zod outside its try block: show the first issue.
        const issue = (err as { issues?: { message?: string }[] }).issues?.[0]?.message;
        output = `Error (thrown): ${issue ?? (err instanceof Error ? err.message.split('\n')[0] : String(err))}`;
      }
      const reqs = sandbox.requests.slice(before).filter((r) => r.path.startsWith('/uapi/'));
      const r = reqs[0];
      const { verdict, why } = judge(c, reqs, output);
      rows.push({
        tool: c.direct ? `${c.tool} (own runner)` : c.tool,
        request: r ? `${r.method} ${r.path}${Object.keys(r.query).length ? `?${new URLSearchParams(r.query).toString()}` : ''} ${r.body === undefined ? '' : short(r.body, 90)}` : '(none)',
        answer: r ? String(r.status) : '-',
        output: short(output, 90),
        verdict,
        why,
      });
    }
    const untested = callTools.filter((t) => !CASES.some((c) => c.tool === t));
    const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    process.stdout.write('\n| tool | request | answer | tool output | verdict |\n| --- | --- | --- | --- | --- |\n');
    for (const row of rows) {
      process.stdout.write(`| ${esc(row.tool)} | \`${esc(row.request)}\` | ${row.answer} | ${esc(row.output)} | **${row.verdict}**: ${esc(row.why)} |\n`);
    }
    const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
    process.stdout.write(`\n${rows.length} calls: ${count('ok')} match the pages, ${count('CLIENT')} show a defect of the client, ${count('SANDBOX')} a difference of the sandbox.\n`);
    if (untested.length) process.stdout.write(`Call tools without a case here: ${untested.join(', ')}\n`);
    process.exitCode = count('SANDBOX') > 0 ? 1 : 0;
  } finally {
    await proxy.close();
    await sandbox.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`check:vendor: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(2);
});
