/**
 * The README's pictures, drawn from the Block Kit the app really produces:
 * starts the sandbox PBX, reads its seed calls as John Doe (user 12) with the
 * app's own UAPI client, has supervisor 0003*210 whisper on the queue call,
 * builds the action card and the board cards with the app's own renderers,
 * draws the "Call this number" modal and a Slack Call from what the app would send
 * (`calls.add`'s arguments, then the title once the far end answered),
 * writes each message's JSON (paste it into Slack's Block Kit Builder) and an
 * HTML approximation of Slack's rendering, and screenshots it with headless
 * Chromium when there is one (`apt-get install -y chromium`; CI never runs this).
 *
 *   npx tsx scripts/render-blocks.ts [outDir=docs]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KnownBlock } from '@slack/types';
import { snapshotOf } from '../src/board/snapshot.js';
import { execute } from '../src/calls/execute.js';
import { createLogger } from '../src/log.js';
import { SEED_IDS, startSandbox } from '../src/sandbox/server.js';
import { callCard } from '../src/slack/blocks/call-card.js';
import { boardCard } from '../src/slack/board/render.js';
import { homeView } from '../src/slack/phone/home.js';
import { dialModal } from '../src/slack/commands/dial-number.js';
import { findPhoneNumbers } from '../src/calls/phone-numbers.js';
import { missedCallMessage } from '../src/slack/phone/missed-call-message.js';
import { callsAddArgs, titleOf } from '../src/slack/phone/slack-calls.js';
import { UapiClient } from '../src/uapi/client.js';
import { UapiHttp } from '../src/uapi/http.js';
import { VoipnowOAuth, refreshingCredentials } from '../src/uapi/oauth.js';
import type { PhoneCall } from '../src/uapi/schemas.js';

const out = resolve(process.argv[2] ?? 'docs');
mkdirSync(out, { recursive: true });

const EMOJI: Record<string, string> = {
  large_green_circle: '🟢',
  double_vertical_bar: '⏸️',
  parking: '🅿️',
  bell: '🔔',
  no_entry_sign: '🚫',
  telephone_receiver: '📞',
  hourglass_flowing_sand: '⏳',
  red_circle: '🔴',
  speaking_head_in_silhouette: '🗣️',
  ear: '👂',
  loudspeaker: '📢',
  grey_question: '❔',
  warning: '⚠️',
  white_check_mark: '✅',
  arrow_lower_left: '↙️',
  arrow_upper_right: '↗️',
  x: '❌',
  studio_microphone: '🎙️',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack's date token as a reader would see it (in UTC here). */
function date(unix: number, format: string): string {
  const d = new Date(unix * 1000);
  const time = d.toISOString().slice(11, 19);
  const ago = Math.max(0, Math.round((Date.now() - d.getTime()) / 60_000));
  return format
    .replace('{date_short_pretty}', 'Today')
    .replace('{time_secs}', time)
    .replace('{time}', time.slice(0, 5))
    .replace('{ago}', ago === 0 ? 'just now' : `${ago} minute${ago === 1 ? '' : 's'} ago`);
}

/** mrkdwn (already escaped for Slack) to HTML. */
function mrkdwn(text: string): string {
  const codes: string[] = [];
  let s = text.replace(/`([^`]*)`/g, (_, c: string) => `\uE000${codes.push(c) - 1}\uE000`);
  s = s.replace(/<!date\^(\d+)\^([^|>]*)\|[^>]*>/g, (_, t: string, f: string) => date(Number(t), f));
  s = s.replace(/<@(U\w+)>/g, '<span class="mention">@$1</span>');
  s = s.replace(/:([a-z_]+):/g, (m, name: string) => EMOJI[name] ?? m);
  s = s.replace(/\*([^*\n]+)\*/g, '<b>$1</b>').replace(/(^|\s)_([^_\n]+)_/g, '$1<i>$2</i>');
  s = s.replace(/\uE000(\d+)\uE000/g, (_, i: string) => `<code>${codes[Number(i)]}</code>`);
  return s.replace(/\n/g, '<br>');
}

type Plain = { type: string; text: string };
type AnyBlock = {
  type: string;
  text?: Plain;
  elements?: Array<Record<string, unknown>>;
  accessory?: Record<string, unknown>;
  label?: Plain;
  hint?: Plain;
  element?: { type: string; initial_option?: { text: Plain }; initial_value?: string; placeholder?: Plain };
};

const buttonHtml = (e: Record<string, unknown>) => `<span class="button ${String(e.style ?? '')}">${esc(String((e.text as { text: string }).text))}</span>`;

function block(known: KnownBlock): string {
  const b = known as unknown as AnyBlock;
  switch (b.type) {
    case 'section':
      return `<div class="section">${mrkdwn(b.text?.text ?? '')}${b.accessory?.type === 'button' ? ` ${buttonHtml(b.accessory)}` : ''}</div>`;
    case 'context':
      return `<div class="context">${(b.elements ?? []).map((e) => mrkdwn(String(e.text ?? ''))).join(' ')}</div>`;
    case 'divider':
      return '<hr>';
    case 'header':
      return `<div class="header">${esc(b.text?.text ?? '')}</div>`;
    case 'actions':
      return `<div class="actions">${(b.elements ?? []).map(buttonHtml).join('')}</div>`;
    case 'input': {
      const e = b.element;
      const shown = e?.type === 'static_select' ? `${esc(e.initial_option?.text.text ?? '')}<span class="caret">▾</span>` : esc(e?.initial_value ?? e?.placeholder?.text ?? '');
      return `<div class="input"><div class="label">${esc(b.label?.text ?? '')}</div><div class="field">${shown}</div>${b.hint ? `<div class="context">${esc(b.hint.text)}</div>` : ''}</div>`;
    }
    default:
      return '';
  }
}

function page(messages: { blocks: KnownBlock[] }[], title: string): string {
  const body = messages
    .map(
      (m) =>
        `<div class="message"><div class="avatar">📞</div><div><div class="name">callops <span class="app">APP</span> <span class="time">10:42</span></div>${m.blocks.map(block).join('')}</div></div>`,
    )
    .join('');
  return `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><style>
body{margin:0;padding:16px 20px;font:15px/1.46668 Lato,"Helvetica Neue",Helvetica,Arial,sans-serif;color:#1d1c1d;background:#fff;width:760px}
.channel{font-weight:900;font-size:18px;border-bottom:1px solid #ddd;padding-bottom:8px;margin-bottom:8px}
.message{display:flex;gap:8px;padding:8px 0}.avatar{width:36px;height:36px;border-radius:6px;background:#4a154b;color:#fff;display:flex;align-items:center;justify-content:center;flex:none}
.name{font-weight:900}.app{font-size:10px;background:#ddd;border-radius:2px;padding:0 3px;color:#555;font-weight:700}.time{color:#616061;font-size:12px;font-weight:400}
.section{margin:4px 0}.context{color:#616061;font-size:13px;margin:4px 0}
code{font:12px Monaco,Menlo,Consolas,monospace;color:#e01e5a;background:#f8f8f8;border:1px solid #e8e8e8;border-radius:3px;padding:1px 3px}
.actions{margin:6px 0 8px}.button{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:3px 12px;margin-right:8px;font-weight:700;font-size:14px}
.button.danger{background:#e01e5a;border-color:#e01e5a;color:#fff}.button.primary{background:#007a5a;border-color:#007a5a;color:#fff}
.input{margin:10px 0}.label{font-weight:700;margin-bottom:4px}.field{border:1px solid #bbb;border-radius:4px;padding:6px 10px;display:flex;justify-content:space-between}.caret{color:#616061}
.modal{width:520px;border:1px solid #ddd;border-radius:8px;box-shadow:0 4px 12px rgba(0,0,0,.12);padding:0 20px 16px}.modal .title{font-weight:900;font-size:20px;padding:14px 0;border-bottom:1px solid #ddd;margin:0 -20px 8px;padding-left:20px}
.modal .foot{text-align:right;margin-top:16px}.call{border:1px solid #ddd;border-radius:8px;padding:10px 14px;width:420px}.call .title{font-weight:900}.call .who{margin:6px 0}
.mention{color:#1264a3;background:#e8f5fa;border-radius:3px;padding:0 2px}hr{border:0;border-top:1px solid #ddd}
</style><div class="channel"># ${esc(title)}</div>${body}`;
}

function write(name: string, title: string, messages: { blocks: KnownBlock[] }[], html?: { body: string; json: unknown; height: number }): void {
  // Block Kit Builder takes one message: {"blocks": [...]}; several messages are listed in order.
  const json = html?.json ?? (messages.length === 1 ? { blocks: messages[0]!.blocks } : { messages: messages.map((m) => ({ blocks: m.blocks })) });
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  const file = join(out, `${name}.html`);
  writeFileSync(file, html ? page([], title).replace(/<div class="channel">.*$/s, `<div class="channel"># ${esc(title)}</div>${html.body}`) : page(messages, title));
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
  if (!chromium) {
    console.log(`${name}: wrote ${name}.json and ${name}.html (no Chromium for the PNG)`);
    return;
  }
  const height =
    html?.height ??
    90 +
      messages.reduce(
        (n, m) =>
          n + 30 + (m.blocks as unknown as AnyBlock[]).reduce((h, b) => h + (b.type === 'actions' ? 42 : b.type === 'section' ? 24 * (1 + (b.text?.text.split('\n').length ?? 1)) : 26), 0),
        0,
      );
  execFileSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--window-size=800,${height}`, `--screenshot=${join(out, `${name}.png`)}`, `file://${file}`], {
    stdio: 'ignore',
  });
  console.log(`${name}: wrote ${name}.json, ${name}.html and ${name}.png`);
}

async function main(): Promise<void> {
  const logger = createLogger('silent');
  const sandbox = await startSandbox({ port: 0, pickupDelayMs: 30 });
  const http = new UapiHttp({ baseUrl: sandbox.url, logger });
  try {
    const oauth = new VoipnowOAuth(http, { clientId: 'callops-demo', clientSecret: 'callops-demo-secret' });
    const client = new UapiClient(http, refreshingCredentials(oauth, await oauth.clientCredentials(), { reauth: () => oauth.clientCredentials() }));
    const show = async (extension: string, phoneCallId: string): Promise<PhoneCall> => {
      const o = await execute(client, { kind: 'show', extension, phoneCallId });
      if (o.kind !== 'calls' || !o.calls[0]) throw new Error(`no call ${phoneCallId}`);
      return o.calls[0];
    };
    // Supervisor John (0003*210) whispers to agent 0003*024 on the queue call, privately.
    await execute(client, { kind: 'action', action: 'whisper', extension: '0003*300', phoneCallId: SEED_IDS.queueCall, viewId: '02', params: { to: '0003*210', private: 1 } });
    let call = await show('0003*300', SEED_IDS.queueCall);
    for (let i = 0; i < 100 && call.phoneCallView.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 50)); // the sandbox phone picks up after 30 ms
      call = await show('0003*300', SEED_IDS.queueCall);
    }
    const hints = [{ from: '0003*210', mode: 'whisper' as const, private: true }];
    const card = callCard(call, { extension: '0003*300', note: '<@U012JOHN> started whispering on the call (view 02) · 10:42:07', hints });
    write('call-card', 'support', [card]);

    const parked = await show('0003*210', SEED_IDS.parkedCall);
    const board = [boardCard(snapshotOf(call, '0003*300', hints)), boardCard(snapshotOf(parked, '0003*210'))];
    write('board', 'support-board', board);

    // A phone user's day: the DM for a call that rang out, and their App Home panel.
    const rangAt = new Date(Date.now() - 5 * 60_000).toISOString();
    const missed = missedCallMessage({
      phoneCallId: 'a1b2c3d4e5f6a7b8c9d0',
      extension: '0003*210',
      caller: 'Ann Caller <5550111>',
      number: '5550111',
      rangAt,
      rangSeconds: 24,
      voicemail: false,
    });
    write('missed-call', 'callops (direct message)', [missed]);
    const list = await execute(client, { kind: 'list', extension: '0003*210' });
    const now = Date.now();
    const home = homeView({
      account: {
        teamId: 'T1',
        slackUserId: 'U012JOHN',
        voipnowUserId: '12',
        extension: '0003*210',
        accessToken: '',
        expiresAt: new Date(now),
        linkedAt: new Date(now),
        updatedAt: new Date(now),
      },
      voipnowHost: 'pbx.example.com',
      calls: list.kind === 'calls' ? list.calls.filter((c) => c.id === SEED_IDS.seedCall) : [],
      note: `:white_check_mark: Hold: done on call \`${SEED_IDS.seedCall}\`.`,
      recent: [
        {
          phoneCallId: 'a1b2c3d4e5f6a7b8c9d0',
          extension: '0003*210',
          party: 'Ann Caller <5550111>',
          number: '5550111',
          direction: 'in',
          startedAt: rangAt,
          endedAt: new Date(Date.parse(rangAt) + 24_000).toISOString(),
          answered: false,
        },
        {
          phoneCallId: 'b1b2c3d4e5f6a7b8c9d0',
          extension: '0003*210',
          party: '+15550123456',
          number: '+15550123456',
          direction: 'out',
          startedAt: new Date(now - 40 * 60_000).toISOString(),
          endedAt: new Date(now - 37 * 60_000).toISOString(),
          answered: true,
        },
      ],
    });
    write('home', 'App Home: callops', [{ blocks: home.blocks as KnownBlock[] }]);

    // "Call this number" on a message: the modal, before anything is sent to VoipNow.
    const found = findPhoneNumbers('Please call the customer back on +1 (555) 012-3456, or at the office: 555-013-0000');
    const modal = dialModal({ c: 'C012SUPPORT', n: found.map((f) => f.number) }, found, '0003*210');
    const modalBody = `<div class="modal"><div class="title">${esc(modal.title.text)}</div>${(modal.blocks as KnownBlock[]).map(block).join('')}<div class="foot"><span class="button">${esc(modal.close?.text ?? '')}</span><span class="button primary">${esc(modal.submit?.text ?? '')}</span></div></div>`;
    write('dial-number', 'Call this number (modal)', [], { body: modalBody, json: modal, height: 420 });

    // A Slack Call for a call placed from Slack: as registered, and once the far end answered.
    const placed = { teamId: 'T1', userId: 'U012JOHN', phoneCallId: 'c1b2c3d4e5f6a7b8c9d0', extension: '0003*210', destination: '+15550123456', channelId: 'C012SUPPORT' };
    const args = callsAddArgs(placed, [{ slack_id: 'U012JOHN' }, { external_id: '+15550123456', display_name: '+15550123456' }], now);
    const answered = titleOf({ parties: ['+15550123456', '0003*210'], answered: true }, '0003*210');
    const who = (u: { slack_id?: string; display_name?: string }) => (u.slack_id ? `<span class="mention">@${esc(u.slack_id)}</span>` : esc(u.display_name ?? ''));
    const callBox = (title: string, note: string) =>
      `<div class="message"><div class="avatar">📞</div><div><div class="name">callops <span class="app">APP</span> <span class="time">10:42</span></div><div class="call"><div class="title">📞 ${esc(title)}</div><div class="who">${args.users.map(who).join(', ')}</div><div class="context">${esc(note)}</div><span class="button primary">Join</span></div></div></div>`;
    write('slack-call', 'support', [], {
      body: callBox(args.title, 'calls.add: while your phone and then the number ring') + callBox(answered, 'calls.update: once the number answered'),
      json: { 'calls.add': args, 'calls.update': { title: answered } },
      height: 420,
    });
  } finally {
    http.close();
    await sandbox.close();
  }
}

await main();
