/**
 * Generated call traffic on the seed world (POST /_sandbox/traffic, `npm run
 * sandbox -- --traffic N`). Calls arrive at random (Poisson, callsPerMinute),
 * ring, are answered at the desk after a random delay, some are held and
 * resumed, parked and taken back, transferred to another phone, and hang up
 * after a random talk time. Every change goes through the desk controls
 * (desk.ts), so it looks and fires call events exactly as a person at the
 * phone would. `{callsPerMinute: 0}` stops new calls; calls under way finish.
 *
 * A call's steps are timers under `<callId>:traffic:` keys in the world, so a
 * call ended any other way (UAPI hangup, reset) takes its plan with it.
 */
import { deskControl, type DeskAction, type DeskOptions } from './desk.js';
import { ApiError } from './errors.js';
import { placeCall } from './place-call.js';
import { exponential, pick, seededRandom, type Random } from './random.js';
import type { Extension, PhoneCall, World } from './world.js';

export interface TrafficConfig {
  /** arrivals per minute; 0 = stopped */
  callsPerMinute: number;
  /** extensions calls go to (phone terminals and queues); default every answering one of organization 3 */
  extensions: string[];
  /** share of calls put on hold once (and resumed) */
  holdShare: number;
  /** share of calls parked once (and taken back) */
  parkShare: number;
  /** share of calls transferred to another phone */
  transferShare: number;
  /** share of calls placed by a phone terminal to a public number (dial-out) */
  outboundShare: number;
  /** mean talk time, seconds (exponential, clamped to 0.2..4 times the mean) */
  meanTalkSeconds: number;
  /** mean ringing time before the desk answers, seconds (uniform, 0.5..1.5 times the mean) */
  meanRingSeconds: number;
  /** seeds every random choice, for repeatable runs */
  seed?: number;
  /** SIP display names for inbound callers, picked at random (any characters, e.g. `<!channel> *x*`); default "Customer NNNN" */
  callerNames?: string[];
}

export interface TrafficStatus {
  running: boolean;
  config: TrafficConfig | null;
  placed: number;
  answered: number;
  held: number;
  resumed: number;
  parked: number;
  unparked: number;
  transferred: number;
  hungUp: number;
  /** generated calls still live */
  active: number;
}

const DEFAULTS = {
  holdShare: 0.3,
  parkShare: 0.1,
  transferShare: 0.1,
  outboundShare: 0.2,
  meanTalkSeconds: 90,
  meanRingSeconds: 6,
} as const;

function invalid(message: string): never {
  throw new ApiError('request_invalid', message);
}

/** Validates a traffic request body; 400 request_invalid with what is wrong otherwise. */
export function validateTraffic(world: World, raw: unknown): TrafficConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) invalid('The body must be a JSON object, e.g. {"callsPerMinute": 20}.');
  const b = raw as Record<string, unknown>;
  const known = ['callsPerMinute', 'extensions', 'seed', 'callerNames', ...Object.keys(DEFAULTS)];
  const unknown = Object.keys(b).filter((k) => !known.includes(k));
  if (unknown.length > 0) invalid(`Unknown field ${unknown.join(', ')}; allowed: ${known.join(', ')}.`);
  const cpm = b.callsPerMinute;
  if (typeof cpm !== 'number' || !(cpm >= 0 && cpm <= 6000)) invalid('callsPerMinute must be a number from 0 (stop) to 6000, e.g. {"callsPerMinute": 20}.');
  const num = (key: keyof typeof DEFAULTS, ok: (n: number) => boolean, what: string): number => {
    const v = b[key];
    if (v === undefined) return DEFAULTS[key];
    if (typeof v !== 'number' || !ok(v)) invalid(`${key} must be ${what}.`);
    return v;
  };
  const share = (n: number) => n >= 0 && n <= 1;
  const config: TrafficConfig = {
    callsPerMinute: cpm,
    extensions: extensionsOf(world, b.extensions),
    holdShare: num('holdShare', share, 'a share from 0 to 1'),
    parkShare: num('parkShare', share, 'a share from 0 to 1'),
    transferShare: num('transferShare', share, 'a share from 0 to 1'),
    outboundShare: num('outboundShare', share, 'a share from 0 to 1'),
    meanTalkSeconds: num('meanTalkSeconds', (n) => n > 0 && n <= 86_400, 'a number of seconds above 0'),
    meanRingSeconds: num('meanRingSeconds', (n) => n > 0 && n <= 600, 'a number of seconds above 0 (at most 600)'),
  };
  if (b.seed !== undefined) {
    if (typeof b.seed !== 'number' || !Number.isInteger(b.seed)) invalid('seed must be an integer.');
    config.seed = b.seed;
  }
  if (b.callerNames !== undefined) {
    const names = b.callerNames;
    if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n.length <= 200 && !/[\r\n]/.test(n))) {
      invalid('callerNames must be a non-empty list of names of at most 200 characters, one line each, e.g. ["<!channel> *x*"].');
    }
    config.callerNames = names as string[];
  }
  return config;
}

/** `Name <number>`, or a quoted SIP display name `"any \\"text\\"" <number>`. */
function callerIdFor(name: string, number: string, quoted: boolean): string {
  return quoted ? `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}" <${number}>` : `${name} <${number}>`;
}

function extensionsOf(world: World, v: unknown): string[] {
  const usable = (e: Extension | undefined): e is Extension => e !== undefined && (e.type === 'phoneTerminal' || e.type === 'queue');
  if (v === undefined) {
    return [...world.extensions.values()].filter((e) => usable(e) && e.orgId === '3' && e.answers).map((e) => e.number);
  }
  if (!Array.isArray(v) || v.length === 0) invalid('extensions must be a non-empty list of phone terminal or queue extensions, e.g. ["0003*210", "0003*300"].');
  return v.map((x) => {
    const ext = typeof x === 'string' ? world.findExtension(x.trim()) : undefined;
    if (!usable(ext)) invalid(`extensions: ${JSON.stringify(x)} is not a phone terminal or queue extension of the sandbox (see GET /_sandbox/world).`);
    return ext.number;
  });
}

export class TrafficGenerator {
  private config: TrafficConfig | null = null;
  private arrival: NodeJS.Timeout | undefined;
  private random: Random = Math.random;
  private readonly live = new Set<string>();
  private counts = { placed: 0, answered: 0, held: 0, resumed: 0, parked: 0, unparked: 0, transferred: 0, hungUp: 0 };

  constructor(
    private readonly world: World,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Starts, changes or (callsPerMinute 0) stops the traffic. */
  configure(config: TrafficConfig): TrafficStatus {
    this.stop();
    if (config.callsPerMinute > 0) {
      this.config = config;
      this.random = config.seed === undefined ? Math.random : seededRandom(config.seed);
      this.counts = { placed: 0, answered: 0, held: 0, resumed: 0, parked: 0, unparked: 0, transferred: 0, hungUp: 0 };
      this.scheduleArrival();
      this.log(`sandbox: traffic ${config.callsPerMinute} calls/min on ${config.extensions.join(', ')}`);
    }
    return this.status();
  }

  /** No new calls; calls under way run to their end. */
  stop(): void {
    if (this.arrival) clearTimeout(this.arrival);
    this.arrival = undefined;
    if (this.config) this.log('sandbox: traffic stopped');
    this.config = null;
  }

  status(): TrafficStatus {
    for (const id of this.live) if (!this.world.calls.has(id)) this.live.delete(id);
    return { running: this.config !== null, config: this.config, ...this.counts, active: this.live.size };
  }

  private scheduleArrival(): void {
    const config = this.config;
    if (!config) return;
    const ms = exponential(this.random, 60_000 / config.callsPerMinute);
    this.arrival = setTimeout(
      () => {
        this.arrival = undefined;
        try {
          this.placeOne(config);
          this.world.changed();
        } catch (err) {
          this.log(`sandbox: traffic could not place a call: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (this.config === config) this.scheduleArrival();
      },
      Math.min(ms, 2_147_000_000),
    );
  }

  private publicNumber(): string {
    return `+1555${String(Math.floor(this.random() * 10_000_000)).padStart(7, '0')}`;
  }

  private placeOne(config: TrafficConfig): void {
    const r = this.random;
    const target = this.world.extensions.get(pick(r, config.extensions) ?? '');
    if (!target) return;
    const ringMs = config.meanRingSeconds * 1000 * (0.5 + r());
    const talkMs = Math.min(4, Math.max(0.2, exponential(r, 1))) * config.meanTalkSeconds * 1000;
    const outbound = target.type === 'phoneTerminal' && r() < config.outboundShare;
    const number = this.publicNumber();
    const call = placeCall(this.world, {
      extension: target.number,
      orgId: target.orgId,
      source: outbound ? [target.number] : [number],
      destination: outbound ? [number] : [target.number],
      ...(outbound ? {} : { callerId: callerIdFor(pick(r, config.callerNames ?? []) ?? `Customer ${number.slice(-4)}`, number, config.callerNames !== undefined) }),
      // Rings until the desk answers below; waitForPickup only as a backstop.
      waitForPickupSec: ringMs / 1000 + 60,
      ringSourceFirst: false,
      answerAfterMs: Number.POSITIVE_INFINITY,
    });
    this.counts.placed += 1;
    this.live.add(call.id);

    const plan: Array<[number, DeskAction, DeskOptions?]> = [[ringMs, 'answer']];
    if (r() < config.holdShare) plan.push([ringMs + talkMs * 0.2, 'hold'], [ringMs + talkMs * 0.4, 'resume']);
    if (r() < config.parkShare) plan.push([ringMs + talkMs * 0.5, 'park'], [ringMs + talkMs * 0.7, 'unpark']);
    if (r() < config.transferShare) {
      const others = config.extensions.filter((n) => n !== target.number && this.world.extensions.get(n)?.type === 'phoneTerminal');
      const to = pick(r, others);
      if (to) plan.push([ringMs + talkMs * 0.8, 'transfer', { to }]);
    }
    plan.push([ringMs + talkMs, 'hangup']);
    plan.forEach(([at, action, opts], i) => {
      this.world.schedule(`${call.id}:traffic:${i}`, at, () => this.step(call, action, opts));
    });
  }

  private step(call: PhoneCall, action: DeskAction, opts?: DeskOptions): void {
    try {
      deskControl(this.world, call.id, action, opts);
    } catch {
      return; // the call moved on some other way (a UAPI action, a transfer still ringing): skip this step
    }
    const key = (
      {
        answer: 'answered',
        hold: 'held',
        resume: 'resumed',
        park: 'parked',
        unpark: 'unparked',
        transfer: 'transferred',
        hangup: 'hungUp',
      } as const
    )[action];
    this.counts[key] += 1;
  }
}
