/** Records and keys the store suites share: two token keys and a linked account with odd milliseconds. */
import { TokenCipher } from '../../src/store/crypto.js';
import type { LinkedAccount } from '../../src/store/types.js';

export const cipherA = TokenCipher.fromKey(TokenCipher.generateKey());
export const cipherB = TokenCipher.fromKey(TokenCipher.generateKey());

export const ACCESS = 'vn-access-2f8c1e0b9d7a6f5e4d3c2b1a';
export const REFRESH = 'vn-refresh-9a8b7c6d5e4f3a2b1c0d';

export function account(overrides: Partial<LinkedAccount> = {}): LinkedAccount {
  return {
    teamId: 'T1',
    slackUserId: 'U1',
    voipnowUserId: '12',
    voipnowUserName: 'Alice Agent',
    extension: '0003*210',
    accessToken: ACCESS,
    refreshToken: REFRESH,
    // Odd milliseconds everywhere to prove exact round trips.
    expiresAt: new Date('2031-02-03T04:05:06.789Z'),
    linkedAt: new Date('1999-12-31T23:59:59.999Z'),
    updatedAt: new Date('2024-06-30T12:00:00.001Z'),
    ...overrides,
  };
}
