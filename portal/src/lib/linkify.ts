// Finds web links in message text. Only http(s) links become anchors (a "javascript:" or
// "data:" text can never turn into one); everything else stays plain text, which React escapes.

export type Segment = { type: 'text'; text: string } | { type: 'link'; text: string; href: string };

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;
const TRAILING = /[.,;:!?'"»”’]+$/;

function trimUrl(raw: string): string {
  let url = raw.replace(TRAILING, '');
  // A closing bracket belongs to the link only when the link opened one ("…/Foo_(bar)").
  for (const [open, close] of [['(', ')'], ['[', ']']] as const) {
    while (url.endsWith(close) && url.split(open).length <= url.split(close).length - 1) {
      url = url.slice(0, -1).replace(TRAILING, '');
    }
  }
  return url;
}

export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  const push = (s: string) => {
    if (!s) return;
    const prev = out[out.length - 1];
    if (prev && prev.type === 'text') prev.text += s;
    else out.push({ type: 'text', text: s });
  };
  for (const m of text.matchAll(URL_RE)) {
    const start = m.index ?? 0;
    const url = trimUrl(m[0]);
    push(text.slice(last, start));
    const href = /^www\./i.test(url) ? `https://${url}` : url;
    let ok = false;
    try {
      const parsed = new URL(href);
      ok = (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname.includes('.');
    } catch {
      ok = false;
    }
    if (ok) out.push({ type: 'link', text: url, href });
    else push(url);
    last = start + url.length;
  }
  push(text.slice(last));
  return out;
}
