/**
 * Tokens in the linked_accounts columns: each ciphertext is bound to its row and column, and
 * a ciphertext that does not decrypt is reported as a wrong TOKEN_ENCRYPTION_KEY or an altered value.
 */
import { TokenDecryptionError, type TokenCipher } from './crypto.js';

/**
 * The GCM associated data for a token column: binds the ciphertext to its row and column, so a
 * ciphertext copied to another user's row (or from refresh_token to access_token) fails to decrypt.
 */
export function tokenContext(teamId: string, slackUserId: string, column: 'access_token' | 'refresh_token'): string {
  return JSON.stringify(['callops', 'linked_accounts', teamId, slackUserId, column]);
}

/** Decrypts a stored token column; a failure names the account and the likely cause (never the token). */
export function decryptToken(cipher: TokenCipher, payload: string, teamId: string, slackUserId: string, column: 'access_token' | 'refresh_token'): string {
  try {
    return cipher.decrypt(payload, tokenContext(teamId, slackUserId, column));
  } catch (err) {
    if (!(err instanceof TokenDecryptionError)) throw err;
    const missing = err.missingKeyId === undefined ? '' : ` It was stored under the key "${err.missingKeyId}", which TOKEN_ENCRYPTION_KEYS does not hold.`;
    throw new TokenDecryptionError(
      `Cannot decrypt the stored ${column} of the linked account (team ${teamId}, user ${slackUserId}): ` +
        `TOKEN_ENCRYPTION_KEY is not the key it was stored with, or the stored value was altered.${missing}`,
      { cause: err, missingKeyId: err.missingKeyId },
    );
  }
}
