/**
 * Loaded into the callops process by the scale bench (`node --import bench/scale-probe.mjs dist/main.js`):
 * the event loop's delay (perf_hooks monitorEventLoopDelay), memory, CPU time and PostgreSQL statements of that
 * process alone, answered over the IPC channel. 'reset' starts a new measuring window, 'report' answers
 * what the window saw (and the p99 of the slice since the last report). Nothing of the app is touched.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';

/** Statements sent to PostgreSQL in the window, by their first words (what the store asks per read, per change). */
let statements = new Map();
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function counted(config, ...rest) {
  const text = typeof config === 'string' ? config : config?.text;
  if (typeof text === 'string') {
    const head = text.replace(/\s+/g, ' ').trim().slice(0, 60);
    statements.set(head, (statements.get(head) ?? 0) + 1);
  }
  return query.call(this, config, ...rest);
};

/** The whole window since 'reset'; `slice` since the last 'report' (to show the spread). */
const delay = monitorEventLoopDelay({ resolution: 10 });
const slice = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
slice.enable();
let cpuFrom = process.cpuUsage();
let windowFrom = performance.now();
const ms = (ns) => ns / 1e6;

if (process.send) {
  process.on('message', (m) => {
    if (m === 'reset') {
      delay.reset();
      slice.reset();
      statements = new Map();
      cpuFrom = process.cpuUsage();
      windowFrom = performance.now();
      return;
    }
    if (m !== 'report') return;
    const cpu = process.cpuUsage(cpuFrom);
    const mem = process.memoryUsage();
    process.send?.({
      p50: ms(delay.percentile(50)),
      p99: ms(delay.percentile(99)),
      max: ms(delay.max),
      mean: ms(delay.mean),
      samples: delay.count,
      sliceP99: ms(slice.percentile(99)),
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: performance.now() - windowFrom,
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      external: mem.external,
      statements: [...statements].sort((a, b) => b[1] - a[1]).slice(0, 12),
    });
    slice.reset();
  });
  process.channel?.unref();
}
