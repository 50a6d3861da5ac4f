/**
 * Keeps the sandbox's issued OAuth tokens in a file, so a restarted sandbox
 * (`npm start` with the embedded sandbox) still accepts the tokens the app
 * stored for its linked users. Only SHA-256 digests of the tokens are written:
 * the file cannot be used to act as anyone. Writes are atomic (temp file,
 * rename) and the file is private to its owner (mode 0600).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface TokenSnapshot {
  /** digest of an access token -> who it acts as, until when (epoch ms) */
  access: [string, { userId: string; expiresAt: number }][];
  /** digest of a refresh token -> who it acts as, for which OAuth client */
  refresh: [string, { userId: string; clientId: string }][];
}

export interface TokenPersistence {
  load(): TokenSnapshot | undefined;
  save(snapshot: TokenSnapshot): void;
}

const VERSION = 1;

export function tokenFile(path: string, log: (line: string) => void = () => undefined): TokenPersistence {
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log(`sandbox: cannot read the token file ${path} (${(err as Error).message}); starting without tokens`);
        return undefined;
      }
      try {
        const data = JSON.parse(text) as { version?: number } & Partial<TokenSnapshot>;
        if (data.version !== VERSION || !Array.isArray(data.access) || !Array.isArray(data.refresh)) throw new Error(`not a version ${VERSION} token file`);
        return { access: data.access, refresh: data.refresh };
      } catch (err) {
        log(`sandbox: ignoring the token file ${path} (${(err as Error).message}); users link again`);
        return undefined;
      }
    },
    save(snapshot) {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify({ version: VERSION, ...snapshot })}\n`, { mode: 0o600 });
      renameSync(tmp, path);
    },
  };
}
