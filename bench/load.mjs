/**
 * A small closed-loop HTTP load generator, run in its own process (or a worker thread) so it
 * does not share the event loop of the server it measures: `connections` loops each send
 * signed Slack slash commands back to back over keep-alive connections.
 *
 * It must cost far less per request than the servers it measures, or it is what bounds their
 * throughput (on a 2-core machine a generator near one core caps every server alike and the
 * ratio of two servers' throughputs tends to 1). So every request (body, signature, headers)
 * is made before the clock starts, and it is written as bytes on a plain socket and its answer
 * read with a minimal HTTP/1.1 parser (status, Content-Length or chunked), not Node's HTTP client.
 */
import net from 'node:net';
import { createHmac } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

// Plain JavaScript so a worker thread can load it without a TypeScript loader.
// workerData: { url, secret, text, connections, requests } or, instead of url, urls: [a, b, ...]
//             (requests then go to each URL in turn, so every target sees the same moments of
//             the machine's noise)
// answers:    { requests, errors, seconds, rps, p50, p99, mean, clientCpuShare,
//               targets: [{ url, requests, errors, p50, p99, mean }] }
//             (milliseconds; clientCpuShare: this process's CPU time over the wall time, 1 = one core)

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

/** The whole signed request `i` to `target`, as bytes on the wire (the headers Node's client sent). */
function request(target, secret, text, i) {
  const raw = body(text, i);
  const ts = Math.floor(Date.now() / 1000);
  const sig = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${raw}`).digest('hex')}`;
  return Buffer.from(
    `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: keep-alive\r\n` +
      `content-type: application/x-www-form-urlencoded\r\ncontent-length: ${Buffer.byteLength(raw)}\r\n` +
      `x-slack-signature: ${sig}\r\nx-slack-request-timestamp: ${ts}\r\n\r\n${raw}`,
  );
}

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * Where the first whole response in `buf` ends, with its status, or undefined while it is
 * incomplete. Knows what the measured servers send: Content-Length or chunked bodies.
 */
function responseEnd(buf) {
  const head = buf.indexOf(CRLF2);
  if (head < 0) return undefined;
  const headers = buf.toString('latin1', 0, head);
  const status = Number(headers.slice(9, 12));
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(headers);
  if (length) {
    const end = head + 4 + Number(length[1]);
    return end <= buf.length ? { end, status, close: /\r\nconnection:\s*close/i.test(headers) } : undefined;
  }
  if (!/\r\ntransfer-encoding:\s*chunked/i.test(headers)) return { end: head + 4, status, close: true };
  let at = head + 4;
  for (;;) {
    const line = buf.indexOf('\r\n', at, 'latin1');
    if (line < 0) return undefined;
    const size = Number.parseInt(buf.toString('latin1', at, line), 16);
    if (size === 0) {
      // No trailers are sent: the last chunk ends with an empty line.
      const end = line + 4;
      return end <= buf.length ? { end, status, close: /\r\nconnection:\s*close/i.test(headers) } : undefined;
    }
    at = line + 2 + size + 2;
    if (at > buf.length) return undefined;
  }
}

async function run(spec) {
  const urls = spec.urls ?? [spec.url];
  const targets = urls.map((u) => ({ url: u, target: new URL(u), latencies: [], errors: 0 }));
  const prepared = Array.from({ length: spec.requests }, (_, i) => request(targets[i % targets.length].target, spec.secret, spec.text, i));
  const latencies = [];
  let errors = 0;
  let next = 0;
  const failed = (t) => {
    errors++;
    t.errors++;
  };

  /** One connection's loop: a request, its whole answer, the next request (a socket per target). */
  const connection = () =>
    new Promise((done) => {
      const sockets = new Map();
      let pending; // { t, started, socket }
      const send = () => {
        if (next >= spec.requests) {
          for (const s of sockets.values()) s.end();
          return done();
        }
        const i = next++;
        const t = targets[i % targets.length];
        const socket = sockets.get(t) ?? open(t);
        pending = { t, started: performance.now(), socket };
        socket.write(prepared[i]);
      };
      const open = (t) => {
        let buf = Buffer.alloc(0);
        const socket = net.connect({ host: t.target.hostname, port: Number(t.target.port), noDelay: true });
        sockets.set(t, socket);
        socket.on('data', (chunk) => {
          buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
          const r = pending?.socket === socket ? responseEnd(buf) : undefined;
          if (!r) return;
          const ms = performance.now() - pending.started;
          latencies.push(ms);
          t.latencies.push(ms);
          if (r.status !== 200) failed(t);
          buf = buf.subarray(r.end);
          pending = undefined;
          if (r.close) {
            sockets.delete(t);
            socket.destroy();
          }
          send();
        });
        socket.on('error', () => undefined);
        socket.on('close', () => {
          if (sockets.get(t) === socket) sockets.delete(t);
          if (pending?.socket !== socket) return;
          // The connection ended before the answer: an error, and the loop goes on on a new one.
          failed(t);
          pending = undefined;
          send();
        });
        return socket;
      };
      send();
    });

  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(Array.from({ length: spec.connections }, connection));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
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
    clientCpuShare: (cpu.user + cpu.system) / 1e6 / seconds,
    targets: targets.map((t) => ({ url: t.url, errors: t.errors, ...stats(t.latencies) })),
  };
}

if (parentPort && workerData) {
  run(workerData).then((r) => parentPort.postMessage(r));
} else if (process.send) {
  // As a child process (bench/run.ts forks it, so the server's process CPU time is its own).
  process.once('message', (spec) => run(spec).then((r) => process.send(r, () => process.exit(0))));
}
