/**
 * A Slack request the gate has read, verified and parsed goes from there straight to the
 * app, so Bolt's HTTP receiver does not route, read and parse it a second time. What the
 * receiver does with it is done here the same way, with Bolt's defaults: `ssl_check` and
 * `url_verification` are answered at once; anything else reaches `app.processEvent` with an
 * acknowledgement that answers at once, refuses a second call, and leaves a request never
 * acknowledged to Bolt's unhandled-request handler (after 3 s; 5 s for function_executed);
 * a failure goes to Bolt's processEventErrorHandler. An answer is written in one piece with
 * its length rather than chunked.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type App, type Logger as BoltLogger, HTTPModuleFunctions, LogLevel, ReceiverMultipleAckError } from '@slack/bolt';

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
    const json = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    res.end(json);
  }
}

/** Hands parsed Slack requests to the app, as its HTTP receiver would. */
export function slackEvents(app: App, logger: BoltLogger): SlackEvents {
  const debug = () => logger.getLevel() === LogLevel.DEBUG;
  return (req, res, body) => {
    if (body.ssl_check === '1') return HTTPModuleFunctions.buildSSLCheckResponse(res);
    if (body.type === 'url_verification') return HTTPModuleFunctions.buildUrlVerificationResponse(res, body);
    let acknowledged = false;
    const isFunction = (body.event as { type?: unknown } | undefined)?.type === 'function_executed';
    const timer = setTimeout(
      () => {
        if (!acknowledged) HTTPModuleFunctions.defaultUnhandledRequestHandler({ logger, request: req, response: res });
      },
      isFunction ? UNHANDLED_FUNCTION_MS : UNHANDLED_REQUEST_MS,
    );
    const settle = () => {
      acknowledged = true;
      clearTimeout(timer);
    };
    const ack = async (response?: unknown): Promise<void> => {
      if (acknowledged) throw new ReceiverMultipleAckError();
      settle();
      answer(res, response);
      if (debug()) logger.debug('ack() response sent');
    };
    const event = {
      body,
      ack,
      retryNum: HTTPModuleFunctions.extractRetryNumFromHTTPRequest(req),
      retryReason: HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(req),
    };
    app
      .processEvent(event as Parameters<App['processEvent']>[0])
      .catch(async (error: unknown) => {
        const handled = await HTTPModuleFunctions.defaultProcessEventErrorHandler({ error: error as Error, logger, request: req, response: res, storedResponse: undefined });
        if (handled) settle();
      })
      .catch((error: unknown) => logger.error(`Slack request failed after the app: ${error instanceof Error ? error.message : String(error)}`));
  };
}
