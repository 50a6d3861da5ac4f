/**
 * More phone terminals for load tests (POST /_sandbox/extensions): `count` new
 * phone terminals of an organization, numbered from `first` up (`0003*1000`,
 * `0003*1001`, …), each owned by a new user of that organization, the way an
 * administrator adds desk phones in VoipNow. They answer like the seed phones,
 * take generated traffic and PhoneCallEvents, and go away on reset.
 */
import { ApiError } from './errors.js';
import type { Extension, World } from './world.js';

export interface AddExtensions {
  count: number;
  /** organization id (default 3) */
  orgId: string;
  /** number of the first one, after the organization's code (default 1000) */
  first: number;
}

export const MAX_ADDED_EXTENSIONS = 10_000;

function invalid(message: string): never {
  throw new ApiError('request_invalid', message);
}

export function validateAddExtensions(world: World, raw: unknown): AddExtensions {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) invalid('The body must be a JSON object, e.g. {"count": 1000}.');
  const b = raw as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !['count', 'orgId', 'first'].includes(k));
  if (unknown.length > 0) invalid(`Unknown field ${unknown.join(', ')}; allowed: count, orgId, first.`);
  const count = b.count;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_ADDED_EXTENSIONS) {
    invalid(`count must be a whole number from 1 to ${MAX_ADDED_EXTENSIONS}.`);
  }
  const orgId = b.orgId === undefined ? '3' : b.orgId;
  if (typeof orgId !== 'string' || !world.orgs.has(orgId)) invalid('orgId must name an organization of the sandbox (see GET /_sandbox/world).');
  const first = b.first === undefined ? 1000 : b.first;
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 0 || first + count > 10 ** 7) invalid('first must be a whole number from 0, with first + count below 10000000.');
  return { count, orgId, first };
}

/** Adds the phone terminals (and their owners); 400 request_invalid when one of the numbers exists already. */
export function addExtensions(world: World, spec: AddExtensions): Extension[] {
  const org = world.orgs.get(spec.orgId);
  if (!org) invalid('orgId must name an organization of the sandbox.');
  const numbers = Array.from({ length: spec.count }, (_, i) => `${org.code}*${spec.first + i}`);
  const taken = numbers.find((n) => world.extensions.has(n));
  if (taken) invalid(`Extension ${taken} exists already; pick another "first".`);
  const added: Extension[] = [];
  for (const [i, number] of numbers.entries()) {
    const userId = `${org.id}${String(spec.first + i).padStart(7, '0')}`;
    const name = `Desk ${spec.first + i}`;
    world.users.set(userId, { id: userId, name, orgId: org.id, role: 'user' });
    const ext: Extension = { number, type: 'phoneTerminal', label: `${name} phone`, ownerId: userId, orgId: org.id, callerId: `${name} <${org.code}${spec.first + i}>`, answers: true };
    world.extensions.set(number, ext);
    added.push(ext);
  }
  return added;
}
