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
import { ContactAvatar, contactDisplay } from './ConversationView';

const PAGE = 50;

function byActivity(a: Conversation, b: Conversation) {
  return b.last_message_at.localeCompare(a.last_message_at) || b.id.localeCompare(a.id);
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
export function useConversationList(filter: Pick<ConversationFilter, 'status' | 'number_id'>): ConversationListState {
  const [items, setItems] = useState<Conversation[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const key = `${filter.status ?? ''}|${filter.number_id ?? ''}`;
  const keyRef = useRef(key);
  const olderRef = useRef<Conversation[]>([]);

  const refresh = useCallback(async () => {
    const mine = key;
    try {
      const page = await conversations.list({ ...filter, limit: PAGE });
      if (keyRef.current !== mine) return;
      const ids = new Set(page.items.map((c) => c.id));
      const rest = olderRef.current.filter((c) => !ids.has(c.id));
      setItems([...page.items, ...rest].sort(byActivity));
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
        return [...(prev ?? []), ...page.items.filter((c) => !seen.has(c.id))].sort(byActivity);
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
}) {
  const { t } = useTranslation();
  const now = useNow(30_000);
  const who = contactDisplay(c.contact);
  const closed = !windowState(c.window_expires_at, now).open;
  const unread = active ? 0 : Math.max(0, c.unread_count ?? 0);
  const assignee = c.assignee_id ? (c.assignee_id === myId ? t('inbox.actions.you') : (c.assignee_name ?? null)) : null;
  return (
    <NavLink to={to} className={`conv-item${unread ? ' conv-unread' : ''}`} data-testid="conversation-item">
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
          {showStatus && c.status !== 'open' && (
            <Badge tone={c.status === 'resolved' ? 'success' : 'warning'}>{t(`inbox.status.${c.status}`, { defaultValue: c.status })}</Badge>
          )}
          {closed && c.status !== 'resolved' && (
            <span className="conv-closed" title={t('inbox.window.closed')}>
              {t('inbox.windowClosedBadge')}
            </span>
          )}
        </span>
        {(assignee || (showNumber && number)) && (
          <span className="conv-extra">
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
