/**
 * The one error base of callops: every failure a person may be told about has
 * a stable `code` (for logs, metrics and tests) and a `sentence` (what to show a
 * person: what happened, what to do). Surfaces (Slack, console) choose how to
 * show the sentence; anything that is not a CallopsError is a bug, logged and
 * shown as one generic line.
 */
export abstract class CallopsError extends Error {
  /** Stable, machine-readable: `pc_phonecall_invalid`, `invalid_command`, `not_allowed`, ... */
  abstract readonly code: string;
  /** What to show a person. */
  abstract readonly sentence: string;
}

/** A plain CallopsError with a code and a sentence. */
export class Refusal extends CallopsError {
  constructor(
    readonly code: string,
    readonly sentence: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${sentence}`, options);
    this.name = 'Refusal';
  }
}

/** The acting user may not run this action (callops' own role check, before VoipNow is asked). */
export class NotAllowed extends Refusal {
  constructor(sentence: string) {
    super('not_allowed', sentence);
    this.name = 'NotAllowed';
  }
}

export const UNEXPECTED_SENTENCE = 'Something went wrong inside callops; the error was logged for your administrator. Refresh the call to see its current state.';

/** The sentence for any failure; anything that is not a CallopsError is logged as a bug. */
export function sentenceOf(err: unknown, log?: (err: unknown) => void): string {
  if (err instanceof CallopsError) return err.sentence;
  log?.(err);
  return UNEXPECTED_SENTENCE;
}
