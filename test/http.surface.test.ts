/**
 * The plain HTTP surface against strangers, through real requests to the app the
 * test stack starts: malformed paths, the headers of every HTML page, what
 * readiness and metrics tell whom, and the Slack gate's limits.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
const lines: string[] = [];
beforeAll(async () => {
  stack = await startStack({ logLines: lines });
});
afterAll(async () => {
  await stack?.close();
});

/** A request with a path sent byte for byte (fetch would normalise it). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const { hostname, port } = new URL(stack.base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('malformed paths', () => {
  it.each([
    ['POST', '/voipnow/events/%ZZ'],
    ['GET', '/voipnow/events/%E0%A4%A'],
    ['GET', '/link/%ZZstart'],
    ['GET', '/%'],
  ])('%s %s answers 400 and logs no error', async (method, path) => {
    const before = lines.length;
    const r = await raw(method, path, { 'content-type': 'application/x-www-form-urlencoded' }, method === 'POST' ? 'CallID=1' : undefined);
    expect(r.status).toBe(400);
    expect(lines.slice(before).filter((l) => /error/i.test(l) && !/"level":"(info|debug|warn)"/.test(l))).toEqual([]);
  });
});

describe('the HTML pages', () => {
  const paths = ['/link/start?state=nope', '/oauth/voipnow/callback?state=nope&code=x', '/link/slack/callback?state=nope&code=x'];

  it.each(paths)('%s refuses framing, referrers and sniffing', async (path) => {
    const r = await raw('GET', path);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['strict-transport-security']).toBeUndefined();
  });

  it.each(paths)('%s sends HSTS when the proxy says it came over TLS', async (path) => {
    const r = await raw('GET', path, { 'x-forwarded-proto': 'https' });
    expect(r.headers['strict-transport-security']).toMatch(/^max-age=\d{7,}/);
  });
});

describe('what readiness and metrics tell a stranger', () => {
  it('/readyz names the failed check in a word and logs the detail, never the PBX address', async () => {
    const log: string[] = [];
    const own = await startStack({ logLines: log });
    try {
      const pbx = new URL(own.sandbox.url);
      await own.sandbox.close();
      const res = await fetch(`${own.base}/readyz`);
      const text = await res.text();
      expect(res.status).toBe(503);
      expect(JSON.parse(text)).toEqual({ ready: false, failed: ['pbx'] });
      expect(text).not.toContain(pbx.port);
      expect(text).not.toContain('127.0.0.1');
      expect(log.filter((l) => l.includes('not ready') && l.includes(`127.0.0.1:${pbx.port}`))).toHaveLength(1);
    } finally {
      await own.close();
    }
  });

  it('/metrics is open without METRICS_TOKEN', async () => {
    const res = await fetch(`${stack.base}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('callops_');
  });

  it('/metrics needs the bearer token when METRICS_TOKEN is set', async () => {
    const own = await startStack({ metricsToken: 'scrape-token-123' });
    try {
      const none = await fetch(`${own.base}/metrics`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await none.text()).not.toContain('callops_');
      const wrong = await fetch(`${own.base}/metrics`, { headers: { authorization: 'Bearer scrape-token-124' } });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${own.base}/metrics`, { headers: { authorization: 'Bearer scrape-token-123' } });
      expect(right.status).toBe(200);
      expect(await right.text()).toContain('callops_');
    } finally {
      await own.close();
    }
  });
});

describe('the Slack gate reads headers first and caps bodies', () => {
  /** Sends the headers and `first` bytes, keeps the body open, and resolves with the answer (or fails at the deadline). */
  function answerBeforeBody(headers: Record<string, string>, first: string): Promise<number> {
    const { hostname, port } = new URL(stack.base);
    return new Promise((resolve, reject) => {
      const req = request({ hostname, port, method: 'POST', path: '/slack/events', headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', () => undefined);
      req.write(first);
      const deadline = setTimeout(() => {
        req.destroy();
        reject(new Error('no answer before the body was complete'));
      }, 5000);
      deadline.unref();
    });
  }

  it('refuses a request without signature headers before its body arrives (401)', async () => {
    const status = await answerBeforeBody({ 'content-type': 'application/json', 'content-length': String(3 * 1024 * 1024) }, '{"type":');
    expect(status).toBe(401);
  });

  it('refuses a declared body past 1 MB before reading it (413)', async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const headers = { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024), 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': ts };
    expect(await answerBeforeBody(headers, '{"type":')).toBe(413);
  });

  it('stops reading a chunked body at 1 MB (413)', async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const headers = { 'content-type': 'application/json', 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': ts };
    expect(await answerBeforeBody(headers, `{"x":"${'a'.repeat(1024 * 1024 + 16)}`)).toBe(413);
  });

  it('still reads a body just under the cap (and checks its signature: 401)', async () => {
    const ts = String(Math.floor(Date.now() / 1000));
    const body = `{"x":"${'a'.repeat(1000 * 1000)}"}`;
    const r = await raw('POST', '/slack/events', { 'content-type': 'application/json', 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': ts }, body);
    expect(r.status).toBe(401);
  });
});
