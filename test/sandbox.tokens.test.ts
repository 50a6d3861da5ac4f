/**
 * The sandbox keeps the tokens it issued in a state file (as digests), so the
 * Slack app's linked users stay linked when `npm start` restarts the embedded
 * sandbox: a token issued by one sandbox works on the next one on the same file.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';

const CLIENT = { client_id: 'callops-demo', client_secret: 'callops-demo-secret' };
let dir: string;
let file: string;
const started: Sandbox[] = [];

async function sandbox(stateFile: string | null = file, log?: (line: string) => void): Promise<Sandbox> {
  const sb = await startSandbox({ pickupDelayMs: 50, ...(stateFile && { stateFile }), ...(log && { log }) });
  started.push(sb);
  return sb;
}

async function grant(sb: Sandbox, fields: Record<string, string>) {
  const res = await fetch(`${sb.url}/oauth/token.php`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...CLIENT, ...fields }).toString(),
  });
  return { status: res.status, json: (await res.json()) as any };
}

async function statusAs(sb: Sandbox, token: string): Promise<number> {
  const res = await fetch(`${sb.url}/uapi/phoneCalls/@me/0003*210`, { headers: { Authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'callops-sandbox-tokens-'));
  file = join(dir, 'data', 'sandbox-tokens.json');
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((sb) => sb.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('sandbox tokens kept across restarts', () => {
  it('a token issued by the first sandbox works on the second on the same file, and its refresh token too', async () => {
    const first = await sandbox();
    const issued = await grant(first, { grant_type: 'client_credentials' });
    expect(issued.status).toBe(200);
    const helperToken = first.issueToken('12');
    expect(await statusAs(first, issued.json.access_token)).toBe(200);
    await first.close();

    const second = await sandbox();
    expect(await statusAs(second, issued.json.access_token)).toBe(200);
    expect(await statusAs(second, helperToken.accessToken)).toBe(200);
    const refreshed = await grant(second, { grant_type: 'refresh_token', refresh_token: issued.json.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(await statusAs(second, refreshed.json.access_token)).toBe(200);
    // Refresh tokens rotate, and the rotation is kept too.
    await second.close();
    const third = await sandbox();
    expect((await grant(third, { grant_type: 'refresh_token', refresh_token: issued.json.refresh_token })).status).toBe(400);
    expect(await statusAs(third, refreshed.json.access_token)).toBe(200);
  });

  it('without a state file a restarted sandbox forgets its tokens (the default, as before)', async () => {
    const first = await sandbox(null);
    const token = first.issueToken('12').accessToken;
    expect(await statusAs(first, token)).toBe(200);
    const second = await sandbox(null);
    expect(await statusAs(second, token)).toBe(401);
  });

  it('the file holds no usable token, is private to its owner, and drops expired tokens', async () => {
    const first = await sandbox();
    const kept = first.issueToken('12');
    const expired = first.issueToken('12', -1);
    const text = readFileSync(file, 'utf8');
    for (const t of [kept.accessToken, kept.refreshToken, expired.accessToken]) expect(text).not.toContain(t);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(text).access).toHaveLength(1);
    const second = await sandbox();
    expect(await statusAs(second, kept.accessToken)).toBe(200);
    expect(await statusAs(second, expired.accessToken)).toBe(401);
  });

  it('a damaged state file is logged and ignored: the sandbox starts and issues new tokens', async () => {
    const first = await sandbox();
    first.issueToken('12');
    await first.close();
    writeFileSync(file, '{"version":1,"access":');
    const lines: string[] = [];
    const second = await sandbox(file, (line) => lines.push(line));
    expect(lines.join('\n')).toMatch(/ignoring the token file .*sandbox-tokens\.json/);
    const fresh = await grant(second, { grant_type: 'client_credentials' });
    expect(await statusAs(second, fresh.json.access_token)).toBe(200);
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(1);
  });
});
