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
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
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
