import { describe, expect, it } from 'vitest';
import { CommandError, normalizeText, parseCommand, tokenize } from '../src/calls/command.js';
import { CALL_ACTIONS } from '../src/calls/actions.js';
import { helpFor } from '../src/calls/help.js';

const CALL = 'b817d2618fe6f1804333';

function fails(text: string): CommandError {
  try {
    parseCommand(text);
  } catch (err) {
    expect(err).toBeInstanceOf(CommandError);
    return err as CommandError;
  }
  throw new Error(`expected "${text}" to be rejected`);
}

describe('tokenize', () => {
  it('groups quoted words and keeps apostrophes inside words', () => {
    expect(tokenize(`unpark 0003*210 as "John O'Brien <42420042>" wait 20`)).toEqual(['unpark', '0003*210', 'as', "John O'Brien <42420042>", 'wait', '20']);
  });
  it('unwraps Slack links but keeps caller-id brackets', () => {
    expect(normalizeText('transfer 210 x to <tel:+15551234567|+1 555 123 4567> as "A <+1*2>"')).toBe('transfer 210 x to +15551234567 as "A <+1*2>"');
    expect(normalizeText('events add 210 0 url <https://crm.example.com/h?a=1|crm.example.com/h>')).toBe('events add 210 0 url https://crm.example.com/h?a=1');
  });

  it('undoes Slack em dashes, curly quotes and non-breaking spaces', () => {
    expect(normalizeText('whisper\u00a0x \u2014to 1 \u201cA <1>\u201d')).toBe('whisper x --to 1 "A <1>"');
    expect(tokenize('note=\u201chello world\u201d')).toEqual(['note=hello world']);
  });
});

describe('parseCommand: call actions', () => {
  it('reads the seed OnHold request as a command', () => {
    expect(parseCommand(`hold 0003*210 ${CALL}`)).toEqual({
      kind: 'action',
      action: 'hold',
      extension: '0003*210',
      phoneCallId: CALL,
      params: {},
    });
  });

  it('reads resume with an explicit view, in three spellings', () => {
    const want = { kind: 'action', action: 'resume', extension: '0003*210', phoneCallId: CALL, viewId: '01', params: {} };
    expect(parseCommand(`resume 0003*210 ${CALL} view 01`)).toEqual(want);
    expect(parseCommand(`offhold 0003*210 ${CALL} --view 01`)).toEqual(want);
    expect(parseCommand(`resume 0003*210 ${CALL} view=01`)).toEqual(want);
  });

  it('reads the seed UnPark request: target, caller id, wait, view', () => {
    expect(parseCommand(`unpark 0003*210 ${CALL} to 0003*024 as "John Doe <42420042>" wait 20 view 01`)).toEqual({
      kind: 'action',
      action: 'unpark',
      extension: '0003*210',
      phoneCallId: CALL,
      viewId: '01',
      params: { to: '0003*024', callerId: 'John Doe <42420042>', wait: 20 },
    });
  });

  it('reads the seed Whisper request, with private as a flag or a value, em dash options and curly quotes', () => {
    const cmd = parseCommand(`whisper 0003*210 ${CALL} \u2014to 0003*024 private \u2014as \u201cWhisper To Me <42420042>\u201d wait=20`);
    expect(cmd).toMatchObject({ action: 'whisper', params: { to: '0003*024', private: 1, callerId: 'Whisper To Me <42420042>', wait: 20 } });
    expect(parseCommand(`whisper 0003*210 ${CALL} to 0003*024 private 0`)).toMatchObject({ params: { private: 0 } });
  });

  it('reads park time, transfer to a public number, listen, barge and hang up aliases', () => {
    expect(parseCommand(`park 0003*210 ${CALL} for 300`)).toMatchObject({ action: 'park', params: { parkFor: 300 } });
    expect(parseCommand(`transfer 0003*210 ${CALL} to +15551234567`)).toMatchObject({ params: { to: '+15551234567' } });
    expect(parseCommand(`monitor 0003*210 ${CALL} to 0003*024`)).toMatchObject({ action: 'listen' });
    expect(parseCommand(`barge-in 0003*210 ${CALL} to 0003*024`)).toMatchObject({ action: 'barge' });
    expect(parseCommand(`HANG-UP 0003*210 ${CALL}`)).toMatchObject({ action: 'hangup' });
  });

  it("takes a lone call id as a call on any of the user's extensions (@self)", () => {
    expect(parseCommand(`hold ${CALL}`)).toMatchObject({ extension: '@self', phoneCallId: CALL });
  });

  it('leaves the call id out when not given, for the executor to pick', () => {
    const cmd = parseCommand('hold 210');
    expect(cmd).toEqual({ kind: 'action', action: 'hold', extension: '210', params: {} });
  });

  it('has a usage line and a parseable example for every action in the table', () => {
    for (const a of CALL_ACTIONS) {
      expect(parseCommand(a.example)).toMatchObject(a.name === 'dial' ? { kind: 'dial' } : { kind: 'action', action: a.name });
      expect(helpFor(a.name)).toContain(a.example);
    }
  });
});

describe('parseCommand: bad input gets one clear line naming the argument', () => {
  it.each([
    ['hold', /Which extension\?.*Usage: `hold <extension>/],
    ['hold 0003*21x', /`0003\*21x` is not an extension number.*Example: `hold 0003\*210/],
    [`unpark 0003*210 ${CALL}`, /needs a target: add `to <extension>`/],
    [`unpark 0003*210 ${CALL} to 0003*024 wait 0`, /`0` is not a wait time: use whole seconds above 0/],
    [`unpark 0003*210 ${CALL} to 0003*024 wait soon`, /`soon` is not a wait time/],
    [`unpark 0003*210 ${CALL} to 0003*024 as "John Doe 42420042"`, /is not a caller ID: write a name, then the number in angle brackets/],
    [`whisper 0003*210 ${CALL} to 0003*024 private=2`, /`2` is not allowed for private: use 0 or 1/],
    [`whisper 0003*210 ${CALL} to bob`, /`bob` is not a valid target: use a phone terminal extension/],
    [`hold 0003*210 ${CALL} to 0003*024`, /`to` is not an option here/],
    [`hold 0003*210 ${CALL} extra`, /Too many words: `extra`/],
    [`park 0003*210 ${CALL} for 5`, /`5` is not a parking time: use 10 to 3600 seconds/],
    [`hold 0003*210 ${CALL} view`, /`view` needs a value/],
    [`hold 0003*210 ${CALL} view 01 view 02`, /`view` is given twice/],
    ['frobnicate 0003*210', /`frobnicate` is not a command\. Commands: help, list, hold/],
  ])('%s', (text, message) => {
    expect(fails(text).message).toMatch(message);
  });
});

describe('parseCommand: events', () => {
  it('reads the seed Update PhoneCallEvents request', () => {
    expect(parseCommand('events update 0003*210 0 NqeyDRqo4FtabmFj8gNWq3hsiGNYyq method post note "I want to use POST for my event"')).toEqual({
      kind: 'events-update',
      extension: '0003*210',
      eventType: 0,
      eventId: 'NqeyDRqo4FtabmFj8gNWq3hsiGNYyq',
      changes: { method: 1, note: 'I want to use POST for my event' },
    });
  });

  it('reads an update without changes (Slack opens the edit modal for it)', () => {
    expect(parseCommand('events update 0003*210 0 NqeyDRqo4FtabmFj8gNWq3hsiGNYyq')).toMatchObject({ kind: 'events-update', changes: {} });
  });

  it('reads add with named types, Slack-wrapped URLs and status words; list and delete', () => {
    expect(parseCommand('events add 0003*210 hangup url <https://crm.example.com/hook> method get status disabled')).toEqual({
      kind: 'events-add',
      extension: '0003*210',
      eventType: 2,
      url: 'https://crm.example.com/hook',
      method: 0,
      status: 0,
    });
    expect(parseCommand('events list 0003*210')).toEqual({ kind: 'events-list', extension: '0003*210' });
    expect(parseCommand('events delete 0003*210 1')).toEqual({ kind: 'events-delete', extension: '0003*210', eventType: 1 });
  });

  it.each([
    ['events', /`events` needs list, add, update or delete/],
    ['events update 0003*210 9 abc method post', /`9` is not an event type: use 0 \(dial-in\)/],
    ['events update 0003*210 0 abc method put', /`put` is not an event method: use GET or POST/],
    ['events add 0003*210 0 url ftp://x', /`ftp:\/\/x` is not a web address/],
    ['events add 0003*210 0', /needs `url <address>`/],
    ['events update 0003*210 0 abc status maybe', /`maybe` is not an event status: use enabled or disabled/],
    ['events list @self', /`@self` is not an extension number/],
    [`events update 0003*210 0 abc note "${'x'.repeat(1025)}"`, /1025 characters; at most 1024/],
  ])('%s', (text, message) => {
    expect(fails(text).message).toMatch(message);
  });
});

describe('parseCommand: other commands', () => {
  it('reads help, list, show, link', () => {
    expect(parseCommand('')).toEqual({ kind: 'help' });
    expect(parseCommand('help whisper')).toEqual({ kind: 'help', topic: 'whisper' });
    expect(parseCommand('list')).toEqual({ kind: 'list', extension: '@self' });
    expect(parseCommand('list 0003*024')).toEqual({ kind: 'list', extension: '0003*024' });
    expect(parseCommand(`list 0003*210 ${CALL}`)).toEqual({ kind: 'show', extension: '0003*210', phoneCallId: CALL });
    expect(parseCommand(`post 0003*210 ${CALL}`)).toEqual({ kind: 'show', extension: '0003*210', phoneCallId: CALL, share: true });
    expect(() => parseCommand('post 0003*210')).toThrow(/needs the extension and the call id/);
    expect(parseCommand('link')).toEqual({ kind: 'link' });
    expect(parseCommand('link 0003*210')).toEqual({ kind: 'link', extension: '0003*210' });
  });
});

describe('parseCommand: the supervisor board', () => {
  it('reads watch (several extensions, @self, duplicates once), unwatch (all) and watching', () => {
    expect(parseCommand('watch 0003*210 0003*300 0003*210')).toEqual({ kind: 'watch', extensions: ['0003*210', '0003*300'] });
    expect(parseCommand('watch @self')).toEqual({ kind: 'watch', extensions: ['@self'] });
    expect(parseCommand('unwatch all')).toEqual({ kind: 'unwatch', extensions: 'all' });
    expect(parseCommand('unwatch 0003*210')).toEqual({ kind: 'unwatch', extensions: ['0003*210'] });
    expect(parseCommand('watching')).toEqual({ kind: 'watching' });
  });

  it('refuses bad board input with what is wrong, what is allowed and an example', () => {
    expect(() => parseCommand('watch')).toThrow(/`watch` needs at least one extension\. Usage: `watch <extension or queue>\.\.\. \(or @self\)` Example: `watch 0003\*210 0003\*300`/);
    expect(() => parseCommand('watch 0003*210 lunch!')).toThrow(/lunch!.*Usage: `watch/);
    expect(() => parseCommand('unwatch @self')).toThrow(/Usage: `unwatch <extension>\.\.\.\|all`/);
    expect(() => parseCommand('watching 0003*210')).toThrow(/Too many words/);
  });
});
