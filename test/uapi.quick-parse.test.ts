/**
 * The compiled readers give exactly what zod gives: the same values, the same keys in
 * the same order, for every shape the schemas accept (numbers as strings, both
 * spellings of onHold and callerId, link and links, lists, bare resources), and they
 * leave to zod (which then reports its issues) whatever the schemas refuse.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { quickParse, quickReader } from '../src/uapi/quick-parse.js';
import { actionAcceptedSchema, phoneCallActionSchema, phoneCallListSchema, phoneCallSchema } from '../src/uapi/schemas.js';

const view = {
  id: '01',
  extension: '0003*210',
  status: '5',
  callerId: 'John Doe <3333>',
  source: ['0003*210'],
  destination: ['0003*024'],
  flow: 2,
  onHold: '2026-12-03T19:18:41+00:00',
  holder: 1,
};
const call = {
  id: 'b817d2618fe6f1804333',
  extension: '0003*210',
  ownerId: 3,
  published: '2026-12-03T19:13:41+00:00',
  phoneCallView: [view],
  link: { self: 'https://pbx/uapi/x' },
  extra: { kept: true },
};

const accepted: Array<[string, z.ZodTypeAny, unknown]> = [
  ['a list in entry', phoneCallListSchema, { entry: [call, { ...call, id: 7 }] }],
  ['one call in entry', phoneCallListSchema, { entry: call }],
  ['a bare array', phoneCallListSchema, [call]],
  ['a bare call', phoneCallListSchema, call],
  ['an empty envelope', phoneCallListSchema, { total: 0 }],
  [
    'the seeds spellings',
    phoneCallSchema,
    { id: 5, phoneCallView: [{ id: 2, onhold: 'x', callerID: 'A <1>', source: '0003*210', destination: 42, parkedPos: '3' }], links: { self: 's', other: 1 } },
  ],
  ['a view without lists', phoneCallSchema, { id: 'c', phoneCallView: [{ id: '01' }] }],
  ['the short answer', actionAcceptedSchema, { id: 'c', extension: '0003*210', link: { self: 'https://pbx//uapi/x' } }],
  ['an action body', phoneCallActionSchema, { action: 'Whisper', sendCallTo: '0003*024', private: 0, waitForPickup: 20, phoneCallViewId: '01' }],
];

const refused: Array<[string, z.ZodTypeAny, unknown]> = [
  ['a status that is not a number', phoneCallSchema, { id: 'c', phoneCallView: [{ id: '01', status: 'five' }] }],
  ['a call without id', phoneCallSchema, { phoneCallView: [] }],
  ['null where a string goes', phoneCallSchema, { id: 'c', extension: null }],
  ['an entry that is no list of calls', phoneCallListSchema, { entry: [{ id: {} }] }],
  ['an unknown action', phoneCallActionSchema, { action: 'Explode', phoneCallViewId: '01' }],
  ['a view id the rules refuse', phoneCallActionSchema, { action: 'OnHold', phoneCallViewId: 'not a view' }],
];

describe('compiled readers', () => {
  it.each(accepted)('%s: read without zod, the same value and key order as zod', (_name, schema, value) => {
    const zod = schema.safeParse(value);
    expect(zod.success).toBe(true);
    const quick = quickReader(schema)!(value);
    expect(quick.ok).toBe(true);
    const read = (quick as { value: unknown }).value;
    expect(read).toStrictEqual(zod.data);
    expect(JSON.stringify(read)).toBe(JSON.stringify(zod.data));
  });

  it.each(refused)('%s: left to zod, whose issues come back', (_name, schema, value) => {
    expect(quickReader(schema)!(value)).toEqual({ ok: false });
    const quick = quickParse(schema, value);
    const zod = schema.safeParse(value);
    expect(quick.success).toBe(false);
    expect(quick.error!.message).toBe(zod.error!.message);
  });

  it('a __proto__ key in an answer is dropped, as zod drops it, and sets no prototype', () => {
    const value = JSON.parse('{"id":"c","__proto__":{"polluted":1}}');
    const read = (quickReader(phoneCallSchema)!(value) as { value: Record<string, unknown> }).value;
    expect(read).toStrictEqual(phoneCallSchema.parse(value));
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect('polluted' in read).toBe(false);
  });
});
