/** The request context handlers see, and the matcher for the one routing table (server.ts). */
import type { IncomingHttpHeaders } from 'node:http';
import type { Reply } from './errors.js';

export interface RequestContext {
  method: string;
  /** normalized, decoded path (see http.ts normalizePath) */
  path: string;
  params: Record<string, string | undefined>;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** parsed body: JSON value for `json` routes, field map for `form` routes */
  body: unknown;
  /** origin for absolute links, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** authenticated user id (UAPI routes) */
  userId: string | null;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** e.g. `/uapi/phoneCalls/:userId/:extension/:phoneCallId?` — optional params only at the end */
  pattern: string;
  body: 'json' | 'form' | 'none';
  /** UAPI route: Bearer token required, faults applied */
  uapi: boolean;
  handler: Handler;
}

export type Match = { kind: 'found'; route: Route; params: Record<string, string | undefined> } | { kind: 'none'; uapi: boolean };

function matchPattern(pattern: string, segments: string[]): Record<string, string | undefined> | null {
  const parts = pattern.split('/').filter((p) => p !== '');
  const minLength = parts.filter((p) => !p.endsWith('?')).length;
  if (segments.length < minLength || segments.length > parts.length) return null;
  const params: Record<string, string | undefined> = {};
  for (const [i, part] of parts.entries()) {
    const seg = segments[i];
    if (part.startsWith(':')) params[part.slice(1).replace(/\?$/, '')] = seg;
    else if (seg !== part) return null;
  }
  return params;
}

/** First route whose method and pattern match; `uapi` tells whether the path was a UAPI one. */
export function matchRoute(routes: readonly Route[], method: string, segments: string[]): Match {
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = matchPattern(route.pattern, segments);
    if (params) return { kind: 'found', route, params };
  }
  return { kind: 'none', uapi: segments[0] === 'uapi' };
}
