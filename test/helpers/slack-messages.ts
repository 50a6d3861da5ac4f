/**
 * What each channel shows, rebuilt from the writes the recording Slack API
 * accepted (slack-api.ts): chat.postMessage adds a message (a thread reply when
 * it has thread_ts), chat.update replaces its text/blocks, chat.delete removes
 * it. Refused writes (429, or an override answering ok:false) change nothing.
 */

export interface ChannelMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown;
  attachments?: unknown;
  metadata?: unknown;
  /** parent ts, for a thread reply */
  threadTs?: string;
  /** a thread reply also sent to the channel (reply_broadcast) */
  broadcast?: boolean;
  /** thread replies, oldest first */
  replies: ChannelMessage[];
  /** accepted chat.update calls */
  updates: number;
  /** Date.now() of the post and of the last accepted write */
  postedAt: number;
  updatedAt: number;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export class MessageStore {
  private readonly byKey = new Map<string, ChannelMessage>();
  /** chat.update / chat.delete calls for a message the store never saw posted */
  unknownTargets = 0;

  /** Applies one accepted write; `answer` is the JSON the API answered. */
  apply(method: string, body: Record<string, unknown>, answer: Record<string, unknown>, at: number): void {
    if (answer.ok !== true) return;
    const channel = str(answer.channel) ?? str(body.channel) ?? '';
    if (method === 'chat.postMessage') {
      const ts = str(answer.ts);
      if (!ts) return;
      const threadTs = str(body.thread_ts);
      const m: ChannelMessage = {
        channel,
        ts,
        text: str(body.text) ?? '',
        replies: [],
        updates: 0,
        postedAt: at,
        updatedAt: at,
        ...(body.blocks !== undefined ? { blocks: body.blocks } : {}),
        ...(body.attachments !== undefined ? { attachments: body.attachments } : {}),
        ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
        ...(threadTs !== undefined ? { threadTs } : {}),
        ...(threadTs !== undefined && (body.reply_broadcast === true || body.reply_broadcast === 'true') ? { broadcast: true } : {}),
      };
      this.byKey.set(`${channel}/${ts}`, m);
      if (threadTs !== undefined) this.byKey.get(`${channel}/${threadTs}`)?.replies.push(m);
      return;
    }
    const ts = str(body.ts) ?? '';
    const m = this.byKey.get(`${channel}/${ts}`);
    if (!m) {
      if (method === 'chat.update' || method === 'chat.delete') this.unknownTargets += 1;
      return;
    }
    if (method === 'chat.update') {
      if (body.text !== undefined) m.text = str(body.text) ?? '';
      if (body.blocks !== undefined) m.blocks = body.blocks;
      if (body.attachments !== undefined) m.attachments = body.attachments;
      if (body.metadata !== undefined) m.metadata = body.metadata;
      m.updates += 1;
      m.updatedAt = at;
    } else if (method === 'chat.delete') {
      this.byKey.delete(`${channel}/${ts}`);
      if (m.threadTs !== undefined) {
        const parent = this.byKey.get(`${channel}/${m.threadTs}`);
        if (parent) parent.replies = parent.replies.filter((r) => r !== m);
      }
    }
  }

  /** What the channel shows, oldest first: top-level messages and broadcast replies, each with its thread. */
  messages(channel: string): ChannelMessage[] {
    return [...this.byKey.values()].filter((m) => m.channel === channel && (m.threadTs === undefined || m.broadcast === true)).sort((a, b) => Number(a.ts) - Number(b.ts));
  }

  message(channel: string, ts: string): ChannelMessage | undefined {
    return this.byKey.get(`${channel}/${ts}`);
  }

  clear(): void {
    this.byKey.clear();
    this.unknownTargets = 0;
  }
}
