/**
 * Tab completion at the prompt: command words, then the user's extensions and
 * live call ids. Calls come from what the console has shown, refreshed by
 * listing the user's calls when that is older than a few seconds.
 */
import { CALL_ACTIONS, PARAM_SYNTAX } from '../calls/actions.js';
import type { PhoneCall } from '../uapi/schemas.js';

export const COMMAND_WORDS: readonly string[] = ['help', 'list', ...CALL_ACTIONS.map((a) => a.name), 'events', 'quit'];
const EVENTS_WORDS = ['list', 'add', 'update', 'delete'];
const OPTION_WORDS = [...new Set(Object.values(PARAM_SYNTAX).map((s) => s.split(' ')[0]!)), 'view', 'method', 'note', 'url', 'status'];

export interface CompletionOptions {
  /** The user's live calls (all of their extensions). */
  refresh: () => Promise<PhoneCall[]>;
  maxAgeMs?: number;
  /** How long a tab may wait for VoipNow before answering with what is known. */
  waitMs?: number;
  now?: () => number;
}

export class Completions {
  private readonly extensions = new Set<string>();
  private readonly callIds = new Set<string>();
  private fetchedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: CompletionOptions) {}

  /** Remember the extensions and call ids of calls the console has seen. */
  learn(calls: PhoneCall[]): void {
    for (const c of calls) {
      this.callIds.add(c.id);
      if (c.extension) this.extensions.add(c.extension);
      for (const v of c.phoneCallView) if (v.extension) this.extensions.add(v.extension);
    }
  }

  private async fresh(): Promise<void> {
    const now = (this.opts.now ?? Date.now)();
    if (now - this.fetchedAt < (this.opts.maxAgeMs ?? 5000)) return;
    this.fetchedAt = now;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.opts.waitMs ?? 1500);
    });
    try {
      const calls = await Promise.race([this.opts.refresh().catch(() => undefined), gaveUp]);
      if (calls) {
        this.callIds.clear();
        this.learn(calls);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** readline's completer: the candidates for the word being typed, and that word. */
  async complete(line: string): Promise<[string[], string]> {
    const words = line.split(/\s+/);
    const current = words.at(-1) ?? '';
    const before = words.slice(0, -1).filter(Boolean);
    let candidates: string[];
    if (before.length === 0) candidates = [...COMMAND_WORDS];
    else if (before[0] === 'help') candidates = before.length === 1 ? COMMAND_WORDS.filter((w) => w !== 'quit' && w !== 'help') : [];
    else if (before[0] === 'events' && before.length === 1) candidates = EVENTS_WORDS;
    else {
      await this.fresh();
      candidates = [...this.extensions, ...this.callIds, ...(before.length >= 2 ? OPTION_WORDS : [])];
    }
    // A trailing space, so a word completed alone is ready for the next one.
    const hits = [...new Set(candidates)]
      .filter((c) => c.startsWith(current))
      .sort()
      .map((c) => `${c} `);
    return [hits, current];
  }
}
