/**
 * What NODE_ENV=production refuses that development allows: each problem is a variable name
 * and what is wrong with it, for the one list of configuration errors (config.ts).
 */

/** Host names that only this machine reaches: plain http to them never crosses a network. */
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * NODE_ENV=production does not guess: no demo sandbox in place of the PBX, no key generated
 * next to the database, no OAuth callback over plain http to a public host.
 */
export function productionProblems(
  c: {
    VOIPNOW_URL?: string;
    VOIPNOW_CLIENT_ID?: string;
    VOIPNOW_CLIENT_SECRET?: string;
    TOKEN_ENCRYPTION_KEY?: string;
    TOKEN_ENCRYPTION_KEYS?: string;
    PUBLIC_URL?: string;
  },
  mode: { distributed?: boolean } = {},
): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const why = 'in production (NODE_ENV=production)';
  // Distribution mode: each workspace connects its own VoipNow (/call connect); VOIPNOW_URL serves none.
  if (!mode.distributed) {
    if (!c.VOIPNOW_URL) out.push(['VOIPNOW_URL', `is required ${why}; unset would start the demo sandbox PBX instead of your VoipNow`]);
    if (!c.VOIPNOW_CLIENT_ID) out.push(['VOIPNOW_CLIENT_ID', `is required ${why}`]);
    if (!c.VOIPNOW_CLIENT_SECRET) out.push(['VOIPNOW_CLIENT_SECRET', `is required ${why}`]);
  }
  if (!c.TOKEN_ENCRYPTION_KEY && !c.TOKEN_ENCRYPTION_KEYS) {
    out.push(['TOKEN_ENCRYPTION_KEY', `(or TOKEN_ENCRYPTION_KEYS) is required ${why}; a key generated into DATA_DIR differs per replica and is lost with the data directory`]);
  }
  const u = c.PUBLIC_URL ? urlOrNull(c.PUBLIC_URL) : null;
  if (u) {
    if (u.protocol !== 'https:' && !LOOPBACK.test(u.hostname)) {
      out.push(['PUBLIC_URL', `must be an https URL ${why} (got ${u.protocol}//${u.host}); browsers send VoipNow's OAuth codes to it. Plain http is allowed only for localhost`]);
    }
  }
  return out;
}

function urlOrNull(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}
