/**
 * `npm run bench -- board`: the supervisor board under generated traffic,
 * against a recording Slack API that enforces Slack's rate limits. Figures,
 * not a test. For every state change of a call in the PBX: how long until
 * Slack showed it (or a later state) on the board; plus 429s, duplicate posts,
 * ghost cards 10 s (BENCH_GHOST_WAIT_SECONDS) after the board converged, how fast it
 * converged, where an event-announced change's time goes (board-trace.ts), the share of the
 * update budget spent while cards waited, and the PBX requests per watched extension. The same
 * traffic (same seed) runs against a naive board that writes every change at once with the Web
 * API client's own retries.
 *
 * About 5 minutes; BENCH_BOARD_SECONDS (default 20) lengthens every phase. BENCH_BOARD_ONLY picks
 * scenarios by their short names; BENCH_BOARD_TRACE=1 adds the slowest changes stage by stage and
 * BENCH_BOARD_TIMELINE=1 a line a second of the burst's update budget (while tuning).
 */
import { WebClient } from '@slack/web-api';
import { startStack, SIGNING_SECRET, type Stack } from '../test/helpers/stack.js';
import { slashCommand } from '../test/helpers/signed.js';
import type { BoardState, CallSnapshot } from '../src/board/snapshot.js';
import type { BoardOutput, CardRef } from '../src/board/output.js';
import { boardCard } from '../src/slack/board/render.js';
import { SEED_IDS } from '../src/sandbox/server.js';
import { DEFAULT_BUDGETS } from '../src/slack/board/budget.js';
import { goal } from './goals.js';
import { boardTrace } from './board-trace.js';

/** Length of a phase; the quiet phases take a multiple of it (more changes for their percentiles). */
const SECONDS = Number(process.env.BENCH_BOARD_SECONDS ?? 20);
/** A busy phase starts at twice its call rate for this long (23 s x ln 2: calls last ~23 s), reaching its steady number of calls at once. */
const RAMP_MS = 16_000;
const CH = 'CBENCH';
const EXTENSIONS = ['0003*210', '0003*024', '0003*025', '0003*300'];
const SEEDS = new Set<string>(Object.values(SEED_IDS));
const EMOJI: Record<string, BoardState> = { ':bell:': 'ringing', ':large_green_circle:': 'on call', ':double_vertical_bar:': 'on hold', ':parking:': 'parked', ':no_entry_sign:': 'ended' };

interface Change {
  id: string;
  state: BoardState;
  at: number;
  index: number;
  /** VoipNow announces it with a PhoneCallEvent (dial-in, answer, hangup); hold, park and their ends only polling sees. */
  announced: boolean;
}

/** Whether VoipNow sends a PhoneCallEvent for this change (uapi-reference §5: dial-in, dial-out, answer, hangup). */
const announcedChange = (from: BoardState | undefined, to: BoardState) => to === 'ringing' || to === 'ended' || (to === 'on call' && (from === undefined || from === 'ringing'));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN);
const s1 = (ms: number) => (ms / 1000).toFixed(2);

/** The PBX's own change log (sandbox changes.ts, exact times): each call's state as a card headline says it, and when it changed. */
function pbxRecorder(stack: Stack) {
  const last = new Map<string, BoardState>();
  const changes: Change[] = [];
  const perCall = new Map<string, number>();
  const unsubscribe = stack.sandbox.changes.subscribe((c) => {
    if (SEEDS.has(c.callId) || last.get(c.callId) === c.state) return;
    const index = (perCall.get(c.callId) ?? 0) + 1;
    perCall.set(c.callId, index);
    changes.push({ id: c.callId, state: c.state, at: c.at, index, announced: announcedChange(last.get(c.callId), c.state) });
    last.set(c.callId, c.state);
  });
  return { changes, last, stop: unsubscribe };
}

interface Shown {
  /** Every moment the channel showed a call in a state (cards and summary lines). */
  all: Map<string, Array<{ state: BoardState; at: number }>>;
  /** Latest state of each call's own card. */
  card: Map<string, BoardState>;
  /** Latest state from the summary (calls that left it count as ended). */
  summary: Map<string, BoardState>;
}

/** What Slack showed, from accepted card writes and compact summary lines. */
function slackShown(stack: Stack): Shown {
  const all = new Map<string, Array<{ state: BoardState; at: number }>>();
  const card = new Map<string, BoardState>();
  const summary = new Map<string, BoardState>();
  const add = (id: string, state: BoardState, at: number) => {
    const list = all.get(id) ?? [];
    list.push({ state, at });
    all.set(id, list);
  };
  for (const c of stack.api.calls) {
    if (c.rateLimited || c.body.channel !== CH || c.body.thread_ts || (c.method !== 'chat.postMessage' && c.method !== 'chat.update')) continue;
    const inSummary = new Set<string>();
    let isSummary = false;
    for (const b of (c.body.blocks ?? []) as Array<{ block_id?: string; text?: { text?: string } }>) {
      const text = b.text?.text ?? '';
      const head = /^(\w+)\.head$/.exec(b.block_id ?? '');
      if (head) {
        const emoji = /^(:[a-z_]+:)/.exec(text)?.[1];
        if (emoji && EMOJI[emoji]) {
          add(head[1]!, EMOJI[emoji]!, c.at);
          card.set(head[1]!, EMOJI[emoji]!);
        }
        continue;
      }
      if (/live call\(s\)\*/.test(text)) isSummary = true;
      for (const line of text.split('\n')) {
        const m = /^(:[a-z_]+:) .* · `(\w+)`$/.exec(line);
        if (m && EMOJI[m[1]!]) {
          add(m[2]!, EMOJI[m[1]!]!, c.at);
          summary.set(m[2]!, EMOJI[m[1]!]!);
          inSummary.add(m[2]!);
        }
      }
    }
    if (isSummary) {
      for (const [id, st] of summary) {
        if (inSummary.has(id) || st === 'ended') continue;
        summary.set(id, 'ended');
        if (!card.has(id)) add(id, 'ended', c.at);
      }
    }
  }
  return { all, card, summary };
}

/**
 * Delay from each PBX change until Slack showed that state or a later one of the same call;
 * `select` picks which changes count (all are used to know what came later).
 */
function delays(changes: Change[], shown: Map<string, Array<{ state: BoardState; at: number }>>, select: (c: Change) => boolean = () => true): { ms: number[]; never: number } {
  const ms: number[] = [];
  let never = 0;
  const byCall = new Map<string, Change[]>();
  for (const c of changes) byCall.set(c.id, [...(byCall.get(c.id) ?? []), c]);
  for (const [id, list] of byCall) {
    const writes = shown.get(id) ?? [];
    list.forEach((change, i) => {
      if (!select(change)) return;
      const later = new Set(list.slice(i).map((c) => c.state));
      const hit = writes.find((w) => w.at >= change.at - 5 && later.has(w.state) && (w.state === change.state || list.slice(i + 1).some((n) => n.state === w.state && n.at <= w.at)));
      if (hit) ms.push(Math.max(0, hit.at - change.at));
      else never++;
    });
  }
  return { ms, never };
}

/** The naive board: every change written at once, in parallel, with the Web API client's own retries. */
class NaiveWriter implements BoardOutput {
  private readonly ts = new Map<string, Promise<string | undefined>>();
  constructor(private readonly client: WebClient) {}
  card(ref: CardRef, snapshot: CallSnapshot): void {
    const msg = boardCard(snapshot);
    const prior = this.ts.get(ref.phoneCallId);
    if (!prior) {
      this.ts.set(
        ref.phoneCallId,
        this.client.chat.postMessage({ channel: ref.channelId, text: msg.text, blocks: msg.blocks }).then(
          (r) => r.ts,
          () => undefined,
        ),
      );
      return;
    }
    void prior.then(async (ts) => {
      if (ts) await this.client.chat.update({ channel: ref.channelId, ts, text: msg.text, blocks: msg.blocks }).catch(() => undefined);
    });
  }
  audit(ref: CardRef, line: string): void {
    void this.ts.get(ref.phoneCallId)?.then(async (ts) => {
      if (ts) await this.client.chat.postMessage({ channel: ref.channelId, thread_ts: ts, text: line }).catch(() => undefined);
    });
  }
  alert(): void {}
  notice(): void {}
}

async function setUp(naive: boolean, dropEvents: number): Promise<Stack> {
  const stack = await startStack({ boardEvents: true, slackRateLimits: true });
  await stack.link('U12', '12', '0003*210');
  await stack.link('U13', '13', '0003*024');
  await stack.link('U14', '14', '0003*025');
  if (naive) stack.slack.board.board.setOutput(new NaiveWriter(new WebClient('xoxb-test-bot', { slackApiUrl: stack.api.url, retryConfig: { retries: 3, maxTimeout: 2000 } })));
  const owners: Record<string, string> = { '0003*210': 'U12', '0003*024': 'U13', '0003*025': 'U14', '0003*300': 'U12' };
  for (const [i, ext] of EXTENSIONS.entries()) {
    await slashCommand(stack.base, SIGNING_SECRET, { user_id: owners[ext]!, text: `watch ${ext}`, channel_id: CH, response_url: stack.api.responseUrl(`/w/${i}`) });
    await stack.api.waitFor('response_url', (c) => c.path.endsWith(`/w/${i}`) && /Watching/.test(String(c.body.text)), 15_000);
  }
  if (dropEvents > 0) {
    await fetch(`${stack.sandbox.url}/_sandbox/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ dropEvents, seed: 11 }) });
  }
  return stack;
}

const traffic = (stack: Stack, body: Record<string, unknown>) =>
  fetch(`${stack.sandbox.url}/_sandbox/traffic`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ extensions: EXTENSIONS, seed: 5, meanTalkSeconds: 20, meanRingSeconds: 3, ...body }),
  }).then((r) => r.json());

/**
 * The calls still live when a phase ends are hung up over HANGUP_MS (their endings spread, as
 * calls end), instead of waiting up to a minute and more for their talk times to run out.
 */
const HANGUP_MS = 5000;
async function hangUpLive(stack: Stack): Promise<void> {
  const ids = [...stack.sandbox.world.calls.keys()].filter((id) => !SEEDS.has(id));
  for (const id of ids) {
    if (stack.sandbox.world.calls.has(id)) await fetch(`${stack.sandbox.url}/_sandbox/calls/${encodeURIComponent(id)}/hangup`, { method: 'POST' }).then((r) => r.body?.cancel());
    await sleep(HANGUP_MS / ids.length);
  }
}

const liveTraffic = (stack: Stack) => [...stack.sandbox.world.calls.keys()].filter((id) => !SEEDS.has(id)).length;

/** Shown state of every call now: its card, else the summary. */
function latestShown(stack: Stack): Map<string, BoardState> {
  const { card, summary } = slackShown(stack);
  const out = new Map(summary);
  for (const [id, st] of card) out.set(id, st);
  return out;
}

/** Calls whose shown state differs from the PBX's now (cards still needing a write). */
function pendingCards(stack: Stack, pbx: { last: Map<string, BoardState> }): number {
  const shown = latestShown(stack);
  return [...pbx.last].filter(([id, st]) => (shown.get(id) ?? (st === 'ended' ? 'ended' : undefined)) !== st).length;
}

const fmt = (d: { ms: number[]; never: number }) =>
  `${String(d.ms.length + d.never).padStart(5)} changes  p50 ${s1(pct(d.ms, 50)).padStart(6)} s  p95 ${s1(pct(d.ms, 95)).padStart(6)} s  max ${s1(d.ms.length ? Math.max(...d.ms) : NaN).padStart(6)} s  never shown ${d.never}`;

interface Phase {
  name: string;
  naive?: boolean;
  concurrent: number;
  burst?: boolean;
  dropEvents: number;
  /** The issue's latency goal for this phase (p95, seconds), if any. */
  goalP95?: number;
  /** Length of the traffic phase (default BENCH_BOARD_SECONDS). */
  seconds?: number;
  /** Its name in the summary lines. */
  short: string;
  /** The issue's goals for the summary lines (p95, seconds). */
  goals?: { announcedP95?: number; pollingP95?: number; everyP95?: number };
}

/**
 * How much of the workspace's update budget the writer spent while cards waited: from each moment
 * an update was owed (a posted card's change, a compact summary's) until none was, the chat.update
 * calls Slack accepted, over what the budget allowed then (its rate for that time, plus the tokens
 * it held when the wait began). Waits shorter than one budget interval are a write on its way and
 * not counted. Waiting is looked at on every card change, after every write, and every 50 ms.
 */
function budgetUse(stack: Stack) {
  // Waits less than one budget interval apart count as one: a summary written, the next change due a moment later.
  const writer = stack.slack.board.writer;
  const bucket = (writer as unknown as { sender: { updateBucket(teamId: string): { available: number } } }).sender.updateBucket('T1');
  const spells: Array<{ from: number; to?: number; tokens: number }> = [];
  const look = () => {
    const waiting = writer.updatesWaiting('T1') > 0;
    const open = spells.at(-1)?.to === undefined && spells.length > 0;
    if (waiting && !open) spells.push({ from: Date.now(), tokens: Math.min(DEFAULT_BUDGETS.updateBurst, bucket.available) });
    else if (!waiting && open) spells.at(-1)!.to = Date.now();
  };
  const card = writer.card.bind(writer);
  writer.card = (...args) => {
    card(...args);
    look();
  };
  const chat = stack.slack.board.client.chat as unknown as Record<'update' | 'postMessage', (a: unknown) => Promise<unknown>>;
  for (const m of ['update', 'postMessage'] as const) {
    const orig = chat[m].bind(chat);
    chat[m] = (a: unknown) => orig(a).finally(() => setImmediate(look));
  }
  const timer = setInterval(look, 50);
  const tl = process.env.BENCH_BOARD_TIMELINE
    ? setInterval(() => {
        const t = Date.now();
        const n = stack.api.calls.filter((c) => c.method === 'chat.update' && !c.rateLimited && c.at > t - 1000).length;
        const compact = (writer as unknown as { compact: { anyCompact: boolean } }).compact.anyCompact;
        process.stderr.write(`tl ${t % 100000} upd ${n} waiting ${writer.updatesWaiting('T1')} backlog ${writer.backlog} tokens ${bucket.available.toFixed(2)} compact ${compact}\n`);
      }, 1000)
    : undefined;
  return {
    stop: () => {
      clearInterval(timer);
      if (tl) clearInterval(tl);
    },
    share() {
      const accepted = stack.api.calls.filter((c) => c.method === 'chat.update' && !c.rateLimited).map((c) => c.at);
      let waitingMs = 0;
      let updates = 0;
      let allowed = 0;
      let counted = 0;
      // Waits less than one budget interval apart are one busy spell (the budget could not have been spent in between).
      const interval = 60_000 / DEFAULT_BUDGETS.updatesPerMinute;
      const busy: Array<{ from: number; to: number; tokens: number }> = [];
      for (const sp of spells) {
        const last = busy.at(-1);
        const to = sp.to ?? Date.now();
        if (last && sp.from - last.to < interval) last.to = to;
        else busy.push({ from: sp.from, to, tokens: sp.tokens });
      }
      for (const sp of busy) {
        const to = sp.to;
        // Shorter than one budget interval: a write on its way, not cards waiting.
        if (to - sp.from < interval) continue;
        counted++;
        waitingMs += to - sp.from;
        updates += accepted.filter((at) => at >= sp.from && at <= to).length;
        allowed += sp.tokens + ((to - sp.from) * DEFAULT_BUDGETS.updatesPerMinute) / 60_000;
      }
      return { share: allowed > 0 ? updates / allowed : Number.NaN, updates, waitingMs, allowed, spells: counted };
    },
  };
}

/** `BENCH_BOARD_ONLY=within budget,10x burst`: only the scenarios of these short names (while tuning one). */
const ONLY = process.env.BENCH_BOARD_ONLY?.split(',').map((x) => x.trim());

async function scenario(p: Phase): Promise<void> {
  if (ONLY && !ONLY.includes(p.short)) return;
  const stack = await setUp(Boolean(p.naive), p.dropEvents);
  const pbx = pbxRecorder(stack);
  const trace = p.naive ? undefined : boardTrace(stack, CH);
  const budget = p.naive ? undefined : budgetUse(stack);
  const budgetPerSecond = DEFAULT_BUDGETS.updatesPerMinute / 60;
  // Little's law: concurrent calls = arrivals a minute x minutes each call lasts (~ring + talk).
  const perMinute = Math.round((p.concurrent * 60) / 23);
  const started = Date.now();
  const requestsBefore = stack.sandbox.requests.length;
  // Long enough to reach the steady state of `concurrent` calls (a call lasts ~23 s): a busy phase
  // gets there sooner by starting at twice its rate (about there after RAMP_MS).
  const phaseMs = Math.max(p.seconds ?? SECONDS, p.concurrent >= 100 ? 30 : 0) * 1000;
  if (p.concurrent >= 20) {
    await traffic(stack, { callsPerMinute: perMinute * 2 });
    await sleep(Math.min(RAMP_MS, phaseMs));
  }
  await traffic(stack, { callsPerMinute: perMinute });
  await sleep(Math.max(0, started + phaseMs - Date.now()));
  let burstEnd = Date.now();
  const burstStart = Date.now();
  if (p.burst) {
    await traffic(stack, { callsPerMinute: perMinute * 10 });
    await sleep(Math.max(5, SECONDS / 3) * 1000);
    burstEnd = Date.now();
  }
  const peak = liveTraffic(stack);
  await traffic(stack, { callsPerMinute: 0 });
  const stoppedAt = Date.now();
  await hangUpLive(stack);
  process.stderr.write(`  [${p.name}] traffic stopped with ${peak} live calls, hung up over ${HANGUP_MS / 1000} s; waiting for the board to converge\n`);
  // Convergence: the first moment every call's shown state equals the PBX's (calls still finish meanwhile).
  const samples: Array<{ at: number; pending: number }> = [];
  let converged = NaN;
  let convergedAt = NaN;
  // The naive board never converges (changes it lost stay lost): it gets a short look only.
  const until = Date.now() + (p.naive ? 10_000 : 180_000);
  while (Date.now() < until) {
    const pending = pendingCards(stack, pbx);
    samples.push({ at: Date.now(), pending });
    if (liveTraffic(stack) === 0 && pending === 0) {
      convergedAt = Date.now();
      break;
    }
    await sleep(200);
  }
  const lastChange = Math.max(burstEnd, ...pbx.changes.map((c) => c.at));
  // The PBX request budget: list reads of each watched extension a minute, from the traffic's start to convergence.
  const readMinutes = ((Number.isNaN(convergedAt) ? Date.now() : convergedAt) - started) / 60_000;
  const during = stack.sandbox.requests.slice(requestsBefore);
  const readsPerExtension = EXTENSIONS.map((ext) => during.filter((r) => r.method === 'GET' && r.path === `/uapi/phoneCalls/@me/${ext}`).length / readMinutes);
  // Every UAPI request naming a watched extension (list reads and anything else), per extension a minute.
  const uapiPerExtension = EXTENSIONS.map((ext) => during.filter((r) => r.path.startsWith('/uapi/') && r.path.includes(ext)).length / readMinutes);
  if (!Number.isNaN(convergedAt)) converged = convergedAt - lastChange;
  // The issue's bound: cards still needing a write when the PBX stopped changing, over the update budget, plus 5 s.
  const atLast = samples.find((x) => x.at >= lastChange) ?? samples.at(-1);
  const pendingAtLast = atLast?.pending ?? 0;
  const bound = (pendingAtLast / budgetPerSecond) * 1000 + 5000;
  process.stderr.write(`  [${p.name}] ${Number.isNaN(converged) ? 'not converged' : 'converged'}; waiting for ghosts\n`);
  await sleep(Number(process.env.BENCH_GHOST_WAIT_SECONDS ?? 10) * 1000);
  pbx.stop();
  trace?.stop();
  budget?.stop();
  const shown = latestShown(stack);
  const ghosts = [...shown].filter(([id, st]) => st !== 'ended' && !stack.sandbox.world.calls.has(id) && !SEEDS.has(id)).length;
  const shownAll = slackShown(stack).all;
  const posts = new Map<string, number>();
  for (const c of stack.api.calls) {
    if (c.method !== 'chat.postMessage' || c.rateLimited || c.body.channel !== CH || c.body.thread_ts) continue;
    const head = ((c.body.blocks ?? []) as Array<{ block_id?: string }>).find((b) => b.block_id?.endsWith('.head'));
    if (head) posts.set(head.block_id!, (posts.get(head.block_id!) ?? 0) + 1);
  }
  const dupes = [...posts.values()].filter((n) => n > 1).length;
  const writer = stack.slack.board.writer.stats;
  const row = (label: string, d: { ms: number[]; never: number }) => console.log(`    ${label.padEnd(38)} ${fmt(d)}`);
  // The changes of the traffic itself: the calls hung up after it are the drain (convergence, below).
  const measured = (select: (c: Change) => boolean = () => true) => delays(pbx.changes, shownAll, (c) => c.at < stoppedAt && select(c));
  const all = measured();
  // The traffic's own rate (not the calls hung up at the end).
  const rate = (pbx.changes.filter((c) => c.at < stoppedAt).length * 60_000) / Math.max(1, stoppedAt - started);
  console.log(
    `  ${p.name} (${Math.round(p.dropEvents * 100)}% of events dropped; peak ${peak} live calls; ${rate.toFixed(0)} changes a minute against an update budget of ${DEFAULT_BUDGETS.updatesPerMinute}; the calls hung up at the end count only in the convergence)${p.goalP95 ? `: goal p95 under ${p.goalP95} s` : ''}`,
  );
  if (p.burst) {
    const before = (c: Change) => c.at < burstStart;
    row('before the burst, every change', measured(before));
    row(
      'before the burst, announced by events',
      measured((c) => before(c) && c.announced),
    );
    row(
      'before the burst, polling only (hold, park)',
      measured((c) => before(c) && !c.announced),
    );
  }
  row(p.burst ? 'whole run, every change' : 'every change', all);
  row(
    p.burst ? 'whole run, announced by events' : 'announced by events',
    measured((c) => c.announced),
  );
  row(
    p.burst ? 'whole run, polling only (hold, park)' : 'polling only (hold, park)',
    measured((c) => !c.announced),
  );
  if (trace) {
    for (const line of trace.report(
      pbx.changes.filter((c) => c.at < stoppedAt && c.announced),
      'announced by events',
    ))
      console.log(line);
    if (process.env.BENCH_BOARD_TRACE)
      for (const line of trace.worst(
        pbx.changes.filter((c) => c.at < stoppedAt && c.announced),
        6,
      ))
        console.log(line);
    if (p.goals?.announcedP95 !== undefined || process.env.BENCH_BOARD_TRACE)
      for (const st of ['ringing', 'on call', 'ended'] as const)
        for (const line of trace.report(
          pbx.changes.filter((c) => c.at < stoppedAt && c.announced && c.state === st),
          st,
        ))
          console.log(line);
  }
  if (!p.naive) {
    const p95Of = (d: { ms: number[]; never: number }) => (d.never > 0 ? Number.POSITIVE_INFINITY : pct(d.ms, 95) / 1000);
    const say = (d: { ms: number[]; never: number }) => (d.never > 0 ? `${d.never} never shown` : `p95 ${s1(pct(d.ms, 95))} s (${d.ms.length} changes)`);
    if (p.goals?.announcedP95 !== undefined) {
      const d = measured((c) => c.announced);
      goal(`board, ${p.short}, announced by events`, say(d), `p95 ≤ ${p.goals.announcedP95} s`, p95Of(d) <= p.goals.announcedP95);
    }
    if (p.goals?.pollingP95 !== undefined) {
      const d = measured((c) => !c.announced);
      goal(`board, ${p.short}, desk-phone changes (polling)`, say(d), `p95 ≤ ${p.goals.pollingP95} s`, p95Of(d) <= p.goals.pollingP95);
    }
    if (p.goals?.everyP95 !== undefined) goal(`board, ${p.short}, every change`, say(all), `p95 ≤ ${p.goals.everyP95} s`, p95Of(all) <= p.goals.everyP95);
    if (budget) {
      const u = budget.share();
      console.log(
        `    update budget used while cards waited: ${(u.share * 100).toFixed(0)}% (${u.updates} updates in ${u.spells} waits of ${s1(u.waitingMs)} s in all, which allowed ${u.allowed.toFixed(0)}: ${DEFAULT_BUDGETS.updatesPerMinute}/min and the tokens saved before)`,
      );
      if (p.burst) goal(`board, ${p.short}, update budget used while cards waited`, `${(u.share * 100).toFixed(0)}% (${u.updates} updates in ${s1(u.waitingMs)} s)`, '≥ 90%', u.share >= 0.9);
    }
    const avg = uapiPerExtension.reduce((a, b) => a + b, 0) / EXTENSIONS.length;
    const most = Math.max(...uapiPerExtension);
    goal(
      `board, ${p.short}, PBX (UAPI) requests per watched extension`,
      `${avg.toFixed(0)} a minute on average, at most ${most.toFixed(0)}`,
      '≤ 240 a minute: polls ≤ 120 + event reads ≤ 120',
      most <= 240,
    );
    const faults = stack.api.rateLimitedCount() + ghosts + dupes;
    goal(`board, ${p.short}, 429s/ghosts/duplicate posts`, `${stack.api.rateLimitedCount()}/${ghosts}/${dupes}`, '0/0/0', faults === 0);
  }
  console.log(
    `    PBX list reads per watched extension: ${(readsPerExtension.reduce((a, b) => a + b, 0) / EXTENSIONS.length).toFixed(0)} a minute on average, at most ${Math.max(...readsPerExtension).toFixed(0)} (${EXTENSIONS.length} extensions; polls: at most 120 a minute while hot, 50 while quiet, 2 idle; PhoneCallEvents add at most one read each 0.5 s)`,
  );
  console.log(
    `    429s ${stack.api.rateLimitedCount()}  duplicate posts ${dupes}  ghosts ${ghosts}` +
      (p.naive ? '' : `  writes ${writer.updates} updates, ${writer.posts} posts`) +
      `  converged ${Number.isNaN(converged) ? 'no' : `${s1(converged)} s`} after the last PBX change (bound ${pendingAtLast} cards needing a write ÷ ${(budgetPerSecond * 60).toFixed(0)}/min + 5 s = ${s1(bound)} s${Number.isNaN(converged) ? '' : converged <= bound ? ', met' : ', MISSED'})`,
  );
  await stack.close();
  process.stderr.write(`  [${p.name}] took ${s1(Date.now() - started)} s\n`);
}

export async function boardBench(): Promise<void> {
  console.log(
    `\nSupervisor board: 4 watched extensions (3 phones, 1 queue) in one channel, Slack rate limits enforced (chat.update 50/min, chat.postMessage 1/s per channel); phases of ${SECONDS} s, delays from a PBX change until Slack shows it:`,
  );
  await scenario({
    name: 'board, 3 concurrent (changes fit the budget)',
    short: 'within budget',
    concurrent: 3,
    dropEvents: 0,
    goalP95: 2,
    seconds: SECONDS * 4.5,
    goals: { announcedP95: 0.5, pollingP95: 1.5 },
  });
  await scenario({ name: 'board, 3 concurrent, what dropped events cost', short: '20% of events dropped', concurrent: 3, dropEvents: 0.2, seconds: SECONDS * 2 });
  await scenario({ name: 'board, 20 concurrent then a 10x burst', short: '10x burst', concurrent: 20, burst: true, dropEvents: 0.2 });
  await scenario({ name: 'naive board (every change, client retries)', short: 'naive', naive: true, concurrent: 20, burst: true, dropEvents: 0.2 });
  await scenario({ name: 'board, 100 concurrent (compact summary)', short: '100 concurrent', concurrent: 100, dropEvents: 0.2, goalP95: 10, goals: { everyP95: 5 } });
}
