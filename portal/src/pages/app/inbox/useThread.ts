// The open conversation and its messages, kept fresh through `useLive`.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { conversations, type Conversation, type Message } from '../../../api';
import { useLive } from '../../../lib/live';
import { allMessages, fetchFrom, refreshStart, replaceFrom, upsertMessage, type ThreadPage } from '../../../lib/thread';

export interface Thread {
  conversation: Conversation | null;
  messages: Message[];
  loading: boolean;
  error: unknown;
  reload: () => Promise<void>;
  /** Shows a message the server just accepted, before the next refresh brings it. */
  add: (message: Message) => void;
  /** Adopts the conversation a change answered (status, assignee). */
  setConversation: (conversation: Conversation) => void;
}

export function useThread(id: string | undefined): Thread {
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [pages, setPages] = useState<ThreadPage[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const pagesRef = useRef<ThreadPage[]>([]);
  const idRef = useRef(id);
  const loaded = useRef(false);
  // Messages this tab sent that a refresh may not have seen yet (it could have started earlier).
  const unseen = useRef(new Map<string, Message>());

  const apply = useCallback((next: ThreadPage[]) => {
    let merged = next;
    for (const m of unseen.current.values()) {
      if (next.some((p) => p.items.some((x) => x.id === m.id))) unseen.current.delete(m.id);
      else merged = upsertMessage(merged, m);
    }
    pagesRef.current = merged;
    setPages(merged);
  }, []);

  const refresh = useCallback(async () => {
    const current = id;
    if (!current) return;
    const fetchPage = (cursor: string | null) => conversations.messages(current, cursor);
    try {
      if (!loaded.current) {
        const [conv, fresh] = await Promise.all([conversations.get(current), fetchFrom(fetchPage, null)]);
        if (idRef.current !== current) return;
        setConversation(conv);
        apply(fresh);
        loaded.current = true;
      } else {
        const from = refreshStart(pagesRef.current);
        const start = pagesRef.current[from]?.cursor ?? null;
        const [conv, fresh] = await Promise.all([conversations.get(current), fetchFrom(fetchPage, start)]);
        if (idRef.current !== current) return;
        setConversation(conv);
        apply(replaceFrom(pagesRef.current, from, fresh));
      }
      setError(null);
    } catch (e) {
      if (idRef.current === current) setError(e);
    } finally {
      if (idRef.current === current) setLoading(false);
    }
  }, [id, apply]);

  useEffect(() => {
    idRef.current = id;
    loaded.current = false;
    unseen.current.clear();
    pagesRef.current = [];
    setPages([]);
    setConversation(null);
    setError(null);
    setLoading(Boolean(id));
    void refresh();
  }, [id, refresh]);

  useLive(id ? { kind: 'conversation', id } : null, refresh);

  const add = useCallback(
    (message: Message) => {
      if (message.conversation_id !== idRef.current) return;
      unseen.current.set(message.id, message);
      const next = upsertMessage(pagesRef.current, message);
      pagesRef.current = next;
      setPages(next);
    },
    [],
  );

  const messages = useMemo(() => allMessages(pages), [pages]);
  const adopt = useCallback((c: Conversation) => {
    if (c.id === idRef.current) setConversation(c);
  }, []);

  return { conversation, messages, loading, error, reload: refresh, add, setConversation: adopt };
}
