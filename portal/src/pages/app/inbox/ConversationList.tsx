import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router-dom';
import { conversations, type Conversation, type ConversationFilter, type WhatsAppNumber } from '../../../api';
import { Badge } from '../../../components/Badge';
import { Icon } from '../../../components/Icon';
import { useLive, useNow } from '../../../lib/live';
import { previewText } from '../../../lib/messages';
import { formatPhone } from '../../../lib/phone';
import { fullDateTime, shortAgo } from '../../../lib/time';
import { windowState } from '../../../lib/window';
import { PriorityBadge, SlaBadge, TagPills } from './bits';
import { ContactAvatar, contactDisplay } from './ConversationView';

const PAGE = 50;

function byActivity(a: Conversation, b: Conversation) {
  return b.last_message_at.localeCompare(a.last_message_at) || b.id.localeCompare(a.id);
}

/** Longest waiting first; conversations nobody waits on go last, newest activity first. */
function byWaiting(a: Conversation, b: Conversation) {
  const wa = a.waiting_since ?? null;
  const wb = b.waiting_since ?? null;
  if (wa && wb) return wa.localeCompare(wb) || a.id.localeCompare(b.id);
  if (wa) return -1;
  if (wb) return 1;
  return byActivity(a, b);
}

export type ListFilter = Omit<ConversationFilter, 'cursor' | 'limit'>;

/**
 * Filters the server already applied, applied again to what is on screen: a live refresh can
 * keep an older page whose items no longer match, and an older server ignores the new filters
 * it does not know (then only the ones whose fields it sends count).
 */
export function matchesFilter(c: Conversation, f: ListFilter, myId: string | undefined): boolean {
  if (f.assignee === 'me' && myId && c.assignee_id !== myId) return false;
  if (f.assignee === 'unassigned' && c.assignee_id !== null) return false;
  if (f.priority && c.priority !== undefined && c.priority !== f.priority) return false;
  if (f.team_id && c.team_id !== undefined && c.team_id !== f.team_id) return false;
  if (f.tag_id && c.tags !== undefined && !c.tags.some((x) => x.id === f.tag_id)) return false;
  if (f.sla && c.sla !== undefined && c.sla?.status !== f.sla) return false;
  return true;
}

export interface ConversationListState {
  items: Conversation[] | null;
  error: unknown;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => Promise<void>;
  reload: () => Promise<void>;
}

/**
 * The conversations of one filter. Live updates refetch the first page (most recent activity);
 * older pages loaded with "Load more" stay below it.
 */
export function useConversationList(filter: ListFilter, myId?: string): ConversationListState {
  const [items, setItems] = useState<Conversation[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const key = JSON.stringify([filter.status, filter.number_id, filter.assignee, filter.team_id, filter.tag_id, filter.priority, filter.window, filter.sla, filter.sort, filter.q?.trim()]);
  const order = filter.sort === 'waiting' ? byWaiting : byActivity;
  const keep = (list: Conversation[]) => list.filter((c) => matchesFilter(c, filter, myId));
  const keyRef = useRef(key);
  const olderRef = useRef<Conversation[]>([]);

  const refresh = useCallback(async () => {
    const mine = key;
    try {
      const page = await conversations.list({ ...filter, limit: PAGE });
      if (keyRef.current !== mine) return;
      const ids = new Set(page.items.map((c) => c.id));
      const rest = olderRef.current.filter((c) => !ids.has(c.id));
      setItems(keep([...page.items, ...rest].sort(order)));
      if (olderRef.current.length === 0) setCursor(page.next_cursor);
      setError(null);
    } catch (e) {
      if (keyRef.current === mine) setError(e);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  useEffect(() => {
    keyRef.current = key;
    olderRef.current = [];
    setItems(null);
    setError(null);
    setCursor(null);
    void refresh();
  }, [key, refresh]);

  useLive({ kind: 'conversations' }, refresh);

  const loadMore = useCallback(async () => {
    if (!cursor) return;
    const mine = key;
    setLoadingMore(true);
    try {
      const page = await conversations.list({ ...filter, cursor, limit: PAGE });
      if (keyRef.current !== mine) return;
      olderRef.current = [...olderRef.current, ...page.items];
      setItems((prev) => {
        const seen = new Set((prev ?? []).map((c) => c.id));
        return keep([...(prev ?? []), ...page.items.filter((c) => !seen.has(c.id))].sort(order));
      });
      setCursor(page.next_cursor);
    } catch (e) {
      setError(e);
    } finally {
      setLoadingMore(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [cursor, key]);

  return { items, error, hasMore: Boolean(cursor), loadingMore, loadMore, reload: refresh };
}

export function ConversationItem({
  conversation: c,
  to,
  number,
  showNumber,
  showStatus,
  myId,
  active = false,
  selected = false,
  showWaiting = false,
}: {
  conversation: Conversation;
  to: string;
  number?: WhatsAppNumber;
  showNumber: boolean;
  showStatus: boolean;
  /** The person's membership id ("You" as assignee). */
  myId?: string;
  /** The conversation is open on the right (its unread count is being cleared). */
  active?: boolean;
  /** Highlighted by j/k. */
  selected?: boolean;
  /** Show how long the customer has been waiting (sort by waiting). */
  showWaiting?: boolean;
}) {
  const { t } = useTranslation();
  const now = useNow(30_000);
  const who = contactDisplay(c.contact);
  const closed = !windowState(c.window_expires_at, now).open;
  const unread = active ? 0 : Math.max(0, c.unread_count ?? 0);
  const assignee = c.assignee_id ? (c.assignee_id === myId ? t('inbox.actions.you') : (c.assignee_name ?? null)) : null;
  return (
    <NavLink
      to={to}
      className={`conv-item${unread ? ' conv-unread' : ''}${selected ? ' conv-selected' : ''}`}
      data-testid="conversation-item"
      data-conversation-id={c.id}
    >
      <ContactAvatar contact={c.contact} size={40} />
      <span className="conv-main">
        <span className="conv-top">
          <span className="conv-name">{who.title}</span>
          <time className="conv-time" dateTime={c.last_message_at} title={fullDateTime(c.last_message_at)}>
            {shortAgo(t, c.last_message_at, now)}
          </time>
        </span>
        <span className="conv-bottom">
          <span className="conv-preview">{previewText(t, c.last_message_preview) || '\u00a0'}</span>
          {unread > 0 && (
            <span className="conv-unread-badge" data-testid="unread-badge" aria-label={t('inbox.unread', { count: unread })} title={t('inbox.unread', { count: unread })}>
              {unread > 99 ? '99+' : unread}
            </span>
          )}
          {c.priority && c.priority !== 'none' && <PriorityBadge priority={c.priority} />}
          {c.status !== 'resolved' && <SlaBadge sla={c.sla} />}
          {showStatus && c.status !== 'open' && (
            <Badge tone={c.status === 'resolved' ? 'success' : 'warning'}>{t(`inbox.status.${c.status}`, { defaultValue: c.status })}</Badge>
          )}
          {closed && c.status !== 'resolved' && (
            <span className="conv-closed" title={t('inbox.window.closed')}>
              {t('inbox.windowClosedBadge')}
            </span>
          )}
        </span>
        {(assignee || (showNumber && number) || (c.tags && c.tags.length > 0) || (showWaiting && c.waiting_since)) && (
          <span className="conv-extra">
            <TagPills tags={c.tags} max={2} />
            {showWaiting && c.waiting_since && (
              <span className="conv-waiting" title={fullDateTime(c.waiting_since)}>
                <Icon name="clock" size={12} />
                {t('inbox.waitingFor', { time: shortAgo(t, c.waiting_since, now) })}
              </span>
            )}
            {assignee && (
              <span className="conv-assignee" data-testid="conversation-assignee" title={t('inbox.assignedTo', { name: assignee })}>
                <Icon name="user" size={12} />
                {assignee}
              </span>
            )}
            {showNumber && number && <span className="conv-number">{number.verified_name ?? formatPhone(number.display_phone_number)}</span>}
          </span>
        )}
      </span>
    </NavLink>
  );
}
