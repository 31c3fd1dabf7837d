// Reads the .eml files the Chorus server writes (CHORUS_SMTP_URL unset → one file per mail in
// CHORUS_MAIL_DIR) and pulls links out of them. Handles multipart bodies and the
// quoted-printable and base64 transfer encodings.
import fs from 'node:fs/promises';
import path from 'node:path';

export interface Mail {
  file: string;
  headers: Record<string, string>;
  text: string;
}

function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
  const idx = raw.search(/\r?\n\r?\n/);
  const head = idx === -1 ? raw : raw.slice(0, idx);
  const body = idx === -1 ? '' : raw.slice(idx).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  // Unfold continuation lines, then read "Name: value".
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) headers[m[1].trim().toLowerCase()] = m[2].trim();
  }
  return { headers, body };
}

export function decodeQuotedPrintable(input: string): string {
  const softBreaksRemoved = input.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < softBreaksRemoved.length; i++) {
    const c = softBreaksRemoved[i];
    const hex = softBreaksRemoved.slice(i + 1, i + 3);
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words in headers (=?utf-8?B?...?= / =?utf-8?Q?...?=). */
function decodeHeader(value: string): string {
  return value.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, _charset, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );
}

function decodePart(headers: Record<string, string>, body: string): string {
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((chunk) => !chunk.startsWith('--'))
      .map((chunk) => {
        const part = splitHeaders(chunk.replace(/^\r?\n/, ''));
        return decodePart(part.headers, part.body);
      })
      .join('\n');
  }
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

export function parseMail(file: string, raw: string): Mail {
  const { headers, body } = splitHeaders(raw);
  for (const k of Object.keys(headers)) headers[k] = decodeHeader(headers[k]);
  return { file, headers, text: decodePart(headers, body) };
}

/** Links (absolute or relative) in a mail whose path contains `pathFragment`. */
export function findLinks(mail: Mail, pathFragment: string): string[] {
  const text = mail.text.replace(/&amp;/g, '&');
  const escaped = pathFragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(?:https?://[^\\s"'<>()]*)?${escaped}[^\\s"'<>()]+`, 'g');
  return [...new Set(text.match(re) ?? [])];
}

async function readAll(dir: string): Promise<Mail[]> {
  let names: string[] = [];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const mails: Mail[] = [];
  for (const name of names.filter((n) => n.endsWith('.eml'))) {
    const file = path.join(dir, name);
    try {
      mails.push(parseMail(file, await fs.readFile(file, 'utf8')));
    } catch {
      // a file still being written; the next poll reads it
    }
  }
  return mails;
}

/**
 * Waits until a mail addressed to `to` holds a link containing `pathFragment`, and answers
 * that link.
 */
export async function waitForLink(opts: {
  dir: string;
  to: string;
  pathFragment: string;
  timeoutMs?: number;
}): Promise<string> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const to = opts.to.toLowerCase();
  for (;;) {
    for (const mail of await readAll(opts.dir)) {
      if (!(mail.headers.to ?? '').toLowerCase().includes(to)) continue;
      const links = findLinks(mail, opts.pathFragment);
      if (links.length) return links[0];
    }
    if (Date.now() > deadline) {
      throw new Error(`No mail to ${opts.to} with a ${opts.pathFragment} link appeared in ${opts.dir}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The mailed link points at CHORUS_PUBLIC_URL, which may differ from the server under test;
 * keep its path and query and aim it at `baseURL`.
 */
export function onBase(link: string, baseURL: string): string {
  const u = new URL(link, baseURL);
  return new URL(u.pathname + u.search, baseURL).toString();
}
