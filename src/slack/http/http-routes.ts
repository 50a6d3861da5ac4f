/**
 * The plain HTTP routes the app serves beside Slack's: `GET /healthz`, `GET /readyz`,
 * `GET /metrics` and the linking pages (VoipNow OAuth callback, link start page,
 * Sign in with Slack callback). The board's receiver route is added by the app.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readiness } from '../../health.js';
import type { Logger } from '../../log.js';
import type { Metrics } from '../../metrics.js';
import { APP_NAME, APP_VERSION } from '../../version.js';
import { setPageHeaders } from './page-headers.js';
import { CALLBACK_PATH, LINK_START_PATH, type Linking, SLACK_SIGNIN_CALLBACK_PATH } from '../users/linking.js';

export interface HttpRoute {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export function httpRoutes(deps: {
  readiness: Readiness;
  metrics: Metrics;
  linking: Linking;
  logger: Logger;
  /** METRICS_TOKEN: when set, `GET /metrics` needs `Authorization: Bearer <it>`. */
  metricsToken?: string;
}): HttpRoute[] {
  const { readiness, metrics, linking, logger, metricsToken } = deps;
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ ok: true, app: APP_NAME, version: APP_VERSION }));
      },
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        readiness.report().then(
          (report) => {
            // Strangers learn which check failed, in a word; the reasons (hostnames, driver errors) go to the log.
            const failed = Object.entries(report.checks).filter(([, c]) => !c.ok);
            if (failed.length) logger.warn('not ready', { failed: Object.fromEntries(failed.map(([name, c]) => [name, c.reason])) });
            res.writeHead(report.ready ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
            // Warnings are fixed sentences of ours (no hostnames), so they are shown as they are.
            res.end(JSON.stringify({ ready: report.ready, failed: failed.map(([name]) => name), ...(report.warnings && { warnings: report.warnings }) }));
          },
          (err: unknown) => {
            logger.error('readiness failed', { error: err instanceof Error ? err.message : String(err) });
            res.writeHead(503, { 'Content-Type': 'application/json' });
            res.end(JSON.stringify({ ready: false }));
          },
        );
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (req: IncomingMessage, res: ServerResponse) => {
        if (metricsToken !== undefined && !bearerMatches(req.headers.authorization, metricsToken)) {
          res.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer realm="callops metrics"' });
          res.end('GET /metrics needs the header Authorization: Bearer <METRICS_TOKEN>');
          return;
        }
        metrics.text().then(
          (text) => {
            res.writeHead(200, { 'Content-Type': metrics.contentType });
            res.end(text);
          },
          (err: unknown) => {
            logger.error('metrics failed', { error: err instanceof Error ? err.message : String(err) });
            res.writeHead(500, { 'Content-Type': 'text/plain' });
            res.end('metrics failed; the error was logged');
          },
        );
      },
    },
    ...(
      [
        [CALLBACK_PATH, (req, res) => linking.callback(req, res)],
        [LINK_START_PATH, (req, res) => linking.startPage(req, res)],
        [SLACK_SIGNIN_CALLBACK_PATH, (req, res) => linking.slackCallback(req, res)],
      ] as [string, (req: IncomingMessage, res: ServerResponse) => Promise<void>][]
    ).map(([path, run]) => ({
      path,
      method: ['GET'],
      handler: (req: IncomingMessage, res: ServerResponse) => {
        setPageHeaders(req, res);
        run(req, res).catch((err: unknown) => {
          logger.error('linking page failed', { path, error: err instanceof Error ? err.message : String(err) });
          if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end('callops could not finish linking; the error was logged.');
        });
      },
    })),
  ];
}

/** `Bearer <token>`, compared in constant time (both sides hashed to the same length). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(token));
}
