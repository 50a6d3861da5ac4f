/**
 * What a card's button carries (`{"call","extension","view","version"}`), read
 * back from a press and checked again with the seeds' rules: a button value is
 * input like any other. Cards posted before the keys were readable
 * (`{"c","e","v"}`) or before cards had versions still work (version 0).
 */
import { z } from 'zod';
import type { CardTarget } from '../blocks/ids.js';
import { rules } from '../../uapi/rules.js';

const version = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional();
const current = z.object({ call: z.string(), extension: z.string(), view: z.string().optional(), version });
const legacy = z.object({ c: z.string(), e: z.string(), v: z.string().optional() });

/** JSON from a button value or private_metadata; anything malformed is undefined. */
export function safeJson(s: unknown): unknown {
  if (typeof s !== 'string') return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** The target of a button, or undefined when the value is malformed or fails the rules. */
export function readCardTarget(value: unknown): CardTarget | undefined {
  const json = safeJson(value);
  const now = current.safeParse(json);
  const old = now.success ? undefined : legacy.safeParse(json);
  const raw = now.success ? now.data : old?.success ? { call: old.data.c, extension: old.data.e, view: old.data.v, version: undefined } : undefined;
  if (!raw) return undefined;
  try {
    return {
      call: rules.phoneCallId(raw.call),
      extension: rules.extension(raw.extension, { allowSelf: true }),
      ...(raw.view !== undefined && { view: rules.phoneCallViewId(raw.view) }),
      ...(raw.version !== undefined && { version: raw.version }),
    };
  } catch {
    return undefined;
  }
}
