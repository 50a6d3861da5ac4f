/**
 * The OAuth `state` of "Add to Slack": signed with SLACK_STATE_SECRET (HMAC-SHA256), valid
 * for ten minutes, and single use across every replica (claimed in the store when it is
 * verified). Bolt's InstallProvider also binds it to the browser with a cookie, so a state
 * that was forged, altered, expired, used before or opened in another browser installs nothing.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { InstallURLOptions, StateStore } from '@slack/bolt';
import type { Store } from '../../store/types.js';

export const INSTALL_STATE_TTL_MS = 10 * 60 * 1000;

/** Thrown for a state that installs nothing; the message says why in plain words (no state echoed). */
export class InstallStateError extends Error {
  readonly code = 'slack_oauth_invalid_state';
  constructor(message: string) {
    super(message);
    this.name = 'InstallStateError';
  }
}

export class SingleUseStateStore implements StateStore {
  constructor(
    private readonly secret: string,
    private readonly claims: Pick<Store, 'claimOnce'>,
    private readonly ttlMs = INSTALL_STATE_TTL_MS,
  ) {}

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  async generateStateParam(installOptions: InstallURLOptions, now: Date): Promise<string> {
    const payload = Buffer.from(
      JSON.stringify({ at: now.getTime(), nonce: randomBytes(16).toString('base64url'), scopes: installOptions.scopes, redirectUri: installOptions.redirectUri }),
    ).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  async verifyStateParam(now: Date, state: string): Promise<InstallURLOptions> {
    const [payload, signature, extra] = state.split('.');
    if (!payload || !signature || extra !== undefined) throw new InstallStateError('the state parameter is malformed');
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InstallStateError('the state parameter was not issued by this callops');
    let parsed: { at?: unknown; scopes?: unknown; redirectUri?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof parsed;
    } catch {
      throw new InstallStateError('the state parameter is malformed');
    }
    const at = typeof parsed.at === 'number' ? parsed.at : Number.NaN;
    if (!(now.getTime() - at <= this.ttlMs && at - now.getTime() <= 60_000)) throw new InstallStateError('the install link expired (it is valid for 10 minutes)');
    const key = `slack-install-state:${createHash('sha256').update(state).digest('base64url')}`;
    if (!(await this.claims.claimOnce(key, new Date(at + this.ttlMs), now))) throw new InstallStateError('this install link was already used');
    const scopes = Array.isArray(parsed.scopes) ? parsed.scopes.filter((s): s is string => typeof s === 'string') : [];
    return { scopes, ...(typeof parsed.redirectUri === 'string' && { redirectUri: parsed.redirectUri }) };
  }
}
