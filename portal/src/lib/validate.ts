// Client-side checks mirror the server's rules (docs/api.md) so people see mistakes at once;
// the server stays the authority and its field errors are shown the same way.

export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const COLOUR_RE = /^#[0-9a-fA-F]{6}$/;
export const MIN_PASSWORD = 10;

/** Longest names the server accepts (characters). */
export const MAX = { person: 120, business: 80, role: 60, team: 60, tag: 50 } as const;

export type Errors = Record<string, string>;

export function hasErrors(errors: Errors): boolean {
  return Object.keys(errors).length > 0;
}
