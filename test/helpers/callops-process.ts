/**
 * The real entry point (`src/main.ts`, what `npm start` runs) as a child process: spawned with
 * the test's variables over a copy of this process's environment stripped of everything callops
 * reads, its log (stderr) kept, its exit awaited. Free of the test runner, so benches use it too;
 * the stack the single-process tests share is process-stack.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface CallopsProcess {
  child: ChildProcess;
  pid: number;
  /** Everything it logged so far (the last `keepLog` characters). */
  readonly stderr: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
/** The variables callops reads, none of which reaches the child unless the test sets it. */
const CALLOPS_VARIABLES = /^(SLACK_|VOIPNOW_|PORT$|PUBLIC_URL$|DATABASE_|DATA_DIR$|TOKEN_ENCRYPTION_KEY$|LEASE_|BOARD_)/;

/** Spawns `src/main.ts` with `env` (LOG_LEVEL info unless set); `keepLog` bounds the kept log. */
export function spawnCallops(env: Record<string, string>, keepLog = Number.POSITIVE_INFINITY): CallopsProcess {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !CALLOPS_VARIABLES.test(k)));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: { ...inherited, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-keepLog);
  });
  return {
    child,
    pid: child.pid!,
    get stderr() {
      return log;
    },
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
}
