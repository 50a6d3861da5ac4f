/**
 * Seeded fuzz test of the command parser: whatever anyone types, parseCommand
 * returns a Command or throws a CommandError with one plain line, and no input
 * takes disproportionately long (a ratio to a short command's time, so the check
 * holds on a slow or busy machine). The seed is fixed, so a failure reproduces;
 * FUZZ_SEED=<n> tries another.
 */
import { describe, expect, it } from 'vitest';
import { CommandError, parseCommand, tokenize } from '../src/calls/command.js';
import { CALL_ACTIONS } from '../src/calls/actions.js';
import { seededRandom } from '../src/sandbox/random.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const RUNS = 10_000;

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'];
const COMMANDS = ['help', 'list', 'ls', 'events', 'event', 'link', 'unlink', 'whoami', ...CALL_ACTIONS.flatMap((a) => [a.name, ...a.aliases])];
const EVENT_OPS = ['list', 'add', 'update', 'delete'];
const OPTIONS = ['to', 'as', 'wait', 'private', 'for', 'view', 'method', 'note', 'url', 'status', 'call', '--to', '-to', 'to=', 'note="', 'callerid='];
const VALUES = [
  '0003*210',
  '210',
  '@self',
  'b817d2618fe6f1804333',
  'NqeyDRqo4FtabmFj8gNWq3hsiGNYyq',
  '0',
  '1',
  '20',
  '3600',
  'post',
  'get',
  'enabled',
  'https://crm.example.com/h',
  'John <+1555>',
  '"a b"',
  "'x y'",
  "O'Brien",
];
const MARKUP = [
  '<http://',
  '<https://x.example|x>',
  '<tel:+15551234567|+1 555>',
  '<tel:',
  '<!channel>',
  '<!here>',
  '<@U123>',
  '<#C1|general>',
  '|',
  '>',
  '<',
  '&amp;',
  '`',
  '```',
  '*bold*',
  '\u2014',
  '\u201c',
  '\u201d',
  '\u2018',
  '\u00a0',
  '\u202f',
];
const ODD = ['\u0000', '\u0007', '\n', '\r\n', '\t', '\u2028', '\u2029', '\ud83d\ude00', '\ud800', '\u200b', '\u202e', '\ufeff', 'é', '\u0301', '日本', '\uffff'];

function generate(next: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const r = next();
  if (r < 0.02) {
    // Huge: 100 KB or more of one repeated piece (markup, quotes, words).
    const piece = pick([...MARKUP, '"', "'", 'a ', "'a ", ...PROTO_KEYS.map((k) => `${k} `)]);
    return pick(['', 'hold ', 'events add 210 0 url ', 'transfer 210 x to ']) + piece.repeat(Math.ceil(100_000 / piece.length));
  }
  if (r < 0.07) {
    // Random code units, control characters and lone surrogates included.
    let s = '';
    const n = Math.floor(next() * 60);
    for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(next() * 0x10000));
    return s;
  }
  const words: string[] = [pick(r < 0.5 ? COMMANDS : [...COMMANDS, ...PROTO_KEYS, ...MARKUP])];
  if (words[0] === 'events' || words[0] === 'event') words.push(pick(next() < 0.7 ? EVENT_OPS : PROTO_KEYS));
  const n = Math.floor(next() * 8);
  for (let i = 0; i < n; i++) {
    const k = next();
    let w = k < 0.35 ? pick(VALUES) : k < 0.55 ? pick(OPTIONS) : k < 0.7 ? pick(PROTO_KEYS) : k < 0.85 ? pick(MARKUP) : pick(ODD);
    if (next() < 0.15) w += pick([...MARKUP, ...ODD]);
    words.push(w);
  }
  return words.join(pick([' ', ' ', ' ', '  ', '\u00a0', '\n', '\t']));
}

type Outcome = { ok: true } | { ok: false; message: string };

function run(text: string): Outcome {
  try {
    const cmd = parseCommand(text);
    expect(typeof cmd.kind).toBe('string');
    return { ok: true };
  } catch (err) {
    if (!(err instanceof CommandError)) throw new Error(`internal error for ${JSON.stringify(text.slice(0, 200))}: ${String(err)}`);
    return { ok: false, message: err.message };
  }
}

/** Best of a few runs (a GC pause or a busy core can slow one run). */
function timeOf(fn: () => void, tries: number): number {
  let best = Infinity;
  for (let i = 0; i < tries; i++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

describe('parser fuzz', () => {
  it(`${RUNS} seeded inputs: a Command or one plain line, never an internal error`, () => {
    const next = seededRandom(SEED);
    let commands = 0;
    let refusals = 0;
    let huge = 0;
    for (let i = 0; i < RUNS; i++) {
      const text = generate(next);
      if (text.length >= 100_000) huge++;
      const out = run(text);
      if (out.ok) {
        commands++;
        continue;
      }
      refusals++;
      expect(out.message.length, JSON.stringify(text.slice(0, 80))).toBeGreaterThan(0);
      expect(out.message, JSON.stringify(text.slice(0, 80))).not.toMatch(/[\r\n\u2028\u2029]/);
      expect(out.message).not.toMatch(/undefined|\[object |TypeError|at .*\.ts:/);
    }
    // The generator reaches both sides and the huge inputs.
    expect(commands).toBeGreaterThan(100);
    expect(refusals).toBeGreaterThan(1000);
    expect(huge).toBeGreaterThan(50);
  });

  it('no input takes much longer than a short command, per character (linear, not quadratic)', () => {
    const short = 'hold 0003*210 b817d2618fe6f1804333 view 3ea1e2a1a3e3b1b2';
    // The per-character time of a short command, from many runs.
    const base =
      timeOf(() => {
        for (let i = 0; i < 200; i++) run(short);
      }, 5) /
      200 /
      short.length;
    const next = seededRandom(SEED + 1);
    const pieces = ['<http://', '<tel:+1|', '<https://a|', '"', "'a ", '\u2014', 'a '];
    const inputs: string[] = [];
    for (let i = 0; i < 200; i++) inputs.push(generate(next));
    // The shapes that were quadratic, at 100 KB, through the parser and the tokenizer alone.
    for (const p of pieces) inputs.push(`hold ${p.repeat(Math.ceil(100_000 / p.length))}`);
    for (const text of inputs) {
      const len = Math.max(text.length, short.length);
      const bound = 10 * base * len + 200 * base * short.length;
      const parse = timeOf(() => run(text), 3);
      expect(parse / bound, `parse of ${text.length} chars starting ${JSON.stringify(text.slice(0, 40))}`).toBeLessThan(1);
      const tok = timeOf(() => tokenize(text), 3);
      expect(tok / bound, `tokenize of ${text.length} chars starting ${JSON.stringify(text.slice(0, 40))}`).toBeLessThan(1);
    }
  });

  it('prototype keys are ordinary unknown words', () => {
    for (const k of PROTO_KEYS) {
      for (const text of [`events ${k} 0003*210`, `${k}`, `hold 0003*210 ${k} 1`, `events add 0003*210 ${k} url https://a.example`, `events list 0003*210 ${k}`]) {
        const out = run(text);
        expect(out.ok, text).toBe(false);
      }
    }
  });

  it('command text over 4,000 characters is refused with a clear line', () => {
    const out = run(`hold 0003*210 ${'x'.repeat(5000)}`);
    expect(out).toEqual({ ok: false, message: expect.stringMatching(/5014 characters long; callops reads at most 4000/) });
  });
});
