// A conversation's messages as the pages the server answered (oldest first, 200 a page). Only
// the tail can change (new messages arrive at the end; statuses move on outbound messages not
// yet read or failed), so a refresh refetches from the first page that holds an unsettled
// message, following `next_cursor` to the end. Cursors stay opaque.
import type { Message, Page } from '../api/types';
import { isSettled } from './messages';

export interface ThreadPage {
  /** The cursor this page was fetched with (null for the first page). */
  cursor: string | null;
  items: Message[];
}

export type FetchPage = (cursor: string | null) => Promise<Page<Message>>;

/** Follows `next_cursor` from `cursor` to the end. */
export async function fetchFrom(fetchPage: FetchPage, cursor: string | null, maxPages = 50): Promise<ThreadPage[]> {
  const pages: ThreadPage[] = [];
  let next: string | null = cursor;
  for (let i = 0; i < maxPages; i++) {
    const page = await fetchPage(next);
    pages.push({ cursor: next, items: page.items });
    if (!page.next_cursor) break;
    next = page.next_cursor;
  }
  return pages;
}

/** Index of the first page a refresh must refetch. */
export function refreshStart(pages: ThreadPage[]): number {
  const idx = pages.findIndex((p) => p.items.some((m) => !isSettled(m)));
  return idx === -1 ? Math.max(0, pages.length - 1) : idx;
}

/** Replaces the pages from `from` on with `fresh`. */
export function replaceFrom(pages: ThreadPage[], from: number, fresh: ThreadPage[]): ThreadPage[] {
  return [...pages.slice(0, from), ...fresh];
}

export function allMessages(pages: ThreadPage[]): Message[] {
  const seen = new Set<string>();
  const out: Message[] = [];
  for (const p of pages) {
    for (const m of p.items) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      out.push(m);
    }
  }
  // Ids are time-ordered (UUID v7), as the server orders them.
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Adds (or updates) a message the portal already has, e.g. the answer of a send. */
export function upsertMessage(pages: ThreadPage[], message: Message): ThreadPage[] {
  let found = false;
  const next = pages.map((p) => {
    if (!p.items.some((m) => m.id === message.id)) return p;
    found = true;
    return { ...p, items: p.items.map((m) => (m.id === message.id ? message : m)) };
  });
  if (found) return next;
  if (next.length === 0) return [{ cursor: null, items: [message] }];
  const last = next[next.length - 1];
  return [...next.slice(0, -1), { ...last, items: [...last.items, message] }];
}
