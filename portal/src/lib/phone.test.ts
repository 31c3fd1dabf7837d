import { describe, expect, it } from 'vitest';
import { formatPhone, phoneDigits } from './phone';

describe('phone numbers', () => {
  it('formats WhatsApp ids with their country code', () => {
    expect(formatPhone('34600111222')).toBe('+34 600 111 222');
    expect(formatPhone('15550000000')).toBe('+1 555 000 0000');
    expect(formatPhone('5215512345678')).toBe('+52 155 1234 5678');
    expect(formatPhone('447700900123')).toBe('+44 770 090 0123');
    expect(formatPhone('351912345678')).toBe('+351 912 345 678');
    expect(formatPhone('')).toBe('');
    expect(formatPhone('sandbox-1')).toBe('sandbox-1');
  });

  it('reads what people type', () => {
    expect(phoneDigits('+34 600 111 222')).toBe('34600111222');
    expect(phoneDigits('(555) 000-0000 1')).toBe('55500000001');
    expect(phoneDigits('1234')).toBeNull();
    expect(phoneDigits('+34 600 abc')).toBeNull();
  });
});
