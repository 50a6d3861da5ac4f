/**
 * Remove anything that looks like a credential from text that may be logged:
 * bearer headers, form fields and JSON token fields. Its own module so that the
 * logger and the VoipNow adapter both use it without one depending on the other.
 */
export function redact(text: string): string {
  return text
    .replace(/(Bearer\s+)[^\s"',]+/gi, '$1[redacted]')
    .replace(/((?:access_token|refresh_token|client_secret|code|token)=)[^&\s"']+/gi, '$1[redacted]')
    .replace(/("(?:access_token|refresh_token|client_secret)"\s*:\s*")[^"]*/gi, '$1[redacted]');
}
