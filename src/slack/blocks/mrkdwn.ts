/**
 * Slack's mrkdwn: escaping, verbatim values, and date tokens that every
 * reader's client shows in their own time zone.
 */

/** Escape text for mrkdwn: Slack's three control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A value shown verbatim (extension, number, caller id): inside a code span, so
 * the `*` of `0003*210` never turns into bold and `<3333>` never into a link.
 */
export function code(text: string): string {
  return `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
}

/**
 * Slack's date formatting, `<!date^UNIX^format|fallback>`, with the original
 * text as fallback; `fallback` when the time cannot be read.
 */
export function slackDate(iso: string | undefined, format = '{date_short_pretty} {time_secs}', fallback?: string): string {
  const t = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(t)) return fallback ?? escapeMrkdwn(iso ?? '');
  return `<!date^${Math.floor(t / 1000)}^${format}|${escapeMrkdwn(iso!)}>`;
}

/** A time given in milliseconds as a Slack date token (the ISO time as fallback). */
export function slackTime(ms: number, format = '{time_secs}'): string {
  return `<!date^${Math.floor(ms / 1000)}^${format}|${new Date(ms).toISOString()}>`;
}
