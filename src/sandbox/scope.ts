/**
 * Who may act on what: resolves the `userId` and `extension` URI segments
 * against the authenticated user.
 *
 * userId: `@me` / `@viewer` = the token's user; `@owner` = the owner of the
 * extension; a numeric id = that user. A user may address only themselves; the
 * Organization account may address every user of its organization (inferred:
 * the pages list Administrator, Organization and User accounts but give no
 * permission rules). Garbage → 400 user_invalid; someone else → 401 access_denied.
 *
 * extension: an extended number (`0003*210`) or the short form (`210`) inside
 * the user's organization, or `@self` = every extension of the user (every
 * extension of the organization for the Organization account).
 */
import { ApiError, type ErrorCode } from './errors.js';
import type { Extension, ExtensionType, PhoneCall, User, World } from './world.js';

export interface Scope {
  /** the authenticated user */
  token: User;
  /** the user the URI names */
  user: User;
  /** the userId segment as given, reused in self links */
  userSegment: string;
  /** the URI extension, or all of the user's extensions for @self */
  extensions: Extension[];
  isSelf: boolean;
}

export interface ScopeOptions {
  allowSelf: boolean;
  /** extension types allowed (PhoneCallEvents: Phone Terminal, Queue, Conference, IVR) */
  types?: readonly ExtensionType[];
  /** code when the user does not own the extension (PhoneCallEvents: pce_access_denied) */
  denied: ErrorCode;
}

export function resolveScope(world: World, tokenUserId: string | null, userSegment: string | undefined, extSegment: string | undefined, opts: ScopeOptions): Scope {
  const token = tokenUserId === null ? undefined : world.users.get(tokenUserId);
  if (!token) throw new ApiError('access_denied');
  const userSeg = userSegment ?? '@me';
  const extSeg = extSegment ?? '';

  const isSelf = extSeg === '@self';
  if (isSelf && !opts.allowSelf) throw new ApiError('extension_invalid', 'The extension cannot be set to @self for this request.');
  const lookupOrg = /^\d+$/.test(userSeg) ? (world.users.get(userSeg)?.orgId ?? token.orgId) : token.orgId;
  const ext = isSelf ? undefined : world.findExtension(extSeg, lookupOrg);

  let user: User | undefined;
  if (userSeg === '@me' || userSeg === '@viewer') user = token;
  else if (userSeg === '@owner') user = ext ? world.users.get(ext.ownerId) : token;
  else if (/^\d+$/.test(userSeg)) {
    user = world.users.get(userSeg);
    if (!user && token.role === 'organization') throw new ApiError('user_invalid');
  } else throw new ApiError('user_invalid');
  if (!user || !(user.id === token.id || (token.role === 'organization' && user.orgId === token.orgId))) {
    // PhoneCallEvents name their own code for it (Update page: pce_access_denied,
    // "You are not allowed to manage the phone call events"); PhoneCalls use access_denied.
    throw new ApiError(opts.denied === 'access_denied' || !user ? 'access_denied' : opts.denied);
  }

  if (isSelf) return { token, user, userSegment: userSeg, extensions: world.extensionsOf(user), isSelf };
  if (!ext || (opts.types && !opts.types.includes(ext.type))) throw new ApiError('extension_invalid');
  if (!world.mayUseExtension(user, ext)) throw new ApiError(opts.denied);
  return { token, user, userSegment: userSeg, extensions: [ext], isSelf };
}

/** The scope's extension taking part in the call (the URI extension unless @self), if any. */
export function actingExtension(world: World, scope: Scope, call: PhoneCall): Extension | undefined {
  const mine = scope.extensions.filter((e) => world.involves(call, e.number));
  return mine.find((e) => e.number === call.extension) ?? mine[0];
}
