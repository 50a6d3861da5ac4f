/**
 * Loaded into the callops process by the scale bench (`node --import bench/scale-probe.mjs dist/main.js`):
 * the event loop's delay (perf_hooks monitorEventLoopDelay), memory and CPU time of that process
 * alone, answered over the IPC channel. 'reset' starts a new measuring window, 'report' answers
 * what the window saw (and the p99 of the slice since the last report). Nothing of the app is touched.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

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
    });
    slice.reset();
  });
  process.channel?.unref();
}
