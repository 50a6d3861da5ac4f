/**
 * PhoneCallEvents service handlers (reference §5; seed page 003):
 * `/uapi/extensions/{userId}/{extension}/phoneCallEvents[/{type}[/{id}]]`.
 * The extension may be a Phone Terminal, Queue, Conference or IVR, never @self.
 */
import { ApiError, type Reply } from './errors.js';
import { applyListQuery, type ListRules } from './list-query.js';
import { eventJson, eventUrl } from './present.js';
import type { RequestContext } from './route-matcher.js';
import { resolveScope, type Scope } from './scope.js';
import { eventTypeOf, isObjectId, validateEventFields } from './validate.js';
import { isoDate, newEventId, type PhoneCallEvent, type World } from './world.js';

const SCOPE = {
  allowSelf: false,
  types: ['phoneTerminal', 'queue', 'conference', 'ivr'],
  denied: 'pce_access_denied',
} as const;

/**
 * List PhoneCallEvents page: `filterBy` any field of the resource; records
 * are ordered by url (the vendor's MCP server says so; the page does not).
 */
const LIST_RULES: ListRules = {
  filterable: ['type', 'id', 'url', 'method', 'status', 'note', 'modified'],
  fields: ['type', 'id', 'url', 'method', 'status', 'note', 'modified', 'links'],
  always: ['id', 'links'],
  sortKey: 'url',
  dates: ['modified'],
};

export function phoneCallEventHandlers(world: World) {
  const scopeOf = (ctx: RequestContext): { scope: Scope; extension: string } => {
    const scope = resolveScope(world, ctx.userId, ctx.params.userId, ctx.params.extension, SCOPE);
    return { scope, extension: scope.extensions[0]?.number ?? '' };
  };

  /** Events of the extension matching the optional type and id of the URI. */
  const matching = (ctx: RequestContext, extension: string): PhoneCallEvent[] => {
    const { type, id } = ctx.params;
    const t = type === undefined ? undefined : eventTypeOf(type);
    if (id !== undefined && !isObjectId(id)) throw new ApiError('pce_id_invalid');
    return world.events.filter((e) => e.extension === extension && (t === undefined || e.type === t) && (id === undefined || e.id === id));
  };

  const json = (ctx: RequestContext, scope: Scope, ev: PhoneCallEvent) => eventJson(ev, eventUrl(ctx.baseUrl, scope.userSegment, ev));

  /** GET …/phoneCallEvents[/{type}[/{id}]] → {"entry":[…]} or 204. */
  function list(ctx: RequestContext): Reply {
    const { scope, extension } = scopeOf(ctx);
    const entry = applyListQuery(
      matching(ctx, extension).map((e) => json(ctx, scope, e)),
      ctx.query,
      LIST_RULES,
    );
    return entry.length === 0 ? { status: 204 } : { status: 200, body: { entry } };
  }

  /**
   * POST …/phoneCallEvents[/{type}] → 200 with the new PhoneCallEvent (its id
   * is generated: 30 alpha-numeric characters, unless the body gives one).
   * Type from the path (UAPI v5) or the body (v3 wiki, MCP). Defaults when
   * absent (not documented): method 0 (GET), status 1 (enabled).
   */
  function create(ctx: RequestContext): Reply {
    const { scope, extension } = scopeOf(ctx);
    const fields = validateEventFields(ctx.body, 'create');
    const pathType = ctx.params.type === undefined ? undefined : eventTypeOf(ctx.params.type);
    if (pathType !== undefined && fields.type !== undefined && pathType !== fields.type) throw new ApiError('pce_type_invalid');
    const type = pathType ?? fields.type;
    if (type === undefined) throw new ApiError('pce_type_invalid');
    if (fields.id !== undefined && world.events.some((e) => e.extension === extension && e.id === fields.id)) {
      throw new ApiError('pce_id_invalid', 'A phone call event with this id already exists.');
    }
    const ev: PhoneCallEvent = {
      extension,
      type,
      id: fields.id ?? newEventId(),
      method: fields.method ?? 0,
      url: fields.url ?? '',
      status: fields.status ?? 1,
      modified: isoDate(),
      ...(fields.note !== undefined ? { note: fields.note } : {}),
    };
    world.events.push(ev);
    return { status: 200, body: json(ctx, scope, ev) };
  }

  /** PUT …/phoneCallEvents/{type}/{id}: partial update → 200 with the whole event. */
  function update(ctx: RequestContext): Reply {
    const { scope, extension } = scopeOf(ctx);
    if (ctx.params.type === undefined) throw new ApiError('pce_type_invalid');
    if (ctx.params.id === undefined) throw new ApiError('pce_id_invalid');
    const ev = matching(ctx, extension)[0];
    if (!ev) throw new ApiError('pce_id_invalid');
    const fields = validateEventFields(ctx.body, 'update');
    if (fields.type !== undefined) ev.type = fields.type;
    if (fields.method !== undefined) ev.method = fields.method;
    if (fields.status !== undefined) ev.status = fields.status;
    if (fields.note !== undefined) ev.note = fields.note;
    if (fields.url !== undefined) ev.url = fields.url;
    ev.modified = isoDate();
    return { status: 200, body: json(ctx, scope, ev) };
  }

  /** DELETE …/phoneCallEvents[/{type}[/{id}]] → 200 [{id}…] or 204; no type = all events of the extension. */
  function remove(ctx: RequestContext): Reply {
    const { extension } = scopeOf(ctx);
    const gone = new Set(matching(ctx, extension));
    world.events = world.events.filter((e) => !gone.has(e));
    return gone.size === 0 ? { status: 204 } : { status: 200, body: [...gone].map((e) => ({ id: e.id })) };
  }

  return { list, create, update, remove };
}
