// Collision protection on the client (issue 4): "I am viewing" heartbeats, the composer lease
// while a reply is being typed, and who else is viewing or typing (from the conversation's
// `viewers` and the realtime `viewers` / `typing` frames).
import { useCallback, useEffect, useRef, useState } from 'react';
import { conversations, isApiError, isMissingEndpoint, type Viewer } from '../../../api';
import { isMissing, markMissing } from '../../../lib/features';
import { useRealtimeEvents } from '../../../lib/RealtimeProvider';

export const VIEWING_EVERY_MS = 10_000;
export const TYPING_EVERY_MS = 5_000;
/** A typing frame counts this long without renewal (the lease's TTL). */
export const TYPING_TTL_MS = 15_000;

/** POST .../viewing now and every 10 s while the conversation is open; DELETE when leaving. */
export function useViewingHeartbeat(id: string, enabled = true) {
  useEffect(() => {
    if (!enabled || isMissing('viewing')) return;
    let stopped = false;
    const beat = () => {
      if (stopped || isMissing('viewing') || document.visibilityState === 'hidden') return;
      conversations.viewing(id).catch((e) => {
        if (isMissingEndpoint(e)) markMissing('viewing');
      });
    };
    beat();
    const timer = setInterval(beat, VIEWING_EVERY_MS);
    const onVisible = () => document.visibilityState !== 'hidden' && beat();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stopped = true;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
      if (!isMissing('viewing')) void conversations.stopViewing(id).catch(() => undefined);
    };
  }, [id, enabled]);
}

/**
 * The composer lease: `typing(true)` on each keystroke of a reply renews it at most every 5 s;
 * `typing(false)` (draft cleared or sent, conversation left) releases it. `lockedBy` is the
 * server's sentence when another agent holds it (409 `composer_locked`).
 */
export function useComposerLease(id: string) {
  const [lockedBy, setLockedBy] = useState<string | null>(null);
  const lastSent = useRef(0);
  const held = useRef(false);

  const typing = useCallback(
    (active: boolean) => {
      if (isMissing('typing')) return;
      if (!active) {
        if (held.current) {
          held.current = false;
          lastSent.current = 0;
          void conversations.stopTyping(id).catch(() => undefined);
        }
        setLockedBy(null);
        return;
      }
      const now = Date.now();
      if (now - lastSent.current < TYPING_EVERY_MS) return;
      lastSent.current = now;
      conversations.typing(id).then(
        () => {
          held.current = true;
          setLockedBy(null);
        },
        (e) => {
          if (isMissingEndpoint(e)) markMissing('typing');
          else if (isApiError(e) && e.status === 409) setLockedBy(e.message);
        },
      );
    },
    [id],
  );

  useEffect(
    () => () => {
      if (held.current) void conversations.stopTyping(id).catch(() => undefined);
      held.current = false;
      lastSent.current = 0;
      setLockedBy(null);
    },
    [id],
  );

  return { typing, lockedBy };
}

function readViewers(v: unknown): Viewer[] | null {
  if (!Array.isArray(v)) return null;
  return v.filter((x): x is Viewer => Boolean(x) && typeof x.membership_id === 'string' && typeof x.name === 'string');
}

/** Other agents viewing and typing in conversation `id`, without oneself. */
export function useConversationPeople(id: string, initial: Viewer[] | undefined, myId: string | undefined, now = Date.now) {
  const [viewers, setViewers] = useState<Viewer[]>([]);
  const [typing, setTyping] = useState<Map<string, { name: string; until: number }>>(new Map());
  const initialKey = (initial ?? []).map((v) => v.membership_id).join(',');

  useEffect(() => {
    setViewers((initial ?? []).filter((v) => v.membership_id !== myId));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, initialKey, myId]);
  useEffect(() => setTyping(new Map()), [id]);

  useRealtimeEvents((e) => {
    if (e.conversationId !== id || !e.data) return;
    if (e.kind === 'viewers') {
      const list = readViewers(e.data.viewers);
      if (list) setViewers(list.filter((v) => v.membership_id !== myId));
    } else if (e.kind === 'typing') {
      const who = e.data.membership_id;
      if (typeof who !== 'string' || who === myId) return;
      const name = typeof e.data.name === 'string' ? e.data.name : '';
      setTyping((cur) => {
        const next = new Map(cur);
        if (e.data?.typing === false) next.delete(who);
        else next.set(who, { name, until: now() + TYPING_TTL_MS });
        return next;
      });
    }
  });

  // Typing that was not renewed fades out.
  const size = typing.size;
  useEffect(() => {
    if (size === 0) return;
    const timer = setInterval(() => {
      setTyping((cur) => {
        const t = now();
        const next = new Map([...cur].filter(([, v]) => v.until > t));
        return next.size === cur.size ? cur : next;
      });
    }, 1000);
    return () => clearInterval(timer);
  }, [size, now]);

  const typingNames = [...typing.values()].map((v) => v.name).filter(Boolean);
  return { viewers, typing: typingNames };
}

/** "Ana", "Ana and Luis", "Ana, Luis and Bruno". */
export function joinNames(names: string[], and: (first: string, last: string) => string): string {
  if (names.length <= 1) return names[0] ?? '';
  return and(names.slice(0, -1).join(', '), names[names.length - 1]);
}
