/**
 * A Slack request the gate has read, verified and parsed goes from there straight to the
 * app, so Bolt's HTTP receiver does not route, read and parse it a second time. What the
 * receiver does with it is done here the same way, with Bolt's defaults: `ssl_check` and
 * `url_verification` are answered at once; anything else reaches `app.processEvent` with an
 * acknowledgement that answers at once, refuses a second call, and leaves a request never
 * acknowledged to Bolt's unhandled-request handler (after 3 s; 5 s for function_executed);
 * a failure goes to Bolt's processEventErrorHandler. An answer is written in one piece with
 * its length rather than chunked; a constant message's JSON is not made again (constant-json.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type App, type Logger as BoltLogger, HTTPModuleFunctions, LogLevel, ReceiverMultipleAckError } from '@slack/bolt';
import { type AwaitingAck, AckDeadlines } from './ack-deadlines.js';
import { jsonOf } from '../blocks/constant-json.js';

/** Bolt's HTTPReceiver defaults (unhandledRequestTimeoutMillis, and its longer wait for function_executed). */
const UNHANDLED_REQUEST_MS = 3001;
const UNHANDLED_FUNCTION_MS = 5001;

export type SlackEvents = (req: IncomingMessage, res: ServerResponse, body: Record<string, unknown>) => void;

/** The acknowledgement's answer: empty, text, or JSON. */
function answer(res: ServerResponse, body: unknown): void {
  if (!body) {
    res.writeHead(200, { 'content-length': 0 });
    res.end();
  } else if (typeof body === 'string') {
    res.writeHead(200, { 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } else {
    const json = jsonOf(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  }
}

/** One request until it is acknowledged: its `ack`, and its answer when Bolt never acknowledges it. */
class PendingAck implements AwaitingAck {
  acknowledged = false;
  readonly ack = this.acknowledge.bind(this);

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly logger: BoltLogger,
  ) {}

  private async acknowledge(response?: unknown): Promise<void> {
    if (this.acknowledged) throw new ReceiverMultipleAckError();
    this.acknowledged = true;
    answer(this.res, response);
    if (this.logger.getLevel() === LogLevel.DEBUG) this.logger.debug('ack() response sent');
  }

  expired(): void {
    HTTPModuleFunctions.defaultUnhandledRequestHandler({ logger: this.logger, request: this.req, response: this.res });
  }

  /** processEvent failed: Bolt's handler answers, if the ack has not already. */
  async failed(error: unknown): Promise<void> {
    const handled = await HTTPModuleFunctions.defaultProcessEventErrorHandler({
      error: error as Error,
      logger: this.logger,
      request: this.req,
      response: this.res,
      storedResponse: undefined,
    });
    if (handled) this.acknowledged = true;
  }
}

/** Hands parsed Slack requests to the app, as its HTTP receiver would. */
export function slackEvents(app: App, logger: BoltLogger): SlackEvents {
  const waits = new AckDeadlines(UNHANDLED_REQUEST_MS);
  const functionWaits = new AckDeadlines(UNHANDLED_FUNCTION_MS);
  const lost = (error: unknown) => logger.error(`Slack request failed after the app: ${error instanceof Error ? error.message : String(error)}`);
  return (req, res, body) => {
    if (body.ssl_check === '1') return HTTPModuleFunctions.buildSSLCheckResponse(res);
    if (body.type === 'url_verification') return HTTPModuleFunctions.buildUrlVerificationResponse(res, body);
    const pending = new PendingAck(req, res, logger);
    ((body.event as { type?: unknown } | undefined)?.type === 'function_executed' ? functionWaits : waits).add(pending);
    app
      .processEvent({
        body,
        ack: pending.ack,
        retryNum: HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req),
        retryReason: HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(req),
      } as Parameters<App['processEvent']>[0])
      .catch((error: unknown) => pending.failed(error))
      .catch(lost);
  };
}
