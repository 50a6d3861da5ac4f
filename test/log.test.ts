import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { redact } from '../src/uapi/errors.js';

describe('tokens never reach a log line', () => {
  it('redacts bearer headers, form fields and JSON token fields', () => {
    expect(redact('Authorization: Bearer abc.def-123')).toBe('Authorization: Bearer [redacted]');
    expect(redact('grant_type=refresh_token&refresh_token=r3fr3sh&client_secret=s3cr3t')).toBe('grant_type=refresh_token&refresh_token=[redacted]&client_secret=[redacted]');
    expect(redact('{"access_token":"a1","expires_in":3600}')).toBe('{"access_token":"[redacted]","expires_in":3600}');
  });

  it('the logger redacts messages and metadata, and honours its level', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => void lines.push(l));
    log.debug('hidden Bearer x');
    log.warn('refresh failed for Bearer tok123', { body: 'refresh_token=tok456', error: new Error('access_token=tok789') });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/WARN refresh failed for Bearer \[redacted\]/);
    for (const secret of ['tok123', 'tok456', 'tok789']) expect(lines[0]).not.toContain(secret);
  });
});
