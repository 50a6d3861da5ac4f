/**
 * The phone users' own extensions, read the way the board reads a watch: one
 * poller per linked user's extension (and per extension a Slack Call was
 * placed from), with that user's own token, each read reconciled by LineCalls.
 * What was read goes to a PhoneLinesOutput (the Slack side: missed-call DMs,
 * App Home, Slack Calls); this file knows no Slack. A read refused because the
 * user's link died stops that line until the lines are synced again (a new link).
 */
import type { Store } from '../store/types.js';
import type { UapiClient } from '../uapi/client.js';
import type { PhoneCall } from '../uapi/schemas.js';
import { LineCalls, type EndedCall, type LineRead } from './line-calls.js';
import { Poller, type PollTiming } from './poller.js';
import type { CallSnapshot } from './snapshot.js';

export interface PhoneLine {
  teamId: string;
  userId: string;
  extension: string;
}

export interface PhoneLinesOutput {
  /** One read of a line was taken in: `liveIds` are the calls it listed. */
  read(line: PhoneLine, result: LineRead, liveIds: string[]): void | Promise<void>;
}

export interface PhoneLinesDeps {
  store: Store;
  clientFor(owner: { teamId: string; userId: string }): Promise<UapiClient>;
  isLinkProblem(err: unknown): boolean;
  timing: PollTiming;
  /** Voicemail extensions (a call sent there was not answered by the user). */
  isVoicemail?: (extension: string) => boolean;
  now?: () => number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

interface LineState {
  line: PhoneLine;
  poller: Poller<PhoneCall>;
  calls: LineCalls;
  live: CallSnapshot[];
  recent: EndedCall[];
}

/** Every live call of an extension in one read (as the board's watches read). */
const LIST_COUNT = 1000;
/** Recent calls kept per line (the panel shows the last hours). */
const MAX_RECENT = 25;
/** Calls callops sent to voicemail, remembered (oldest forgotten first) until their lines see them end. */
const MAX_VOICEMAILED = 1000;
/** How often the set of lines is read from the store again (links made on another replica). */
const SYNC_EVERY_MS = 60_000;

export const lineKey = (l: PhoneLine) => `${l.teamId}|${l.userId}|${l.extension}`;

export class PhoneLines {
  private readonly lines = new Map<string, LineState>();
  private readonly voicemailed = new Set<string>();
  private output: PhoneLinesOutput | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly now: () => number;

  constructor(private readonly deps: PhoneLinesDeps) {
    this.now = deps.now ?? Date.now;
  }

  setOutput(output: PhoneLinesOutput): void {
    this.output = output;
  }

  async start(): Promise<void> {
    this.running = true;
    await this.sync();
    this.timer = setInterval(() => void this.sync().catch((err: unknown) => this.deps.log?.('phone lines: sync failed', { error: String(err) })), SYNC_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.lines.values()) s.poller.stop();
    this.lines.clear();
  }

  /** Which lines to read: linked users' extensions and the extensions of open Slack Calls. */
  async sync(): Promise<void> {
    if (!this.running) return;
    const wanted = new Map<string, PhoneLine>();
    for (const l of await this.deps.store.listLinkedLines()) wanted.set(lineKey({ ...l, userId: l.slackUserId }), { teamId: l.teamId, userId: l.slackUserId, extension: l.extension });
    for (const c of await this.deps.store.listSlackCalls()) wanted.set(lineKey({ ...c, userId: c.slackUserId }), { teamId: c.teamId, userId: c.slackUserId, extension: c.extension });
    if (!this.running) return;
    for (const [key, state] of [...this.lines]) {
      // A line stopped by a dead link reads again once synced (after a new link).
      if (wanted.has(key) && !state.poller.isStopped) continue;
      state.poller.stop();
      this.lines.delete(key);
    }
    for (const [key, line] of wanted) if (!this.lines.has(key)) this.run(key, line);
  }

  /** Read this line now (an action on it, or an extra line to follow). */
  follow(line: PhoneLine): void {
    const state = this.lines.get(lineKey(line));
    if (state) state.poller.readNow();
    else if (this.running) this.run(lineKey(line), line);
  }

  /** callops sent this call to voicemail: on a line it rang on, it is a missed call, not an answered one. */
  sentToVoicemail(phoneCallId: string): void {
    this.voicemailed.add(phoneCallId);
    for (const id of this.voicemailed) {
      if (this.voicemailed.size <= MAX_VOICEMAILED) break;
      this.voicemailed.delete(id);
    }
  }

  /** A PhoneCallEvent came for this extension (through a board watch): its lines read now. */
  eventArrived(extension: string): void {
    for (const s of this.lines.values()) if (s.line.extension === extension) s.poller.readSoon();
  }

  /** Read every line of this user now. */
  readNow(user: { teamId: string; userId: string }): void {
    for (const s of this.of(user)) s.poller.readNow();
  }

  /** The user's live calls on their lines, as last read (undefined when none of their lines was read yet). */
  live(user: { teamId: string; userId: string }): CallSnapshot[] | undefined {
    const states = this.of(user).filter((s) => s.poller.lastSuccess !== undefined);
    if (states.length === 0) return undefined;
    const byId = new Map<string, CallSnapshot>();
    for (const s of states) for (const c of s.live) if (!byId.has(c.id)) byId.set(c.id, c);
    return [...byId.values()];
  }

  /** The user's calls that ended within `withinMs`, newest first. */
  recent(user: { teamId: string; userId: string }, withinMs: number): EndedCall[] {
    const since = this.now() - withinMs;
    return this.of(user)
      .flatMap((s) => s.recent)
      .filter((c) => Date.parse(c.endedAt) >= since)
      .sort((a, b) => b.endedAt.localeCompare(a.endedAt));
  }

  /** Waits for reads under way (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.lines.values()].map((s) => s.poller.settled()));
  }

  private of(user: { teamId: string; userId: string }): LineState[] {
    return [...this.lines.values()].filter((s) => s.line.teamId === user.teamId && s.line.userId === user.userId);
  }

  private run(key: string, line: PhoneLine): void {
    const calls = new LineCalls(line.extension, this.deps.isVoicemail, (id) => this.voicemailed.has(id));
    const poller = new Poller<PhoneCall>(
      {
        read: async () => (await this.deps.clientFor({ teamId: line.teamId, userId: line.userId })).listPhoneCalls({ extension: line.extension, count: LIST_COUNT }),
        onRead: (list) => this.taken(key, list),
        onError: async (err) => {
          if (this.deps.isLinkProblem(err)) return 'stop';
          this.deps.log?.('phone line read failed', { extension: line.extension, error: err instanceof Error ? err.message : String(err) });
          return 'retry';
        },
      },
      this.deps.timing,
      this.now,
    );
    this.lines.set(key, { line, poller, calls, live: [], recent: [] });
    poller.start();
  }

  private async taken(key: string, list: PhoneCall[]): Promise<void> {
    const state = this.lines.get(key);
    if (!state) return;
    const result = state.calls.read(list, this.now());
    state.live = result.live;
    if (result.ended.length) state.recent = [...result.ended.reverse(), ...state.recent].slice(0, MAX_RECENT);
    await this.output?.read(state.line, result, state.calls.liveIds);
  }
}
