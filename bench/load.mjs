/**
 * A small closed-loop HTTP load generator, run in its own process (or a worker thread) so it
 * does not share the event loop of the server it measures: `connections` loops each send
 * signed Slack slash commands back to back over keep-alive connections.
 */
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

// Plain JavaScript so a worker thread can load it without a TypeScript loader.
// workerData: { url, secret, text, connections, requests } or, instead of url, urls: [a, b, ...]
//             (requests then go to each URL in turn, so every target sees the same moments of
//             the machine's noise)
// answers:    { requests, errors, seconds, rps, p50, p99, mean, targets: [{ url, requests, errors, p50, p99, mean }] }
//             (milliseconds)

function body(text, i) {
  return new URLSearchParams({
    token: 'x',
    team_id: 'T1',
    team_domain: 'bench',
    channel_id: 'C1',
    channel_name: 'bench',
    user_id: 'UBENCH',
    user_name: 'bench',
    command: '/call',
    text,
    api_app_id: 'A1',
    response_url: 'http://127.0.0.1:9/none',
    trigger_id: `t${i}`,
  }).toString();
}

async function run(spec) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  const urls = spec.urls ?? [spec.url];
  const targets = urls.map((u) => ({ url: u, target: new URL(u), latencies: [], errors: 0 }));
  const latencies = [];
  let errors = 0;
  let next = 0;
  const one = (i) =>
    new Promise((resolve) => {
      const t = targets[i % targets.length];
      const target = t.target;
      const raw = body(spec.text, i);
      const ts = Math.floor(Date.now() / 1000);
      const sig = `v0=${createHmac('sha256', spec.secret).update(`v0:${ts}:${raw}`).digest('hex')}`;
      const started = performance.now();
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(raw), 'x-slack-signature': sig, 'x-slack-request-timestamp': String(ts) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) {
              errors++;
              t.errors++;
            }
            const ms = performance.now() - started;
            latencies.push(ms);
            t.latencies.push(ms);
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        t.errors++;
        resolve();
      });
      req.end(raw);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      while (next < spec.requests) await one(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const stats = (xs) => {
    xs.sort((a, b) => a - b);
    const q = (p) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
    return { requests: xs.length, p50: q(0.5), p99: q(0.99), mean: xs.reduce((a, b) => a + b, 0) / xs.length };
  };
  return {
    ...stats(latencies),
    errors,
    seconds,
    rps: latencies.length / seconds,
    targets: targets.map((t) => ({ url: t.url, errors: t.errors, ...stats(t.latencies) })),
  };
}

if (parentPort && workerData) {
  run(workerData).then((r) => parentPort.postMessage(r));
} else if (process.send) {
  // As a child process (bench/run.ts forks it, so the server's process CPU time is its own).
  process.once('message', (spec) => run(spec).then((r) => process.send(r, () => process.exit(0))));
}
