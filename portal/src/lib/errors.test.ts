import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import i18n from '../i18n';
import { describeError, splitApiError } from './errors';

const t = i18n.t.bind(i18n);

describe('describeError', () => {
  it('translates known codes and keeps the server message otherwise', () => {
    expect(describeError(t, new ApiError(401, 'invalid_credentials', 'x'))).toBe("That email and password don't match an account.");
    expect(describeError(t, new ApiError(409, 'conflict', 'The last owner cannot be demoted.'))).toBe('The last owner cannot be demoted.');
    expect(describeError(t, new ApiError(429, 'rate_limited', 'x', {}, 30))).toBe('Too many attempts. Try again in 30 seconds.');
    expect(describeError(t, new Error('boom'))).toBe('Something went wrong. Please try again.');
  });
});

describe('splitApiError', () => {
  it('keeps known fields inline and the rest at form level', () => {
    const e = new ApiError(422, 'validation_failed', 'Invalid.', { name: 'Too long.', other: 'Odd.' });
    expect(splitApiError(t, e, ['name'])).toEqual({ form: 'Odd.', fields: { name: 'Too long.' } });
    expect(splitApiError(t, new ApiError(422, 'validation_failed', 'Invalid.', { name: 'Too long.' }), ['name'])).toEqual({
      form: 'Please correct the highlighted fields.',
      fields: { name: 'Too long.' },
    });
  });

  it('pins whole codes to a field', () => {
    expect(splitApiError(t, new ApiError(409, 'tag_exists', 'x'), ['name'], { tag_exists: 'name' })).toEqual({
      form: null,
      fields: { name: 'A tag with this name already exists.' },
    });
  });
});
