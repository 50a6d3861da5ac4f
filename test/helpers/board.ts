/**
 * Reading the supervisor board back from the recording Slack API: each message
 * as Slack would now show it (the post, then its updates in order), the thread
 * replies of each message, and waiting for a condition with a deadline.
 */
import type { RecordedCall, SlackApi } from './slack-api.js';

export interface ShownMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Array<{ type: string; block_id?: string; elements?: Array<{ action_id?: string; value?: string; text?: unknown }>; text?: { text: string } }>;
  /** Thread replies, in order. */
  thread: RecordedCall[];
  /** Number of writes (post + updates). */
  writes: number;
}

/** Tracks the ts Slack gave each posted message (call seq -> ts). */
export function trackPosts(api: SlackApi): Map<number, string> {
  const ts = new Map<number, string>();
  api.respondWith('chat.postMessage', (call, defaults) => {
    const answer = defaults();
    ts.set(call.seq, String(answer.ts));
    return answer;
  });
  return ts;
}

export function shownMessages(api: SlackApi, posted: Map<number, string>, channel: string): ShownMessage[] {
  const byTs = new Map<string, ShownMessage>();
  for (const c of api.calls) {
    if (c.body.channel !== channel) continue;
    if (c.method === 'chat.postMessage') {
      const ts = posted.get(c.seq);
      if (!ts) continue; // refused (e.g. 429)
      if (c.body.thread_ts) {
        byTs.get(String(c.body.thread_ts))?.thread.push(c);
        continue;
      }
      byTs.set(ts, { channel, ts, text: String(c.body.text ?? ''), blocks: (c.body.blocks ?? []) as ShownMessage['blocks'], thread: [], writes: 1 });
    } else if (c.method === 'chat.update') {
      const m = byTs.get(String(c.body.ts));
      if (!m) continue;
      m.text = String(c.body.text ?? '');
      m.blocks = (c.body.blocks ?? []) as ShownMessage['blocks'];
      m.writes++;
    }
  }
  return [...byTs.values()];
}

/** Board cards (messages with a `<callId>.head` block) of a call in a channel. */
export function cardsOf(api: SlackApi, posted: Map<number, string>, channel: string, callId: string): ShownMessage[] {
  return shownMessages(api, posted, channel).filter((m) => m.blocks.some((b) => b.block_id === `${callId}.head`));
}

export function headOf(m: ShownMessage): string {
  return m.blocks.find((b) => b.block_id?.endsWith('.head'))?.text?.text ?? '';
}

export function buttonsOf(m: ShownMessage): string[] {
  return m.blocks.filter((b) => b.type === 'actions').flatMap((b) => (b.elements ?? []).map((e) => e.action_id ?? ''));
}

export function threadText(m: ShownMessage): string {
  return m.thread.map((c) => String(c.body.text ?? '')).join('\n');
}
