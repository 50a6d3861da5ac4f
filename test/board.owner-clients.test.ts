/**
 * A channel that watches many extensions as one supervisor: the reads share that
 * supervisor's link, taken from the store at most every 2 s, not once per read
 * (at 1,000 watches the store would answer a query per PBX read). Unlinking still
 * still ends the watches.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { startStack, SIGNING_SECRET, type Stack } from './helpers/stack.js';
import { slashCommand } from './helpers/signed.js';
import { waitUntil } from './helpers/wait.js';
import { SqliteStore, TokenCipher } from '../src/store/index.js';

const CH = 'COWNERCLIENTS';
const EXTENSIONS = ['0003*210', '0003*024', '0003*025', '0003*300'];
let s: Stack | undefined;

afterEach(async () => {
  await s?.close();
  s = undefined;
});

it("the reads of one owner's watches read the owner's link from the store at most every 2 s", async () => {
  const store = new SqliteStore({ file: ':memory:', cipher: TokenCipher.fromKey(randomBytes(32).toString('hex')) });
  let linkReads = 0;
  const get = store.getLinkedAccount.bind(store);
  store.getLinkedAccount = (teamId, userId) => {
    linkReads++;
    return get(teamId, userId);
  };
  s = await startStack({ store, supervisors: ['UORG'], board: { timing: { liveMs: 100, idleMs: 100, maxBackoffMs: 1000 } } });
  const stack = s;
  await stack.link('UORG', '3');
  await slashCommand(stack.base, SIGNING_SECRET, { user_id: 'UORG', text: `watch ${EXTENSIONS.join(' ')}`, channel_id: CH, response_url: stack.api.responseUrl('/w') });
  await stack.api.waitFor('response_url', (c) => c.path.endsWith('/w') && (String(c.body.text).match(/:eyes:/g) ?? []).length === EXTENSIONS.length, 15_000);

  const reads = () => stack.sandbox.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/uapi/phoneCalls/@me/')).length;
  const readsFrom = reads();
  const linkFrom = linkReads;
  const from = Date.now();
  await waitUntil('80 more board reads', () => reads() - readsFrom >= 80, 20_000);
  const seconds = (Date.now() - from) / 1000;
  // Each 2 s at most one link read for the four watches' reads (and a slack of two for the edges).
  expect(linkReads - linkFrom).toBeLessThanOrEqual(Math.ceil(seconds / 2) + 2);
  expect(reads() - readsFrom).toBeGreaterThan(4 * (linkReads - linkFrom));

  // Unlinking still ends the watches at once.
  await slashCommand(stack.base, SIGNING_SECRET, { user_id: 'UORG', text: 'unlink', channel_id: CH, response_url: stack.api.responseUrl('/u') });
  await waitUntil('no watches left', async () => (await stack.store.listWatchesForChannel('T1', CH)).length === 0, 10_000);
});
