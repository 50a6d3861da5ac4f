/**
 * The sandbox PBX's routing table: the UAPI resources, OAuth, and the `/_sandbox/*`
 * control endpoints. Anything else answers 501 request_not_implemented.
 */
import type { controlHandlers } from './control.js';
import type { oauthHandlers } from './oauth.js';
import type { phoneCallEventHandlers } from './phone-call-events.js';
import type { phoneCallHandlers } from './phone-calls.js';
import type { Route } from './route-matcher.js';

export function sandboxRoutes(h: {
  calls: ReturnType<typeof phoneCallHandlers>;
  events: ReturnType<typeof phoneCallEventHandlers>;
  oauth: ReturnType<typeof oauthHandlers>;
  control: ReturnType<typeof controlHandlers>;
}): Route[] {
  const { calls, events, oauth, control } = h;
  const CALL = '/uapi/phoneCalls/:userId/:extension/:phoneCallId?';
  const EVENTS = '/uapi/extensions/:userId/:extension/phoneCallEvents';
  return [
    { method: 'GET', pattern: '/', body: 'none', uapi: false, handler: control.index },
    { method: 'POST', pattern: '/oauth/token.php', body: 'form', uapi: false, handler: oauth.token },
    { method: 'GET', pattern: '/oauth/authorize.php', body: 'none', uapi: false, handler: oauth.authorize },
    { method: 'POST', pattern: '/oauth/authorize.php', body: 'form', uapi: false, handler: oauth.authorize },
    { method: 'POST', pattern: '/uapi/phoneCalls/:userId/simple', body: 'json', uapi: true, handler: calls.create },
    // Same body and query (waitForPickup, callDuration) as simple in the vendor's MCP server; see README.
    { method: 'POST', pattern: '/uapi/phoneCalls/:userId/callback', body: 'json', uapi: true, handler: calls.create },
    { method: 'GET', pattern: CALL, body: 'none', uapi: true, handler: calls.list },
    { method: 'PUT', pattern: CALL, body: 'json', uapi: true, handler: calls.act },
    { method: 'DELETE', pattern: CALL, body: 'none', uapi: true, handler: calls.hangup },
    { method: 'GET', pattern: `${EVENTS}/:type?/:id?`, body: 'none', uapi: true, handler: events.list },
    { method: 'POST', pattern: `${EVENTS}/:type?`, body: 'json', uapi: true, handler: events.create },
    { method: 'PUT', pattern: `${EVENTS}/:type?/:id?`, body: 'json', uapi: true, handler: events.update },
    { method: 'DELETE', pattern: `${EVENTS}/:type?/:id?`, body: 'none', uapi: true, handler: events.remove },
    { method: 'GET', pattern: '/_sandbox/world', body: 'none', uapi: false, handler: control.state },
    { method: 'POST', pattern: '/_sandbox/reset', body: 'none', uapi: false, handler: control.reset },
    { method: 'POST', pattern: '/_sandbox/faults', body: 'json', uapi: false, handler: control.faults },
    { method: 'POST', pattern: '/_sandbox/calls', body: 'json', uapi: false, handler: control.inboundCall },
    { method: 'POST', pattern: '/_sandbox/calls/:id/:action', body: 'json', uapi: false, handler: control.desk },
    { method: 'GET', pattern: '/_sandbox/changes', body: 'none', uapi: false, handler: control.changes },
    { method: 'GET', pattern: '/_sandbox/traffic', body: 'none', uapi: false, handler: control.trafficStatus },
    { method: 'POST', pattern: '/_sandbox/traffic', body: 'json', uapi: false, handler: control.traffic },
    { method: 'POST', pattern: '/_sandbox/extensions', body: 'json', uapi: false, handler: control.extensions },
  ];
}
