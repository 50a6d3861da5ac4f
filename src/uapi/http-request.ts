/**
 * One HTTP request to VoipNow over the adapter's keep-alive agent, answered as
 * status, the Retry-After header and the body text. Plain node:http(s): the
 * fetch wrapper's per-response stream pipeline (an AbortController and a
 * DOMException with its stack on every answer) was a tenth of the adapter's
 * CPU per request. Redirects are not followed (a link elsewhere is never
 * followed either, see UapiHttp.resolve); bodies are read as UTF-8 text.
 */
import http from 'node:http';
import https from 'node:https';

export interface PlainAnswer {
  status: number;
  retryAfter: string | null;
  text: string;
}

export class RequestTimeout extends Error {
  constructor() {
    super('request timed out');
    this.name = 'RequestTimeout';
  }
}

export function plainRequest(url: URL, opts: { method: string; headers: Record<string, string>; body?: string; agent: http.Agent; timeoutMs: number }): Promise<PlainAnswer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? https.request : http.request;
    const headers = opts.body === undefined ? opts.headers : { ...opts.headers, 'Content-Length': String(Buffer.byteLength(opts.body)) };
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };
    const req = send(url, { method: opts.method, headers, agent: opts.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    const timer = setTimeout(() => {
      const err = new RequestTimeout();
      fail(err);
      req.destroy(err);
    }, opts.timeoutMs);
    req.on('error', fail);
    req.end(opts.body);
  });
}
