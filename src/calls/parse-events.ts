/**
 * `events list|add|update|delete`: an extension's PhoneCallEvents as commands.
 */
import { rules } from '../uapi/rules.js';
import { CommandError } from './command-error.js';
import { check, readWords } from './words.js';

const EVENTS_USAGE: Record<'list' | 'add' | 'update' | 'delete', { usage: string; example: string }> = {
  list: { usage: 'events list <extension> [type]', example: 'events list 0003*210' },
  add: {
    usage: 'events add <extension> <type> url <url> [method get|post] [note "..."] [status enabled|disabled]',
    example: 'events add 0003*210 hangup url https://crm.example.com/hook method post',
  },
  update: {
    usage: 'events update <extension> <type> <eventId> [method get|post] [note "..."] [url <url>] [status enabled|disabled]',
    example: 'events update 0003*210 0 NqeyDRqo4FtabmFj8gNWq3hsiGNYyq method post note "I want to use POST for my event"',
  },
  delete: { usage: 'events delete <extension> [type [eventId]]', example: 'events delete 0003*210 0 NqeyDRqo4FtabmFj8gNWq3hsiGNYyq' },
};
const EVENTS_OPS = new Map(Object.entries(EVENTS_USAGE) as [keyof typeof EVENTS_USAGE, { usage: string; example: string }][]);
const EVENTS_MAX_WORDS = new Map<keyof typeof EVENTS_USAGE, number>([
  ['list', 2],
  ['add', 2],
  ['update', 3],
  ['delete', 3],
]);

/** The `events ...` commands: an extension's PhoneCallEvents listed, added, changed or deleted. */
export type EventsCommand =
  | { kind: 'events-list'; extension: string; eventType?: number }
  | { kind: 'events-add'; extension: string; eventType: number; url: string; method?: 0 | 1; note?: string; status?: 0 | 1 }
  | {
      kind: 'events-update';
      extension: string;
      eventType: number;
      eventId: string;
      changes: { method?: 0 | 1; note?: string; url?: string; status?: 0 | 1 };
    }
  | { kind: 'events-delete'; extension: string; eventType?: number; eventId?: string };

export function parseEvents(args: string[]): EventsCommand {
  const [op, ...rest] = args;
  const key = (op ?? '').toLowerCase() as keyof typeof EVENTS_USAGE;
  // A Map, not an object lookup: `events constructor` or `events __proto__` is an unknown word.
  const ctx = EVENTS_OPS.get(key);
  if (!ctx) {
    throw new CommandError(
      op ? `\`events ${op}\` is not known: use list, add, update or delete.` : '`events` needs list, add, update or delete.',
      'events list|add|update|delete <extension> ...',
      EVENTS_USAGE.list.example,
    );
  }
  const takesFields = key === 'add' || key === 'update';
  const { positionals, options } = readWords(rest, new Set(takesFields ? ['method', 'note', 'url', 'status'] : []), ctx);
  const max = EVENTS_MAX_WORDS.get(key)!;
  if (positionals.length > max) {
    throw new CommandError(`Too many words: \`${positionals.slice(max).join(' ')}\` is not understood.`, ctx.usage, ctx.example);
  }
  const [ext, type, id] = positionals;
  if (ext === undefined) throw new CommandError('Which extension?', ctx.usage, ctx.example);
  const extension = check(() => rules.extension(ext), ctx);
  const eventType = type === undefined ? undefined : check(() => rules.eventType(type), ctx);
  const eventId = id === undefined ? undefined : check(() => rules.eventId(id), ctx);
  const fields = check(
    () => ({
      ...(options.has('method') && { method: rules.eventMethod(options.get('method')!) }),
      ...(options.has('note') && { note: rules.eventNote(options.get('note')!) }),
      ...(options.has('url') && { url: rules.eventUrl(options.get('url')!) }),
      ...(options.has('status') && { status: rules.eventStatus(options.get('status')!) }),
    }),
    ctx,
  );
  switch (key) {
    case 'list':
      return { kind: 'events-list', extension, ...(eventType !== undefined && { eventType }) };
    case 'delete':
      return { kind: 'events-delete', extension, ...(eventType !== undefined && { eventType }), ...(eventId !== undefined && { eventId }) };
    case 'add': {
      if (eventType === undefined) throw new CommandError('Which event type?', ctx.usage, ctx.example);
      if (!fields.url) throw new CommandError('A new event needs `url <address>` to call.', ctx.usage, ctx.example);
      return { kind: 'events-add', extension, eventType, ...fields, url: fields.url };
    }
    case 'update': {
      if (eventType === undefined || eventId === undefined) {
        throw new CommandError('Which event? Give its type and id (see `events list`).', ctx.usage, ctx.example);
      }
      // No changes: the console says so (the client refuses an empty update); Slack opens the edit modal.
      return { kind: 'events-update', extension, eventType, eventId, changes: fields };
    }
  }
}
