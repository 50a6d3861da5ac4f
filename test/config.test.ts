import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, VARIABLES, loadConfig } from '../src/config.js';

const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');

describe('configuration', () => {
  it('.env.example lists every variable the app reads', () => {
    const listed = new Set([...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]));
    for (const name of Object.keys(VARIABLES)) expect(listed, name).toContain(name);
  });

  it('names each missing variable, what it is for and where to get it, and suggests the console', () => {
    let err: unknown;
    try {
      loadConfig({});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/SLACK_BOT_TOKEN is required.*bot token.*OAuth & Permissions/);
    expect(msg).toMatch(/SLACK_SIGNING_SECRET is required when SLACK_APP_TOKEN is not set.*Signing Secret/);
    expect(msg).toContain('npm run console');
  });

  it('rejects malformed values and asks for the VoipNow app when VOIPNOW_URL is set', () => {
    const bad = () => loadConfig({ SLACK_BOT_TOKEN: 'xoxp-1', SLACK_SIGNING_SECRET: 's', PORT: 'eighty' });
    expect(bad).toThrow(/SLACK_BOT_TOKEN must start with xoxb-/);
    expect(bad).toThrow(/PORT must be a port number, got "eighty"/);
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', VOIPNOW_URL: 'https://pbx.example.com' })).toThrow(
      /VOIPNOW_CLIENT_ID is required when VOIPNOW_URL is set/,
    );
  });

  it('has sensible defaults: HTTP mode on 3000, sandbox, SQLite in ./data', () => {
    const c = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' });
    expect(c).toMatchObject({ port: 3000, publicUrl: 'http://localhost:3000', dataDir: './data', voipnow: undefined, sandboxPort: 8080 });
    const socket = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', SUPERVISOR_USER_IDS: 'U1, U2' });
    expect(socket.slack.appToken).toBe('xapp-1');
    expect(socket.supervisors).toEqual(['U1', 'U2']);
  });

  const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
    try {
      loadConfig(env);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems;
    }
    throw new Error('loadConfig accepted the configuration');
  };

  it('names each variable once, with all that is wrong with it on its one line', () => {
    const problems = problemsOf({ SLACK_BOT_TOKEN: 'xoxp-1', SLACK_API_URL: 'slack.com/api', PUBLIC_URL: 'ftp://x', PORT: 'eighty' });
    const names = problems.map((p) => p.split(' ')[0]);
    expect(names).toEqual(['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_API_URL', 'PORT', 'PUBLIC_URL']);
    for (const [i, line] of problems.entries()) {
      const name = names[i]!;
      expect(line.split(name).length - 1, `${name} appears once in: ${line}`).toBe(1);
    }
    expect(problems[2]).toBe(
      'SLACK_API_URL must be an http(s) URL like https://host.example.com, got "slack.com/api": overrides the Slack Web API base URL (tests, proxies) (default https://slack.com/api/).',
    );
    expect(problemsOf({})[0]).toMatch(/^SLACK_BOT_TOKEN is required to post to Slack: /);
  });

  it('reports a malformed TOKEN_ENCRYPTION_KEY in the same one list as the others, without echoing it', () => {
    const secret = 'not-a-key-but-secret';
    const problems = problemsOf({ SLACK_SIGNING_SECRET: 's', TOKEN_ENCRYPTION_KEY: secret, VOIPNOW_URL: 'https://pbx.example.com' });
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['SLACK_BOT_TOKEN', 'VOIPNOW_CLIENT_ID', 'VOIPNOW_CLIENT_SECRET', 'TOKEN_ENCRYPTION_KEY']);
    expect(problems[3]).toMatch(/^TOKEN_ENCRYPTION_KEY is not a valid key \(the value given has 20 characters\): 32-byte key \(64 hex chars or base64\).*openssl rand -hex 32/);
    expect(problems.join('\n')).not.toContain(secret);
    const good = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32) });
    expect(good.tokenEncryptionKey).toBe('ab'.repeat(32));
  });

  it('reports a broken development key file in DATA_DIR in the same list, and accepts a good one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'callops-config-'));
    try {
      writeFileSync(join(dir, 'token-encryption.key'), 'garbage\n');
      const problems = problemsOf({ SLACK_SIGNING_SECRET: 's', DATA_DIR: dir });
      expect(problems.map((p) => p.split(' ')[0])).toEqual(['SLACK_BOT_TOKEN', 'TOKEN_ENCRYPTION_KEY']);
      expect(problems[1]).toContain(`is not set and the development key file ${join(dir, 'token-encryption.key')} does not hold a valid key`);
      writeFileSync(join(dir, 'token-encryption.key'), `${'cd'.repeat(32)}\n`);
      expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', DATA_DIR: dir }).dataDir).toBe(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('board: events only with a reachable PUBLIC_URL (set, HTTP mode) unless forced; polling and alert defaults', () => {
    const plain = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' });
    expect(plain.board).toEqual({ pollLiveMs: 1200, pollIdleMs: 30_000, updatesPerMinute: 40, thresholds: { holdSeconds: 60, parkSeconds: 120, ringSeconds: 30 } });
    const pub = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', PUBLIC_URL: 'https://ops.example.com/' });
    expect(pub.board.eventsUrl).toBe('https://ops.example.com');
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', PUBLIC_URL: 'https://ops.example.com' }).board.eventsUrl).toBeUndefined();
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', PUBLIC_URL: 'https://o.example', BOARD_EVENTS: 'off' }).board.eventsUrl).toBeUndefined();
    const tuned = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', HOLD_ALERT_SECONDS: '5', BOARD_POLL_SECONDS: '0.5', SUPERVISOR_GROUP: 'leads' });
    expect(tuned.board.thresholds.holdSeconds).toBe(5);
    expect(tuned.board.pollLiveMs).toBe(500);
    expect(tuned.supervisorGroup).toBe('leads');
    expect(plain.board.queues).toBeUndefined(); // every watched extension rings like a queue
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', BOARD_QUEUES: '0003*300, 0003*301,0003*300' }).board.queues).toEqual(['0003*300', '0003*301']);
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', BOARD_QUEUES: '0003*300,sales' })).toThrow(
      /BOARD_QUEUES must be extensions separated by commas.*"sales"/,
    );
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', PARK_ALERT_SECONDS: 'soon' })).toThrow(/PARK_ALERT_SECONDS must be a positive number/);
  });
});

describe('production (NODE_ENV=production) refuses to guess', () => {
  const slack = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };
  const pbx = { VOIPNOW_URL: 'https://pbx.example.com', VOIPNOW_CLIENT_ID: 'app', VOIPNOW_CLIENT_SECRET: 'secret' };
  const key = { TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32) };
  const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
    try {
      loadConfig(env);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems;
    }
    throw new Error('loadConfig accepted the configuration');
  };

  it('names every missing VoipNow setting, the missing key and a plain-http PUBLIC_URL, in one list', () => {
    const problems = problemsOf({ ...slack, NODE_ENV: 'production', PUBLIC_URL: 'http://ops.example.com' });
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['PUBLIC_URL', 'VOIPNOW_URL', 'VOIPNOW_CLIENT_ID', 'VOIPNOW_CLIENT_SECRET', 'TOKEN_ENCRYPTION_KEY']);
    expect(problems[0]).toMatch(/^PUBLIC_URL must be an https URL in production \(NODE_ENV=production\) \(got http:\/\/ops\.example\.com\)/);
    expect(problems[1]).toMatch(/^VOIPNOW_URL is required in production .*unset would start the demo sandbox PBX/);
    expect(problems[4]).toMatch(/^TOKEN_ENCRYPTION_KEY \(or TOKEN_ENCRYPTION_KEYS\) is required in production/);
  });

  it('starts with everything set; plain http is allowed for localhost, and a key ring counts as the key', () => {
    const c = loadConfig({ ...slack, ...pbx, ...key, NODE_ENV: 'production', PUBLIC_URL: 'https://ops.example.com' });
    expect(c.production).toBe(true);
    expect(c.voipnow?.url).toBe('https://pbx.example.com');
    expect(c.tokenKeys).toEqual([{ id: 'default', key: 'ab'.repeat(32) }]);
    for (const local of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']) {
      expect(loadConfig({ ...slack, ...pbx, ...key, NODE_ENV: 'production', PUBLIC_URL: local }).publicUrl).toBe(local);
    }
    const ring = loadConfig({ ...slack, ...pbx, NODE_ENV: 'production', TOKEN_ENCRYPTION_KEYS: `new:${'cd'.repeat(32)},default:${'ab'.repeat(32)}` });
    expect(ring.tokenKeys?.map((k) => k.id)).toEqual(['new', 'default']);
  });

  it('development keeps its defaults: the sandbox, the generated key, any PUBLIC_URL', () => {
    const c = loadConfig({ ...slack, PUBLIC_URL: 'http://ops.example.com' });
    expect(c).toMatchObject({ production: false, voipnow: undefined, publicUrl: 'http://ops.example.com' });
    expect(c.tokenKeys).toBeUndefined();
  });

  it('TOKEN_ENCRYPTION_KEYS: a malformed ring or both variables set are reported without echoing keys', () => {
    const secret = 'short-secret-value';
    const bad = problemsOf({ ...slack, TOKEN_ENCRYPTION_KEYS: `new:${'cd'.repeat(32)},old:${secret}` });
    expect(bad).toEqual([expect.stringMatching(/^TOKEN_ENCRYPTION_KEYS is not valid: the key "old" \(entry 2 of TOKEN_ENCRYPTION_KEYS\) is not a 32-byte key/)]);
    expect(bad.join('\n')).not.toContain(secret);
    const both = problemsOf({ ...slack, ...key, TOKEN_ENCRYPTION_KEYS: `new:${'cd'.repeat(32)}` });
    expect(both).toEqual([expect.stringMatching(/^TOKEN_ENCRYPTION_KEYS and TOKEN_ENCRYPTION_KEY are both set; set only one/)]);
  });

  it('`npm start` in production without VoipNow settings exits 1 with the list, before starting anything', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'callops-prod-'));
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { PATH: process.env.PATH, ...slack, NODE_ENV: 'production', PORT: '0', SANDBOX_PORT: '0', DATA_DIR: dataDir, PUBLIC_URL: 'http://ops.example.com' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^callops cannot start; fix these settings/);
      for (const name of ['PUBLIC_URL', 'VOIPNOW_URL', 'VOIPNOW_CLIENT_ID', 'VOIPNOW_CLIENT_SECRET', 'TOKEN_ENCRYPTION_KEY']) expect(r.stderr).toMatch(new RegExp(`^  - ${name} `, 'm'));
      expect(r.stdout + r.stderr).not.toMatch(/sandbox PBX at|running/);
      // No key was generated next to the database.
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
