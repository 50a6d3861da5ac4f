/**
 * Text from outside callops (caller names and numbers, extension labels, PBX
 * error text, user input echoed back) reaches a Slack string only through
 * here. `SlackText` is text already safe for a message's `text` or a mrkdwn
 * field: Slack's three control characters `&`, `<`, `>` escaped, so a caller
 * named `<!channel>` pings nobody and `<https://x|y>` links nowhere.
 * plain_text fields show characters as they are and need no escaping.
 * block_id, action_id and value are built from callops' own ids only.
 */
import { escapeMrkdwn } from '../blocks/mrkdwn.js';

declare const safe: unique symbol;

/** Text safe for a Slack `text` or mrkdwn field. */
export type SlackText = string & { readonly [safe]: true };

/** Untrusted text for a `text` or mrkdwn field: `&`, `<`, `>` escaped. */
export function mrkdwn(untrusted: string): SlackText {
  return escapeMrkdwn(untrusted) as SlackText;
}

/** Untrusted text for a plain_text field: shown as is, nothing to escape. */
export function plain(untrusted: string): string {
  return untrusted;
}

/** Text callops wrote itself, mrkdwn meant as such (mentions it made, formatting). */
export function ours(text: string): SlackText {
  return text as SlackText;
}
