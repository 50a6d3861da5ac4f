/**
 * A caller name with terminal escapes (clear screen, cursor moves, an OSC
 * title, a C1 CSI) is printed by the console without them: the real `callops`
 * process against a sandbox PBX that rings with that SIP display name.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../src/sandbox/server.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VOIPNOW_') && !k.startsWith('SANDBOX_') && k !== 'NO_COLOR' && k !== 'FORCE_COLOR'));

const NAME = 'Eve\u001b[2J\u001b[H\u001b]0;pwned\u0007\u009b31mRed\u0008\u007f\u001bcEnd';

describe('console and hostile caller names', () => {
  it('strips ESC sequences and control characters from a caller name it prints', async () => {
    const pbx = await startSandbox();
    try {
      const res = await fetch(`${pbx.url}/_sandbox/calls`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ to: '0003*024', from: '5550666', callerId: `"${NAME}" <5550666>` }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      const { stdout } = await run(process.execPath, ['bin/callops.mjs', 'list', '0003*024'], {
        cwd: root,
        env: { ...env, TZ: 'UTC', VOIPNOW_URL: pbx.url, VOIPNOW_TOKEN: pbx.issueToken('13').accessToken },
        timeout: 30_000,
      });
      expect(stdout).toContain('caller id "Eve');
      expect(stdout).toContain('RedEnd');
      // No ESC, no C0 control but newline, no DEL or C1 control anywhere in what was printed.
      const controls = [...stdout].filter((ch) => {
        const c = ch.charCodeAt(0);
        return (c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f);
      });
      expect(controls).toEqual([]);
      expect(stdout).not.toContain('pwned');
    } finally {
      await pbx.close();
    }
  }, 40_000);
});
