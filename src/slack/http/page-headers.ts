/**
 * The headers of every HTML page callops serves (the linking pages): no framing,
 * no referrer (the URLs carry single-use states), no MIME sniffing, and HSTS when
 * the page travelled over TLS (a TLS socket, or `X-Forwarded-Proto: https` from
 * the proxy in front).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';

export const HSTS = 'max-age=31536000; includeSubDomains';

export function overTls(req: IncomingMessage): boolean {
  if ((req.socket as Partial<TLSSocket>).encrypted === true) return true;
  const proto = req.headers['x-forwarded-proto'];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

/** Set before the page writes its head; writeHead merges them in. */
export function setPageHeaders(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (overTls(req)) res.setHeader('Strict-Transport-Security', HSTS);
}
