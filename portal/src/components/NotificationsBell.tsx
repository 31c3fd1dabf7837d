// The bell in the top bar: unread count, the latest notifications (mentions, assignments, SLA
// warnings and breaches);
// clicking one marks it read and opens its conversation. Refetched on realtime
// `notification.created` frames (and every minute as a safety net). Hidden when the server has
// no notifications endpoint.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { isMissingEndpoint, notifications as api, type AppNotification } from '../api';
import { markMissing, useFeature } from '../lib/features';
import { useRealtimeEvents } from '../lib/RealtimeProvider';
import { useNow } from '../lib/live';
import { shortAgo } from '../lib/time';
import { Icon } from './Icon';

export const NOTIFICATIONS_REFRESH_MS = 60_000;

export function NotificationsBell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const available = useFeature('notifications');
  const [items, setItems] = useState<AppNotification[] | null>(null);
  const [unread, setUnread] = useState(0);
  const [failed, setFailed] = useState(false);
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const now = useNow(60_000);

  const load = useCallback(async () => {
    try {
      const page = await api.list({ limit: 20 });
      setItems(page.items);
      setUnread(typeof page.unread_count === 'number' ? page.unread_count : page.items.filter((n) => !n.read_at).length);
      setFailed(false);
    } catch (e) {
      if (isMissingEndpoint(e)) markMissing('notifications');
      else setFailed(true);
    }
  }, []);

  useEffect(() => {
    if (!available) return;
    void load();
    const timer = setInterval(() => void load(), NOTIFICATIONS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [available, load]);

  useRealtimeEvents((e) => {
    if (e.kind === 'notification.created') void load();
  });

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  if (!available) return null;

  async function openOne(n: AppNotification) {
    setOpen(false);
    if (!n.read_at) {
      setItems((list) => list?.map((x) => (x.id === n.id ? { ...x, read_at: new Date().toISOString() } : x)) ?? null);
      setUnread((c) => Math.max(0, c - 1));
      void api.read(n.id).catch(() => undefined);
    }
    navigate(`/inbox/${n.conversation_id}`);
  }

  async function readAll() {
    setItems((list) => list?.map((x) => (x.read_at ? x : { ...x, read_at: new Date().toISOString() })) ?? null);
    setUnread(0);
    try {
      await api.readAll();
    } catch {
      void load();
    }
  }

  const label = unread ? t('notifications.labelUnread', { count: unread }) : t('notifications.label');
  return (
    <div className="bell" ref={root}>
      <button type="button" className="icon-button bell-button" aria-haspopup="true" aria-expanded={open} aria-label={label} title={label} onClick={() => setOpen((o) => !o)} data-testid="notifications-bell">
        <Icon name="bell" size={19} />
        {unread > 0 && (
          <span className="bell-count" data-testid="notifications-count">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open && (
        <div className="menu bell-menu" role="dialog" aria-label={t('notifications.title')} data-testid="notifications-menu">
          <div className="bell-head">
            <span className="menu-title">{t('notifications.title')}</span>
            {unread > 0 && (
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => void readAll()}>
                {t('notifications.markAllRead')}
              </button>
            )}
          </div>
          {failed && !items ? (
            <div className="bell-empty">{t('notifications.loadError')}</div>
          ) : !items || items.length === 0 ? (
            <div className="bell-empty">{t('notifications.empty')}</div>
          ) : (
            <ul className="bell-list">
              {items.map((n) => (
                <li key={n.id}>
                  <button type="button" className={`bell-item${n.read_at ? '' : ' bell-item-unread'}${n.kind === 'sla_breach' ? ' bell-item-sla-breach' : n.kind === 'sla_warning' ? ' bell-item-sla-warning' : n.kind === 'window_closing' ? ' bell-item-window-closing' : ''}`} onClick={() => void openOne(n)} data-testid="notification" data-kind={n.kind}>
                    <span className="bell-item-icon" aria-hidden="true">
                      <Icon name={n.kind === 'mention' ? 'message' : n.kind === 'sla_breach' ? 'alert' : n.kind === 'sla_warning' ? 'clock' : n.kind === 'window_closing' ? 'clock' : 'userPlus'} size={15} />
                    </span>
                    <span className="bell-item-main">
                      <span className="bell-item-title">
                        {n.kind === 'handover'
                          ? t('notifications.handover')
                          : n.kind === 'sla_warning'
                          ? t('notifications.slaWarning')
                          : n.kind === 'sla_breach'
                          ? t('notifications.slaBreach')
                          : n.kind === 'window_closing'
                          ? t('notifications.windowClosing')
                          : n.kind === 'mention'
                          ? n.actor_name
                            ? t('notifications.mention', { name: n.actor_name })
                            : t('notifications.mentionSomeone')
                          : n.actor_name
                            ? t('notifications.assigned', { name: n.actor_name })
                            : t('notifications.assignedSomeone')}
                      </span>
                      {n.body && <span className="bell-item-body">{n.body}</span>}
                    </span>
                    <span className="bell-item-time">{shortAgo(t, n.created_at, now)}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
