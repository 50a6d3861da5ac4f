/**
 * The plain HTTP routes the app serves beside Slack's: `GET /healthz`, `GET /readyz`,
 * `GET /metrics` and the linking pages (VoipNow OAuth callback, link start page,
 * Sign in with Slack callback). The board's receiver route is added by the app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readiness } from '../health.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { APP_NAME, APP_VERSION } from '../version.js';
import { setPageHeaders } from './page-headers.js';
import { CALLBACK_PATH, LINK_START_PATH, type Linking, SLACK_SIGNIN_CALLBACK_PATH } from './linking.js';

export interface HttpRoute {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export function httpRoutes(deps: { readiness: Readiness; metrics: Metrics; linking: Linking; logger: Logger }): HttpRoute[] {
  const { readiness, metrics, linking, logger } = deps;
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
            res.writeHead(report.ready ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
            res.end(JSON.stringify(report));
          },
          () => {
            res.writeHead(503, { 'Content-Type': 'application/json' });
            res.end(JSON.stringify({ ready: false }));
          },
        );
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
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
