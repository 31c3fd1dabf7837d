// Phone numbers as WhatsApp uses them: digits with country code, no "+".

// Calling codes of one or two digits (everything else in E.164 uses three).
const ONE_DIGIT = new Set(['1', '7']);
const TWO_DIGITS = new Set(
  ('20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 ' +
    '81 82 84 86 90 91 92 93 94 95 98').split(' '),
);

// How the national part is grouped, by its length (a readable default, not each country's rules).
const GROUPS: Record<number, number[]> = {
  5: [5],
  6: [3, 3],
  7: [3, 4],
  8: [4, 4],
  9: [3, 3, 3],
  10: [3, 3, 4],
  11: [3, 4, 4],
  12: [4, 4, 4],
};

/** "34600111222" → "+34 600 111 222"; anything that is not 8-15 digits comes back as given. */
export function formatPhone(value: string | null | undefined): string {
  if (!value) return '';
  const digits = value.replace(/[^\d]/g, '');
  if (digits.length < 8 || digits.length > 15 || /[^\d+\s().-]/.test(value)) return value;
  const ccLength = ONE_DIGIT.has(digits[0]) ? 1 : TWO_DIGITS.has(digits.slice(0, 2)) ? 2 : 3;
  const cc = digits.slice(0, ccLength);
  const rest = digits.slice(ccLength);
  const groups = GROUPS[rest.length] ?? [];
  const parts: string[] = [];
  let i = 0;
  for (const g of groups) {
    parts.push(rest.slice(i, i + g));
    i += g;
  }
  while (i < rest.length) {
    parts.push(rest.slice(i, i + 3));
    i += 3;
  }
  return `+${cc} ${parts.join(' ')}`;
}

/** What the person typed as digits with country code, or null when it cannot be a number. */
export function phoneDigits(input: string): string | null {
  const trimmed = input.trim();
  if (!/^\+?[\d\s().-]+$/.test(trimmed)) return null;
  const digits = trimmed.replace(/\D/g, '');
  return digits.length >= 8 && digits.length <= 15 ? digits : null;
}
