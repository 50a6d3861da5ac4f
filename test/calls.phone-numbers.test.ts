/**
 * Finding the numbers to call in a message ("Call this number"): the forms people write,
 * Slack's tel: link markup, PBX extensions; and what is not a number to call.
 */
import { describe, expect, it } from 'vitest';
import { findPhoneNumbers, MAX_NUMBERS } from '../src/calls/phone-numbers.js';

const numbers = (text: string) => findPhoneNumbers(text).map((f) => f.number);

describe('findPhoneNumbers', () => {
  it('reads international and national forms as Create PhoneCalls takes them', () => {
    expect(numbers('call +1 (555) 012-3456 please')).toEqual(['+15550123456']);
    expect(numbers('UK office +44 20 7946 0958, US (555) 012-3456 or 555.012.3456')).toEqual(['+442079460958', '5550123456']);
    expect(findPhoneNumbers('call +1 (555) 012-3456')[0]).toEqual({ number: '+15550123456', written: '+1 (555) 012-3456' });
  });

  it("reads Slack's tel: links and extensions", () => {
    expect(findPhoneNumbers('ring <tel:+15550123456|+1 555 012 3456> now')).toEqual([{ number: '+15550123456', written: '+1 555 012 3456' }]);
    expect(numbers('transfer to 0003*024 or 0003*210')).toEqual(['0003*024', '0003*210']);
  });

  it('leaves alone what is not a number to call', () => {
    expect(numbers('meet at 10:30 on 2026-12-02 or 02.12.2026, costs $1,200, ticket #4521')).toEqual([]);
    expect(numbers('see <https://example.com/5550123456|the page> and <@U0123456789>')).toEqual([]);
    expect(numbers('order id abc5550123456def, 1234567890123456789')).toEqual([]);
  });

  it('offers each number once, at most ten', () => {
    expect(numbers('555-012-3456 and again (555) 012-3456')).toEqual(['5550123456']);
    const many = Array.from({ length: 15 }, (_, i) => `+1 555 010 ${String(1000 + i)}`).join(', ');
    expect(numbers(many)).toHaveLength(MAX_NUMBERS);
  });
});
