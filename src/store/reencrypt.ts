/**
 * Key rotation: every stored token is decrypted with whichever key of the ring opens it and
 * written again under the ring's newest key. Each row is rewritten only while it still holds
 * the ciphertexts that were read (a refresh in between already wrote it under the newest key),
 * so the re-encryption can run beside live replicas.
 */
import type { TokenCipher } from './crypto.js';
import type { Row } from './rows.js';
import { optStr, str } from './rows.js';

import { decryptToken, tokenContext } from './token-columns.js';
import type { ReencryptCounts } from './types.js';

type Param = string | null;
type Run = (sql: string, params: readonly Param[]) => Promise<{ rows: Row[]; changes: number }>;

export async function reencryptTokens(run: Run, statements: { listLinkedAccountTokens: string; rewriteLinkedAccountTokens: string }, cipher: TokenCipher): Promise<ReencryptCounts> {
  const counts: ReencryptCounts = { accounts: 0, rewritten: 0, current: 0, changedMeanwhile: 0, keyId: cipher.currentKeyId };
  const { rows } = await run(statements.listLinkedAccountTokens, []);
  for (const row of rows) {
    counts.accounts++;
    const teamId = str(row, 'team_id');
    const userId = str(row, 'slack_user_id');
    const access = str(row, 'access_token');
    const refresh = optStr(row, 'refresh_token');
    if (cipher.isCurrent(access) && (refresh === undefined || cipher.isCurrent(refresh))) {
      counts.current++;
      continue;
    }
    const again = (payload: string, column: 'access_token' | 'refresh_token') =>
      cipher.isCurrent(payload) ? payload : cipher.encrypt(decryptToken(cipher, payload, teamId, userId, column), tokenContext(teamId, userId, column));
    const { changes } = await run(statements.rewriteLinkedAccountTokens, [
      again(access, 'access_token'),
      refresh === undefined ? null : again(refresh, 'refresh_token'),
      teamId,
      userId,
      access,
      refresh ?? null,
    ]);
    if (changes > 0) counts.rewritten++;
    else counts.changedMeanwhile++;
  }
  return counts;
}
