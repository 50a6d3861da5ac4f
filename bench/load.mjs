/**
 * A small closed-loop HTTP load generator, run in a worker thread so it does not
 * share the event loop of the server it measures: `connections` loops each send
 * signed Slack slash commands back to back over keep-alive connections.
 */
import http from 'node:http';
import { createHmac } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

// Plain JavaScript so a worker thread can load it without a TypeScript loader.
// workerData: { url, secret, text, connections, requests }
// answers:    { requests, errors, seconds, rps, p50, p99 }  (milliseconds)

function body(text, i) {
  return new URLSearchParams({
    token: 'x', team_id: 'T1', team_domain: 'bench', channel_id: 'C1', channel_name: 'bench', user_id: 'UBENCH',
    user_name: 'bench', command: '/call', text, api_app_id: 'A1', response_url: 'http://127.0.0.1:9/none', trigger_id: `t${i}`,
  }).toString();
}

async function run(spec) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  const target = new URL(spec.url);
  const latencies = [];
  let errors = 0;
  let next = 0;
  const one = (i) =>
    new Promise((resolve) => {
      const raw = body(spec.text, i);
      const ts = Math.floor(Date.now() / 1000);
      const sig = 'v0=' + createHmac('sha256', spec.secret).update(`v0:${ts}:${raw}`).digest('hex');
      const started = performance.now();
      const req = http.request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(raw), 'x-slack-signature': sig, 'x-slack-request-timestamp': String(ts) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) errors++;
            latencies.push(performance.now() - started);
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
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
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { requests: latencies.length, errors, seconds, rps: latencies.length / seconds, p50: q(0.5), p99: q(0.99) };
}

if (parentPort && workerData) {
  run(workerData).then((r) => parentPort.postMessage(r));
}
