import { describe, expect, it } from 'vitest';
import { loginOptions, parseSignupMessage } from './embeddedSignup';

describe('Embedded Signup', () => {
  it('asks Facebook for a code with the documented options', () => {
    expect(loginOptions('cfg-1')).toEqual({
      config_id: 'cfg-1',
      response_type: 'code',
      override_default_response_type: true,
      extras: { setup: {}, featureType: '', sessionInfoVersion: '3' },
    });
  });

  it('reads the finished signup from facebook.com only', () => {
    const data = JSON.stringify({ type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', data: { phone_number_id: '1069', waba_id: '2048' } });
    expect(parseSignupMessage({ origin: 'https://www.facebook.com', data })).toEqual({ type: 'finish', wabaId: '2048', phoneNumberId: '1069' });
    expect(parseSignupMessage({ origin: 'https://web.facebook.com', data: JSON.parse(data) })).toMatchObject({ type: 'finish' });
    expect(parseSignupMessage({ origin: 'https://facebook.com.evil.example', data })).toBeNull();
    expect(parseSignupMessage({ origin: 'http://www.facebook.com', data })).toBeNull();
    expect(parseSignupMessage({ origin: 'https://evilfacebook.com', data })).toBeNull();
  });

  it('understands cancel, error, a signup without a number, and ignores the rest', () => {
    const msg = (event: string, data: Record<string, unknown>) => ({ origin: 'https://www.facebook.com', data: { type: 'WA_EMBEDDED_SIGNUP', event, data } });
    expect(parseSignupMessage(msg('CANCEL', { current_step: 'PHONE_NUMBER_SETUP' }))).toEqual({ type: 'cancel', step: 'PHONE_NUMBER_SETUP' });
    expect(parseSignupMessage(msg('ERROR', { error_message: 'Session expired' }))).toEqual({ type: 'error', message: 'Session expired' });
    expect(parseSignupMessage(msg('FINISH_ONLY_WABA', { waba_id: '2048' }))).toEqual({ type: 'no_number', wabaId: '2048' });
    expect(parseSignupMessage({ origin: 'https://www.facebook.com', data: 'not json' })).toBeNull();
    expect(parseSignupMessage({ origin: 'https://www.facebook.com', data: { type: 'OTHER' } })).toBeNull();
  });
});
