/**
 * The adapter's zod schemas, read without zod's per-value bookkeeping on the way
 * every answer takes. zod builds a context, a path and a status object for each
 * value it checks; on a PhoneCall list that was most of the adapter's own CPU per
 * request. `quickParse` walks a reader compiled once from the schema itself (no
 * second description of any resource) and gives exactly what `safeParse` gives
 * when every value is as the schema expects. Anything else (a failed check, a
 * schema part the compiler does not know) goes to `schema.safeParse`, so failures
 * keep zod's issues and an unknown construct only costs the speed.
 */
import { z } from 'zod';

/** A compiled reader: the parsed value, or FAILED to let zod decide. */
type Reader = (value: unknown) => unknown;

const FAILED: unique symbol = Symbol('not read');
const NOT_COMPILED = Symbol('not compiled');

const compiled = new WeakMap<z.ZodTypeAny, Reader | typeof NOT_COMPILED>();

/** `schema.safeParse(value)`, through the compiled reader when it can read the value. */
export function quickParse<S extends z.ZodTypeAny>(schema: S, value: unknown): z.SafeParseReturnType<z.input<S>, z.output<S>> {
  const read = readerOf(schema);
  if (read) {
    try {
      const out = read(value);
      if (out !== FAILED) return { success: true, data: out as z.output<S> };
    } catch {
      // a transform threw: zod decides (and throws the same)
    }
  }
  return schema.safeParse(value);
}

/** The compiled reader of a schema (undefined when it uses a construct the compiler does not know); tests compare it with zod. */
export function quickReader(schema: z.ZodTypeAny): ((value: unknown) => { ok: true; value: unknown } | { ok: false }) | undefined {
  const read = readerOf(schema);
  if (!read) return undefined;
  return (value) => {
    const out = read(value);
    return out === FAILED ? { ok: false } : { ok: true, value: out };
  };
}

function readerOf(schema: z.ZodTypeAny): Reader | undefined {
  const known = compiled.get(schema);
  if (known !== undefined) return known === NOT_COMPILED ? undefined : known;
  const read = compile(schema);
  compiled.set(schema, read ?? NOT_COMPILED);
  return read;
}

/** zod's idea of an object: not null, not an array, a promise, a Map, a Set or a Date; here also only plain ones. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function compile(schema: z.ZodTypeAny): Reader | undefined {
  if (schema instanceof z.ZodString) return compileString(schema);
  if (schema instanceof z.ZodNumber) {
    if (schema._def.checks.length > 0 || schema._def.coerce) return undefined;
    return (v) => (typeof v === 'number' && !Number.isNaN(v) ? v : FAILED);
  }
  if (schema instanceof z.ZodBoolean) return schema._def.coerce ? undefined : (v) => (typeof v === 'boolean' ? v : FAILED);
  if (schema instanceof z.ZodLiteral) {
    const literal = schema._def.value;
    return (v) => (v === literal ? v : FAILED);
  }
  if (schema instanceof z.ZodUndefined) return (v) => (v === undefined ? v : FAILED);
  if (schema instanceof z.ZodAny || schema instanceof z.ZodUnknown) return (v) => v;
  if (schema instanceof z.ZodOptional) {
    const inner = readerOf(schema._def.innerType);
    return inner && ((v) => (v === undefined ? v : inner(v)));
  }
  if (schema instanceof z.ZodArray) return compileArray(schema);
  if (schema instanceof z.ZodObject) return compileObject(schema);
  if (schema instanceof z.ZodUnion) return compileUnion(schema._def.options as z.ZodTypeAny[]);
  if (schema instanceof z.ZodDiscriminatedUnion) return compileDiscriminated(schema);
  if (schema instanceof z.ZodEffects) return compileTransform(schema);
  return undefined;
}

function compileString(schema: z.ZodString): Reader | undefined {
  if (schema._def.coerce) return undefined;
  const patterns: RegExp[] = [];
  for (const check of schema._def.checks) {
    if (check.kind !== 'regex') return undefined;
    patterns.push(check.regex);
  }
  if (patterns.length === 0) return (v) => (typeof v === 'string' ? v : FAILED);
  return (v) => {
    if (typeof v !== 'string') return FAILED;
    for (const re of patterns) {
      re.lastIndex = 0;
      if (!re.test(v)) return FAILED;
    }
    return v;
  };
}

function compileArray(schema: z.ZodArray<z.ZodTypeAny>): Reader | undefined {
  const def = schema._def;
  if (def.exactLength !== null || def.minLength !== null || def.maxLength !== null) return undefined;
  const item = readerOf(def.type);
  if (!item) return undefined;
  return (v) => {
    if (!Array.isArray(v)) return FAILED;
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = item(v[i]);
      if (x === FAILED) return FAILED;
      out[i] = x;
    }
    return out;
  };
}

/** Known keys in the shape's order, then (passthrough) the others in the value's order, as zod merges them. */
function compileObject(schema: z.AnyZodObject): Reader | undefined {
  const def = schema._def;
  if (!(def.catchall instanceof z.ZodNever) || (def.unknownKeys !== 'passthrough' && def.unknownKeys !== 'strip')) return undefined;
  const shape = schema.shape as Record<string, z.ZodTypeAny>;
  const keys = Object.keys(shape);
  const readers: Reader[] = [];
  for (const key of keys) {
    const r = readerOf(shape[key]!);
    if (!r) return undefined;
    readers.push(r);
  }
  const known = new Set(keys);
  const passthrough = def.unknownKeys === 'passthrough';
  return (v) => {
    if (!isPlainObject(v)) return FAILED;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const x = readers[i]!(v[key]);
      if (x === FAILED) return FAILED;
      if (key !== '__proto__' && (x !== undefined || key in v)) out[key] = x;
    }
    if (passthrough) {
      for (const key in v) {
        if (known.has(key) || key === '__proto__') continue;
        const x = v[key];
        if (x !== undefined) out[key] = x;
      }
    }
    return out;
  };
}

/** The first option that reads the value wins, as in zod. */
function compileUnion(options: z.ZodTypeAny[]): Reader | undefined {
  const readers: Reader[] = [];
  for (const o of options) {
    const r = readerOf(o);
    if (!r) return undefined;
    readers.push(r);
  }
  return (v) => {
    for (const r of readers) {
      const x = r(v);
      if (x !== FAILED) return x;
    }
    return FAILED;
  };
}

function compileDiscriminated(schema: z.ZodDiscriminatedUnion<string, z.AnyZodObject[]>): Reader | undefined {
  const byValue = new Map<unknown, Reader>();
  for (const [value, option] of schema.optionsMap) {
    const r = readerOf(option);
    if (!r) return undefined;
    byValue.set(value, r);
  }
  const key = schema.discriminator;
  return (v) => {
    if (!isPlainObject(v)) return FAILED;
    const r = byValue.get(v[key]);
    return r ? r(v) : FAILED;
  };
}

/** A transform runs on the inner value as zod runs it; an issue it adds sends the value to zod. */
function compileTransform(schema: z.ZodEffects<z.ZodTypeAny>): Reader | undefined {
  const effect = schema._def.effect;
  if (effect.type !== 'transform') return undefined;
  const inner = readerOf(schema._def.schema);
  if (!inner) return undefined;
  const transform = effect.transform as (value: unknown, ctx: z.RefinementCtx) => unknown;
  return (v) => {
    const x = inner(v);
    if (x === FAILED) return FAILED;
    const issuesBefore = issues.count;
    const out = transform(x, sharedCtx);
    return issues.count !== issuesBefore || out === z.NEVER ? FAILED : out;
  };
}

/** One context for every transform: an added issue is only counted (the value then goes to zod). */
const issues = { count: 0 };
const sharedCtx: z.RefinementCtx = {
  addIssue: () => {
    issues.count++;
  },
  path: [],
};
