/**
 * Where a CPU profile's time went: `node bench/profile-summary.mjs <file.cpuprofile> [rows]`
 * prints self time by module (a package, a file of src/, or a Node internal), time on the
 * stack by module (inclusive), and self time by function, each as a share of the busy time
 * (idle left out). Profiles come from `node --cpu-prof` (see `npm run bench -- ack-profile`).
 */
import { readFileSync } from 'node:fs';

const [file, rowsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [rows]');
  process.exit(2);
}
const rows = Number(rowsArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});

const moduleOf = (url) => {
  if (!url) return '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/((?:src|test|bench)\/.*)$/.exec(url);
  return own ? own[1] : url;
};
const add = (m, k, t) => m.set(k, (m.get(k) ?? 0) + t);
const fns = new Map();
const modules = new Map();
const onStack = new Map();
let idle = 0;
for (const [id, t] of self) {
  const frame = byId.get(id).callFrame;
  if (frame.functionName === '(idle)') {
    idle += t;
    continue;
  }
  const mod = moduleOf(frame.url);
  add(fns, `${frame.functionName || '(anonymous)'}  ${mod}:${frame.lineNumber + 1}`, t);
  add(modules, mod === '(native)' ? `(${frame.functionName})` : mod, t);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const url = byId.get(cur).callFrame.url;
    const m = moduleOf(url);
    if (url && !seen.has(m)) {
      seen.add(m);
      add(onStack, m, t);
    }
  }
}
const busy = total - idle;
const show = (title, m) => {
  console.log(`\n${title}`);
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${((100 * t) / busy).toFixed(1).padStart(5)}%  ${(t / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  }
};
console.log(`${file}: ${(total / 1000).toFixed(0)} ms profiled, ${(busy / 1000).toFixed(0)} ms busy (shares below are of the busy time)`);
show('self time by module', modules);
show('time on the stack by module', onStack);
show('self time by function', fns);
