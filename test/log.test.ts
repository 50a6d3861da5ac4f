import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { redact } from '../src/uapi/errors.js';

describe('tokens never reach a log line', () => {
  it('redacts bearer headers, form fields and JSON token fields', () => {
    expect(redact('Authorization: Bearer abc.def-123')).toBe('Authorization: Bearer [redacted]');
    expect(redact('grant_type=refresh_token&refresh_token=r3fr3sh&client_secret=s3cr3t')).toBe('grant_type=refresh_token&refresh_token=[redacted]&client_secret=[redacted]');
    expect(redact('{"access_token":"a1","expires_in":3600}')).toBe('{"access_token":"[redacted]","expires_in":3600}');
  });

  it('writes one JSON object per line, redacting messages and metadata, and honours its level', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => void lines.push(l));
    log.debug('hidden Bearer x');
    log.warn('refresh failed for Bearer tok123', { body: 'refresh_token=tok456', error: new Error('access_token=tok789') });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 'warn',
      msg: 'refresh failed for Bearer [redacted]',
      body: 'refresh_token=[redacted]',
      error: { name: 'Error', message: 'access_token=[redacted]' },
    });
    expect(typeof entry.time).toBe('string');
    for (const secret of ['tok123', 'tok456', 'tok789']) expect(lines[0]).not.toContain(secret);
  });

  // The secrets are letters a timestamp or pid cannot contain, so the check cannot pass or fail by chance.
  it("redacts secret fields by name (pino's redaction): tokens, secrets, authorization headers, OAuth code", () => {
    const lines: string[] = [];
    const log = createLogger('debug', (l) => void lines.push(l));
    log.info('oauth callback', {
      code: 'auth-code-QzRb7v',
      accessToken: 'xoxb-WkTn3p',
      token: 'tok-HjFs8m',
      client_secret: 'sec-PxLq2d',
      request: { headers: { authorization: 'Basic VgYc9w' }, refresh_token: 'r-NbZe4k' },
      user: 'U1',
    });
    log.error('plain', { nested: { secret: 'sec-TuMa6r' } });
    expect(lines).toHaveLength(2);
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries[0]).toMatchObject({ code: '[redacted]', accessToken: '[redacted]', token: '[redacted]', client_secret: '[redacted]', user: 'U1' });
    expect(entries[0]!.request).toEqual({ headers: { authorization: '[redacted]' }, refresh_token: '[redacted]' });
    for (const secret of ['QzRb7v', 'WkTn3p', 'HjFs8m', 'PxLq2d', 'VgYc9w', 'NbZe4k', 'TuMa6r']) expect(lines.join('\n')).not.toContain(secret);
  });
});

describe('LOG_LEVEL', () => {
  const env = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };
  it('accepts the four levels in any case and defaults to info', () => {
    expect(loadConfig({ ...env }).logLevel).toBe('info');
    expect(loadConfig({ ...env, LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(loadConfig({ ...env, LOG_LEVEL: ' warn ' }).logLevel).toBe('warn');
  });

  it('a malformed value is a configuration error naming the variable and the allowed values', () => {
    let error: unknown;
    try {
      loadConfig({ ...env, LOG_LEVEL: 'verbose' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^LOG_LEVEL must be one of debug, info, warn, error, got "verbose"/)]);
  });
});

describe('output of a process', () => {
  it('in production every stderr line is JSON, and no token appears', () => {
    const script = `
      import { createLogger } from './src/log.ts';
      const log = createLogger('debug');
      log.info('linked', { accessToken: 'vn-secret-1', note: 'Bearer vn-secret-2' });
      log.warn('refresh failed: refresh_token=vn-secret-3');
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, NODE_ENV: 'production' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(0);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(r.stderr).not.toMatch(/vn-secret/);
  });
});
