/**
 * A call in a sentence, as a supervisor or agent would say it: who is calling
 * whom, the state and since when (Slack date formatting, so every client keeps
 * the time current without updates). Shared by the action card and the board.
 */
import { durationWords, type CallSnapshot, type LegSnapshot } from '../../board/snapshot.js';
import { code, slackDate } from './mrkdwn.js';

export const STATE_EMOJI: Record<CallSnapshot['state'], string> = {
  ringing: ':bell:',
  'on call': ':large_green_circle:',
  'on hold': ':double_vertical_bar:',
  parked: ':parking:',
  ended: ':no_entry_sign:',
};

export function when(iso: string | undefined, format = '{time_secs}'): string {
  return slackDate(iso, format, 'an unknown time');
}

/** "`Customer <7778888>` is calling `0003*300` · ringing since 10:41:07" */
export function headline(s: CallSnapshot): string {
  const who = code(s.caller);
  const on = code(s.extension);
  switch (s.state) {
    case 'ringing':
      return `${who} is calling ${code(s.called)}${s.called === s.extension ? '' : ` on ${on}`} · ringing since ${when(s.since)}`;
    case 'on call': {
      // The agents on the call other than the caller's own phone (an outbound call's caller is an agent too).
      // A queue's own leg is not a person: with an agent on the call, the queue is only named after "on".
      const partners = s.agents.filter((a) => a !== s.from);
      const people = partners.length > 1 ? partners.filter((a) => a !== s.extension) : partners;
      return `${who} is talking with ${people.map(code).join(', ') || code(s.called)} on ${on} · answered ${when(s.answered ?? s.since)}`;
    }
    case 'on hold':
      return `${who} is on hold on ${on} since ${when(s.since)}`;
    case 'parked':
      return `${who} is parked${s.parkedPos !== undefined ? ` at position ${s.parkedPos}` : ''}${s.parkedBy ? ` by ${code(s.parkedBy)}` : ''} on ${on} since ${when(s.since)}`;
    case 'ended': {
      const from = Date.parse(s.answered ?? s.started ?? '');
      const dur = Number.isNaN(from) ? '' : ` after ${durationWords((Date.parse(s.ended!.at) - from) / 1000)}`;
      return `${who} → ${code(s.called)} on ${on} ended ${when(s.ended?.at)}${dur} · ${s.ended?.outcome === 'answered' ? 'answered' : 'not answered'}`;
    }
  }
}

/** How long the call has been in its state: "5 minutes ago" in each reader's client. */
export function sinceWords(s: CallSnapshot): string {
  return s.since ? ` (${slackDate(s.since, '{ago}')})` : '';
}

const MODE_EMOJI: Record<NonNullable<LegSnapshot['mode']>, string> = {
  whisper: ':speaking_head_in_silhouette:',
  listen: ':ear:',
  barge: ':loudspeaker:',
};
const LEG_EMOJI: Record<LegSnapshot['state'], string> = {
  ringing: ':bell:',
  'on call': ':large_green_circle:',
  'on hold': ':double_vertical_bar:',
  parked: ':parking:',
};

/**
 * One leg of a call: what it is and who is on it. A supervisor leg says so
 * ("Whisper from `0003*024` to `0003*210`, private"); an agent's
 * leg says whom they talk with and what the leg is doing.
 */
export function legWords(leg: LegSnapshot): string {
  const v = leg.view;
  const who = code(v.source[0] ?? '?');
  const agent = code(v.extension ?? '?');
  const shownAs = v.callerId ? `\nCaller ID ${code(v.callerId)}` : '';
  if (leg.mode === 'whisper') {
    const priv = leg.text.endsWith('(private)') ? ' · private: the supervisor does not hear the call' : '';
    return `${MODE_EMOJI.whisper} *Whisper* from ${who} to ${agent}, the customer does not hear it${priv}${shownAs}`;
  }
  if (leg.mode === 'listen') return `${MODE_EMOJI.listen} *Listening in* ${who} hears ${agent} and the customer, unheard${shownAs}`;
  if (leg.mode === 'barge') return `${MODE_EMOJI.barge} *Barged in* ${who} joined the conversation with ${agent}, heard by both parties${shownAs}`;
  const all = [...v.source, ...v.destination];
  const other = all.find((n) => n !== v.extension) ?? all[0] ?? '?';
  const lines = [`${LEG_EMOJI[leg.state]} Agent ${agent} with ${code(other)} · ${leg.state}`];
  if (v.callerId) lines.push(`Caller ID ${code(v.callerId)}`);
  if (v.onHold !== undefined) lines.push(`On hold since ${slackDate(v.onHold)}${v.holder === 1 ? ' · held by this side' : ''}`);
  else if (v.holder === 1) lines.push('Held by this side');
  if (v.parked !== undefined) {
    const pos = v.parkedPos !== undefined ? ` at position ${v.parkedPos}` : '';
    lines.push(`Parked since ${slackDate(v.parked)}${pos}${v.parkedBy ? ` by ${code(v.parkedBy)}` : ''}`);
  }
  if (v.recording !== undefined) lines.push(`:red_circle: Recording since ${slackDate(v.recording)}`);
  return lines.join('\n');
}
