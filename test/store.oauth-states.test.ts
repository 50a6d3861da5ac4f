/**
 * OAuthStateStore contract, run by every backend: a state is single use, expires, and is kept
 * only as a hash.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { OAuthState, OAuthStateStore } from '../src/store/types.js';
import { forEachBackend, type StoreHarness } from './helpers/store-backends.js';
import { cipherA } from './helpers/store-records.js';

forEachBackend('OAuthStateStore contract', (backend) => {
  let h: StoreHarness;
  let store: OAuthStateStore;
  beforeEach(async () => {
    h = await backend.createHarness();
    store = await h.open(cipherA);
  });
  afterEach(() => h.dispose());

  const future = () => new Date(Date.now() + 10 * 60_000);

  it('round-trips and is single use', async () => {
    const s: OAuthState = {
      state: 'st-1',
      teamId: 'T1',
      slackUserId: 'U1',
      channelId: 'C1',
      responseUrl: 'https://hooks.slack.com/actions/T1/1/abc',
      extension: '0003*210',
      expiresAt: new Date(Math.floor(Date.now() / 1000) * 1000 + 600_123),
    };
    await store.createOAuthState(s);
    expect(await store.consumeOAuthState('st-1')).toStrictEqual(s);
    expect(await store.consumeOAuthState('st-1')).toBeUndefined();
    expect(await h.rawRows('oauth_states')).toHaveLength(0);
  });

  it('leaves absent optionals absent', async () => {
    const s: OAuthState = { state: 'st-2', teamId: 'T1', slackUserId: 'U1', expiresAt: future() };
    await store.createOAuthState(s);
    expect(await store.consumeOAuthState('st-2')).toStrictEqual(s);
  });

  it('returns undefined for unknown states', async () => {
    expect(await store.consumeOAuthState('nope')).toBeUndefined();
  });

  it('treats expired states as absent and deletes them', async () => {
    const expiresAt = future();
    await store.createOAuthState({ state: 'st-3', teamId: 'T1', slackUserId: 'U1', expiresAt });
    await store.createOAuthState({ state: 'st-4', teamId: 'T1', slackUserId: 'U1', expiresAt });
    expect(await store.consumeOAuthState('st-3', new Date(expiresAt.getTime() + 1))).toBeUndefined();
    // Deleted: not even an earlier clock gets it back.
    expect(await store.consumeOAuthState('st-3', new Date(expiresAt.getTime() - 60_000))).toBeUndefined();
    // Expiry is inclusive: at exactly expiresAt the state is no longer valid.
    expect(await store.consumeOAuthState('st-4', expiresAt)).toBeUndefined();
    expect(await h.rawRows('oauth_states')).toHaveLength(0);
  });

  it('accepts a state just before expiry', async () => {
    const expiresAt = future();
    await store.createOAuthState({ state: 'st-5', teamId: 'T1', slackUserId: 'U1', expiresAt });
    const got = await store.consumeOAuthState('st-5', new Date(expiresAt.getTime() - 1));
    expect(got?.state).toBe('st-5');
  });

  it('gives a state to exactly one of several concurrent consumers', async () => {
    await store.createOAuthState({ state: 'st-race', teamId: 'T1', slackUserId: 'U1', expiresAt: future() });
    const other = await h.open(cipherA); // a second connection/pool on the same database
    const results = await Promise.all([store.consumeOAuthState('st-race'), other.consumeOAuthState('st-race'), store.consumeOAuthState('st-race'), other.consumeOAuthState('st-race')]);
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
  });

  it('rejects a duplicate state value', async () => {
    await store.createOAuthState({ state: 'dup', teamId: 'T1', slackUserId: 'U1', expiresAt: future() });
    await expect(store.createOAuthState({ state: 'dup', teamId: 'T2', slackUserId: 'U9', expiresAt: future() })).rejects.toThrow();
    expect((await store.consumeOAuthState('dup'))?.teamId).toBe('T1');
  });

  it('purges already-expired states when a new one is created', async () => {
    await store.createOAuthState({ state: 'old', teamId: 'T1', slackUserId: 'U1', expiresAt: new Date(Date.now() - 1000) });
    await store.createOAuthState({ state: 'new', teamId: 'T1', slackUserId: 'U1', expiresAt: future() });
    const states = (await h.rawRows('oauth_states')).map((r) => r.state);
    // Stored hashed (see 'keeps only a hash of the state').
    expect(states).toEqual([createHash('sha256').update('new').digest('hex')]);
  });

  it('keeps only a SHA-256 hash of the state: the database never holds a usable one', async () => {
    const state = 'st-secret-4f1c9a7e2b';
    await store.createOAuthState({ state, teamId: 'T1', slackUserId: 'U1', expiresAt: future() });
    const raw = JSON.stringify(await h.rawRows('oauth_states'));
    expect(raw).not.toContain(state);
    expect(raw).toContain(createHash('sha256').update(state).digest('hex'));
    // A hash found in the database is not a state: presenting it gets nothing.
    expect(await store.consumeOAuthState(createHash('sha256').update(state).digest('hex'))).toBeUndefined();
    expect((await store.consumeOAuthState(state))?.state).toBe(state);
  });
});
