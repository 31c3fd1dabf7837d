// Reply buttons, lists and locations an agent writes in the composer: WhatsApp's limits, the
// problems of a draft (shown live, next to each field) and the exact `POST .../messages` body.
// The limits are Meta's (tenants/src/whatsapp/graph.rs checks the same ones server-side).
import type { ListSection, ReplyButton } from '../api/types';

export const LIMITS = {
  /** Body of a reply-buttons message. */
  buttonsBody: 1024,
  /** Body of a list message. */
  listBody: 4096,
  header: 60,
  footer: 60,
  buttons: 3,
  buttonTitle: 20,
  listButton: 20,
  sections: 10,
  rows: 10,
  sectionTitle: 24,
  rowTitle: 24,
  rowDescription: 72,
  placeName: 1000,
  placeAddress: 1000,
} as const;

/** Characters as WhatsApp counts them (code points, so an emoji is one). */
export function chars(s: string): number {
  return [...s].length;
}

export type Problem =
  | { code: 'required' }
  | { code: 'tooLong'; max: number }
  | { code: 'duplicate' }
  | { code: 'number' }
  | { code: 'range'; min: number; max: number }
  /** A section needs a title once the list has more than one. */
  | { code: 'sectionTitle' };

/** Problems by field: `body`, `header`, `buttons.1`, `sections.0.rows.2.title`, `latitude`… */
export type Problems = Record<string, Problem>;

/** Whether a problem is shown before the first "Send" (length and duplicates are, empty fields not). */
export function isLive(p: Problem): boolean {
  return p.code === 'tooLong' || p.code === 'duplicate' || p.code === 'range';
}

function text(problems: Problems, key: string, value: string, max: number, required = false) {
  const v = value.trim();
  if (!v) {
    if (required) problems[key] = { code: 'required' };
  } else if (chars(v) > max) {
    problems[key] = { code: 'tooLong', max };
  }
}

/** Marks every repeated value (case and surrounding spaces aside) as a duplicate. */
function duplicates(problems: Problems, entries: [string, string][]) {
  const seen = new Map<string, string>();
  for (const [key, value] of entries) {
    const v = value.trim().toLowerCase();
    if (!v) continue;
    const first = seen.get(v);
    if (first !== undefined) {
      if (!problems[key]) problems[key] = { code: 'duplicate' };
    } else {
      seen.set(v, key);
    }
  }
}

/** A readable, unique id for each title (what comes back when the customer taps it). */
export function choiceIds(titles: string[], prefix = 'option'): string[] {
  const used = new Set<string>();
  return titles.map((title, i) => {
    const base =
      title
        .trim()
        .toLowerCase()
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 40) || `${prefix}-${i + 1}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  });
}

const optional = (key: string, value: string) => (value.trim() ? { [key]: value.trim() } : {});

// ---------- Reply buttons ----------

export interface ButtonsDraft {
  header: string;
  body: string;
  footer: string;
  buttons: string[];
}

export const emptyButtons = (): ButtonsDraft => ({ header: '', body: '', footer: '', buttons: ['', ''] });

export function buttonsProblems(d: ButtonsDraft): Problems {
  const p: Problems = {};
  text(p, 'header', d.header, LIMITS.header);
  text(p, 'body', d.body, LIMITS.buttonsBody, true);
  text(p, 'footer', d.footer, LIMITS.footer);
  d.buttons.forEach((b, i) => text(p, `buttons.${i}`, b, LIMITS.buttonTitle, true));
  duplicates(p, d.buttons.map((b, i) => [`buttons.${i}`, b]));
  return p;
}

export interface ButtonsBody {
  type: 'buttons';
  body: string;
  buttons: ReplyButton[];
  header?: string;
  footer?: string;
}

export function buttonsBody(d: ButtonsDraft): ButtonsBody {
  const titles = d.buttons.map((b) => b.trim());
  const ids = choiceIds(titles);
  return {
    type: 'buttons',
    body: d.body.trim(),
    buttons: titles.map((title, i) => ({ id: ids[i], title })),
    ...optional('header', d.header),
    ...optional('footer', d.footer),
  };
}

// ---------- List ----------

export interface ListDraft {
  header: string;
  body: string;
  footer: string;
  button: string;
  sections: { title: string; rows: { title: string; description: string }[] }[];
}

export const emptyRow = () => ({ title: '', description: '' });

export const emptyList = (): ListDraft => ({
  header: '',
  body: '',
  footer: '',
  button: '',
  sections: [{ title: '', rows: [emptyRow(), emptyRow()] }],
});

export function rowCount(d: Pick<ListDraft, 'sections'>): number {
  return d.sections.reduce((n, s) => n + s.rows.length, 0);
}

export function listProblems(d: ListDraft): Problems {
  const p: Problems = {};
  text(p, 'header', d.header, LIMITS.header);
  text(p, 'body', d.body, LIMITS.listBody, true);
  text(p, 'footer', d.footer, LIMITS.footer);
  text(p, 'button', d.button, LIMITS.listButton, true);
  const several = d.sections.length > 1;
  d.sections.forEach((s, i) => {
    if (several && !s.title.trim()) p[`sections.${i}.title`] = { code: 'sectionTitle' };
    else text(p, `sections.${i}.title`, s.title, LIMITS.sectionTitle);
    s.rows.forEach((r, j) => {
      text(p, `sections.${i}.rows.${j}.title`, r.title, LIMITS.rowTitle, true);
      text(p, `sections.${i}.rows.${j}.description`, r.description, LIMITS.rowDescription);
    });
  });
  // Rows of one section must differ; the same time in two days' sections is fine.
  d.sections.forEach((s, i) => duplicates(p, s.rows.map((r, j) => [`sections.${i}.rows.${j}.title`, r.title])));
  if (several) duplicates(p, d.sections.map((s, i) => [`sections.${i}.title`, s.title]));
  return p;
}

export interface ListBody {
  type: 'list';
  body: string;
  button: string;
  sections: ListSection[];
  header?: string;
  footer?: string;
}

export function listBody(d: ListDraft): ListBody {
  const ids = choiceIds(d.sections.flatMap((s) => s.rows.map((r) => r.title)), 'row');
  let n = 0;
  return {
    type: 'list',
    body: d.body.trim(),
    button: d.button.trim(),
    sections: d.sections.map((s) => ({
      ...optional('title', s.title),
      rows: s.rows.map((r) => ({ id: ids[n++], title: r.title.trim(), ...optional('description', r.description) })),
    })),
    ...optional('header', d.header),
    ...optional('footer', d.footer),
  };
}

// ---------- Location ----------

export interface LocationDraft {
  latitude: string;
  longitude: string;
  name: string;
  address: string;
}

export const emptyLocation = (): LocationDraft => ({ latitude: '', longitude: '', name: '', address: '' });

/** A coordinate as typed: "40.4168", "-3,7038" (a decimal comma), "  2.17 ". */
export function parseCoordinate(s: string): number | null {
  const v = s.trim().replace(/^\+/, '');
  if (!/^-?\d+([.,]\d+)?$/.test(v)) return null;
  const n = Number(v.replace(',', '.'));
  return Number.isFinite(n) ? n : null;
}

/**
 * Both coordinates from one pasted string: "40.4168, -3.7038", an OpenStreetMap link
 * (`mlat=…&mlon=…` or `#map=z/lat/lon`) or a Google Maps link (`@lat,lon` or `q=lat,lon`).
 */
export function parseCoordinatePair(s: string): { latitude: number; longitude: number } | null {
  const v = s.trim();
  const patterns = [
    /^(-?\d{1,3}\.\d+)\s*[,;\s]\s*(-?\d{1,3}\.\d+)$/,
    /[?&]mlat=(-?\d{1,3}(?:\.\d+)?)&mlon=(-?\d{1,3}(?:\.\d+)?)/,
    /#map=\d+\/(-?\d{1,3}(?:\.\d+)?)\/(-?\d{1,3}(?:\.\d+)?)/,
    /@(-?\d{1,3}\.\d+),(-?\d{1,3}\.\d+)/,
    /[?&](?:q|ll|query)=(-?\d{1,3}\.\d+),\s*(-?\d{1,3}\.\d+)/,
  ];
  for (const re of patterns) {
    const m = re.exec(v);
    if (!m) continue;
    const latitude = Number(m[1]);
    const longitude = Number(m[2]);
    if (Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180) return { latitude, longitude };
  }
  return null;
}

export function locationProblems(d: LocationDraft): Problems {
  const p: Problems = {};
  for (const [key, max] of [
    ['latitude', 90],
    ['longitude', 180],
  ] as const) {
    const raw = d[key];
    if (!raw.trim()) {
      p[key] = { code: 'required' };
      continue;
    }
    const n = parseCoordinate(raw);
    if (n === null) p[key] = { code: 'number' };
    else if (Math.abs(n) > max) p[key] = { code: 'range', min: -max, max };
  }
  text(p, 'name', d.name, LIMITS.placeName);
  text(p, 'address', d.address, LIMITS.placeAddress);
  return p;
}

export interface LocationBody {
  type: 'location';
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
}

export function locationBody(d: LocationDraft): LocationBody {
  return {
    type: 'location',
    latitude: parseCoordinate(d.latitude) ?? 0,
    longitude: parseCoordinate(d.longitude) ?? 0,
    ...optional('name', d.name),
    ...optional('address', d.address),
  };
}

/** What the composer's "More" menu sends. */
export type RichBody = ButtonsBody | ListBody | LocationBody;
export type RichKind = RichBody['type'];
