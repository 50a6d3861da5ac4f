/**
 * A command that cannot run as typed: one clear line (what is wrong, what is
 * allowed, an example), with commands written for the surface that shows it.
 */
import { CallopsError } from '../errors.js';

export class CommandError extends CallopsError {
  readonly code: string = 'invalid_command';
  constructor(
    /** What is wrong and what is allowed. */
    readonly problem: string,
    readonly usage?: string,
    readonly example?: string,
  ) {
    // One line, whatever the echoed words held (a quoted word may span lines or carry control characters).
    super(oneLine([problem, usage && `Usage: \`${usage}\``, example && `Example: \`${example}\``].filter(Boolean).join(' ')));
    this.name = 'CommandError';
  }

  /** The message, with commands in the usage and example written for a surface (`/call ` in Slack). */
  sentenceFor(prefix: string): string {
    const usage = this.usage && `Usage: \`${prefix}${this.usage}\``;
    const example = this.example && `Example: \`${prefix}${this.example}\``;
    return [this.problem, usage, example].filter(Boolean).join(' ');
  }

  get sentence(): string {
    return this.message;
  }
}

/** Control characters and line breaks become spaces, so a message stays one plain line. */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}
