/** Low-level HTTP plumbing: reading bodies, parsing forms, normalizing paths, writing replies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Reply } from './errors.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {}

/** Reads the whole request body (at most MAX_BODY_BYTES). */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError('body too large'));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Result of parsing a JSON body: `ok: false` when the text is not JSON. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; raw: string };

export function parseJson(buf: Buffer): JsonBody {
  const text = buf.toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, raw: text };
  }
}

/**
 * Parses an HTML form body: application/x-www-form-urlencoded or
 * multipart/form-data (4PSA's PHP examples post arrays through CURLOPT_POSTFIELDS,
 * which sends multipart). Only text fields are kept; files are ignored.
 */
export function parseForm(buf: Buffer, contentType: string | undefined): Record<string, string> {
  const ct = (contentType ?? '').toLowerCase();
  if (ct.startsWith('multipart/form-data')) {
    const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
    const boundary = m?.[1] ?? m?.[2];
    return boundary ? parseMultipart(buf.toString('latin1'), boundary.trim()) : {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(buf.toString('utf8'))) out[k] = v;
  return out;
}

function parseMultipart(body: string, boundary: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of body.split(`--${boundary}`)) {
    const sep = part.indexOf('\r\n\r\n');
    if (sep < 0) continue;
    const head = part.slice(0, sep);
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined || /\bfilename="/i.test(head)) continue;
    let value = part.slice(sep + 4);
    if (value.endsWith('\r\n')) value = value.slice(0, -2);
    out[name] = Buffer.from(value, 'latin1').toString('utf8');
  }
  return out;
}

export interface NormalizedPath {
  /** decoded path, no query, single slashes, no trailing slash, `/unifiedapi/` → `/uapi/` */
  path: string;
  /** decoded segments of `path` */
  segments: string[];
  query: Record<string, string>;
}

/**
 * Accepts paths with or without a trailing slash (MCP clients send one), with
 * `*` literal or percent-encoded (`%2A`), with doubled slashes (the seed pages'
 * `link.self` values read `//uapi/`), and under the legacy `/unifiedapi/`
 * prefix that 4PSA's own apps use. Returns null for undecodable paths.
 */
export function normalizePath(rawUrl: string): NormalizedPath | null {
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query: Record<string, string> = {};
  if (q >= 0) for (const [k, v] of new URLSearchParams(rawUrl.slice(q + 1))) query[k] = v;
  let segments: string[];
  try {
    segments = rawPath
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
  if (segments[0] === 'unifiedapi') segments[0] = 'uapi';
  return { path: `/${segments.join('/')}`, segments, query };
}

/** Writes a Reply. JSON bodies are serialized without null fields. */
export function writeReply(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...reply.headers };
  let payload: string | undefined;
  if (reply.status === 204 || reply.status === 304) {
    payload = undefined;
  } else if (reply.html !== undefined) {
    headers['Content-Type'] = 'text/html; charset=utf-8';
    payload = reply.html;
  } else if (reply.text !== undefined) {
    headers['Content-Type'] = 'text/plain; charset=utf-8';
    payload = reply.text;
  } else if (reply.body !== undefined) {
    headers['Content-Type'] = 'application/json; charset=utf-8';
    // "fields that are NULL are not included in the response" (PhoneCalls resource page)
    payload = JSON.stringify(reply.body, (_k, v: unknown) => (v === null ? undefined : v));
  }
  if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/**
 * Origin to build absolute links with: the scheme and host the client used.
 * Behind a TLS proxy that is `X-Forwarded-Proto` / `X-Forwarded-Host` (first
 * value of each), else the Host header over plain http, else `fallback`.
 */
export function baseUrlOf(req: IncomingMessage, fallback: string): string {
  const first = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h)?.split(',')[0]?.trim().toLowerCase();
  const proto = first(req.headers['x-forwarded-proto']);
  const scheme = proto === 'https' || proto === 'http' ? proto : (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const host = first(req.headers['x-forwarded-host']) || req.headers.host;
  return host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `${scheme}://${host}` : fallback;
}
