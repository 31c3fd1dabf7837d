import type { TFunction } from 'i18next';
import { isApiError } from '../api/client';

/** A human sentence for any thrown value, in the UI language when the code is a known one. */
export function describeError(t: TFunction, e: unknown): string {
  if (isApiError(e)) {
    if (e.code === 'rate_limited' && e.retryAfter) {
      return t('errors.rateLimitedSeconds', { seconds: e.retryAfter });
    }
    const key = `errors.codes.${e.code}`;
    const translated = t(key, { defaultValue: '' });
    if (translated && translated !== key) return translated;
    return e.message || t('errors.generic');
  }
  return t('errors.generic');
}

/** Field messages of a validation error (empty when there are none). */
export function fieldErrors(e: unknown): Record<string, string> {
  return isApiError(e) ? e.fields : {};
}

/**
 * Splits an API error into inline field messages (for the fields a form shows) and one
 * form-level message. `codeFields` pins whole error codes to a field, e.g. email_taken → email.
 */
export function splitApiError(
  t: TFunction,
  e: unknown,
  known: string[],
  codeFields: Record<string, string> = {},
): { form: string | null; fields: Record<string, string> } {
  if (isApiError(e) && codeFields[e.code] && known.includes(codeFields[e.code])) {
    return { form: null, fields: { [codeFields[e.code]]: describeError(t, e) } };
  }
  const fields: Record<string, string> = {};
  const extra: string[] = [];
  for (const [k, v] of Object.entries(fieldErrors(e))) {
    if (known.includes(k)) fields[k] = v;
    else extra.push(v);
  }
  if (Object.keys(fields).length === 0) {
    return { form: [describeError(t, e), ...extra].join(' '), fields };
  }
  return { form: extra.length ? extra.join(' ') : t('validation.fixErrors'), fields };
}
