// Quick snooze choices, in the person's local time.

/** One hour from now. */
export function inOneHour(now: Date): Date {
  return new Date(now.getTime() + 3600_000);
}

/** Tomorrow at 9:00 local time. */
export function tomorrowNine(now: Date): Date {
  const d = new Date(now);
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return d;
}

/** Next Monday at 9:00 local time (a week from today's Monday when today is Monday). */
export function nextWeek(now: Date): Date {
  const d = new Date(now);
  const days = ((8 - d.getDay()) % 7) || 7;
  d.setDate(d.getDate() + days);
  d.setHours(9, 0, 0, 0);
  return d;
}

/** `yyyy-MM-ddTHH:mm` for a datetime-local input. */
export function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
