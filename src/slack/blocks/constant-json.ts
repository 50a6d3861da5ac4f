/**
 * Messages built once and never changed (the help, for instance): `constant` freezes one all
 * the way down and keeps its JSON, and `jsonOf` gives that JSON back instead of serializing
 * the message again on every request it answers. Anything else is serialized as usual.
 */
const kept = new WeakMap<object, string>();

function freeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) freeze(v);
}

/** The message, frozen all the way down, with its JSON kept. */
export function constant<T extends object>(message: T): T {
  freeze(message);
  kept.set(message, JSON.stringify(message));
  return message;
}

/** The JSON of a value: kept for a constant message, serialized for anything else. */
export function jsonOf(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const json = kept.get(value);
    if (json !== undefined) return json;
  }
  return JSON.stringify(value);
}
