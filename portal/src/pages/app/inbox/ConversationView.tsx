import { Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { conversations, isApiError, type Conversation, type Message, type WhatsAppNumber } from '../../../api';
import { useSession } from '../../../auth/session';
import { Avatar } from '../../../components/Avatar';
import { Badge } from '../../../components/Badge';
import { EmptyState } from '../../../components/EmptyState';
import { Icon } from '../../../components/Icon';
import { LoadError } from '../../../components/LoadError';
import { PageLoading } from '../../../components/Spinner';
import { composerBlock } from '../../../lib/composer';
import { useNow } from '../../../lib/live';
import { formatPhone } from '../../../lib/phone';
import { dayKey, dayLabel, fullDateTime } from '../../../lib/time';
import { windowLabel, windowState } from '../../../lib/window';
import { Composer } from './Composer';
import { MessageBubble } from './MessageBubble';
import { useThread } from './useThread';

export function contactDisplay(c: Conversation['contact']): { title: string; subtitle: string | null } {
  const phone = c.wa_id ? formatPhone(c.wa_id) : null;
  const name = c.name?.trim();
  if (name) return { title: name, subtitle: phone };
  return { title: phone ?? '?', subtitle: null };
}

/** The contact's initials, or a person icon when only the number is known. */
export function ContactAvatar({ contact, size }: { contact: Conversation['contact']; size: number }) {
  const name = contact.name?.trim();
  if (name) return <Avatar name={name} seed={contact.id} size={size} />;
  return (
    <span className="avatar avatar-anonymous" style={{ width: size, height: size }} aria-hidden="true">
      <Icon name="user" size={Math.round(size * 0.5)} />
    </span>
  );
}

export function numberLabel(n: WhatsAppNumber): string {
  const phone = formatPhone(n.display_phone_number);
  return n.verified_name ? `${n.verified_name} · ${phone}` : phone;
}

export function WindowCountdown({ expiresAt }: { expiresAt: string | null }) {
  const { t } = useTranslation();
  useNow(15_000); // re-render regularly; the time itself is read fresh below
  const now = Date.now();
  const w = windowState(expiresAt, now);
  const tone = !w.open ? 'closed' : w.closingSoon ? 'soon' : 'open';
  return (
    <span
      className={`window-pill window-${tone}`}
      data-testid="window-countdown"
      title={expiresAt ? fullDateTime(expiresAt) : undefined}
    >
      <Icon name="clock" size={14} />
      {windowLabel(t, expiresAt, now)}
    </span>
  );
}

interface LocalMessage extends Message {
  local: true;
}

let localSeq = 0;

export function ConversationView({
  id,
  numbers,
  agentNames,
  backTo,
}: {
  id: string;
  numbers: WhatsAppNumber[];
  agentNames: Map<string, string>;
  backTo: string;
}) {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const thread = useThread(id);
  const { add: addMessage, reload } = thread;
  const now = useNow(15_000);
  const [pending, setPending] = useState<LocalMessage[]>([]);
  const sendChain = useRef<Promise<unknown>>(Promise.resolve());
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const firstScroll = useRef(true);

  useEffect(() => {
    setPending([]);
    firstScroll.current = true;
    atBottom.current = true;
  }, [id]);

  const conv = thread.conversation;
  const number = conv ? numbers.find((n) => n.id === conv.number_id) : undefined;
  const w = windowState(conv?.window_expires_at ?? null, Date.now());
  const block = composerBlock({
    canReply: can('conversations:reply'),
    windowOpen: w.open,
    numberStatus: number?.status,
  });
  const messages = useMemo(() => [...thread.messages, ...pending], [thread.messages, pending]);
  const myId = me?.membership.id;

  // Keep the newest message in view when the person is already at the bottom.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || messages.length === 0) return;
    if (firstScroll.current || atBottom.current) {
      el.scrollTop = el.scrollHeight;
      firstScroll.current = false;
    }
  }, [messages]);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  }, []);

  const send = useCallback(
    async (text: string) => {
      const local: LocalMessage = {
        local: true,
        id: `local-${++localSeq}`,
        conversation_id: id,
        direction: 'outbound',
        kind: 'text',
        body: text,
        content: {},
        wamid: null,
        reply_to_wamid: null,
        status: 'queued',
        error_code: null,
        error_title: null,
        error_explanation: null,
        sender_type: 'agent',
        sender_id: myId ?? null,
        sent_at: new Date().toISOString(),
        status_at: new Date().toISOString(),
      };
      atBottom.current = true;
      setPending((p) => [...p, local]);
      // One send at a time, so messages reach the customer in the order they were written.
      const result = sendChain.current.then(() => conversations.send(id, { text }));
      sendChain.current = result.catch(() => undefined);
      try {
        const saved = await result;
        addMessage(saved);
      } catch (e) {
        if (isApiError(e) && e.code === 'window_closed') void reload();
        throw e;
      } finally {
        setPending((p) => p.filter((m) => m.id !== local.id));
      }
    },
    [id, myId, addMessage, reload],
  );

  const authorOf = useCallback(
    (m: Message) => {
      if (m.direction === 'inbound') return conv ? contactDisplay(conv.contact).title : '';
      if (m.sender_id && m.sender_id === myId) return t('messages.you');
      return (m.sender_id && agentNames.get(m.sender_id)) || me?.tenant.name || '';
    },
    [conv, myId, agentNames, me, t],
  );

  const jumpTo = useCallback((m: Message) => {
    const el = document.getElementById(`msg-${m.id}`);
    if (!el) return;
    el.scrollIntoView({ block: 'center', behavior: 'smooth' });
    el.classList.remove('msg-flash');
    void el.offsetWidth;
    el.classList.add('msg-flash');
  }, []);

  if (thread.loading && !conv) return <PageLoading label={t('common.loading')} />;
  if (!conv) {
    if (isApiError(thread.error) && thread.error.status === 404) {
      return (
        <EmptyState
          icon="message"
          title={t('inbox.notFoundTitle')}
          action={
            <Link className="btn btn-secondary" to={backTo}>
              {t('inbox.backToList')}
            </Link>
          }
        >
          {t('inbox.notFoundBody')}
        </EmptyState>
      );
    }
    return <LoadError error={thread.error} onRetry={thread.reload} />;
  }

  const who = contactDisplay(conv.contact);
  let lastDay: number | null = null;
  let lastSender: string | null = null;

  return (
    <div className="thread" data-testid="conversation">
      <header className="thread-header">
        <Link to={backTo} className="icon-button thread-back" aria-label={t('inbox.backToList')}>
          <Icon name="arrowLeft" />
        </Link>
        <ContactAvatar contact={conv.contact} size={40} />
        <div className="thread-who">
          <h2 className="thread-name" data-testid="conversation-title">
            {who.title}
          </h2>
          <div className="thread-sub">
            {who.subtitle && <span>{who.subtitle}</span>}
            {numbers.length > 1 && number && (
              <span className="thread-number">{t('inbox.viaNumber', { number: numberLabel(number) })}</span>
            )}
          </div>
        </div>
        <div className="thread-header-side">
          {conv.status !== 'open' && <Badge tone={conv.status === 'resolved' ? 'success' : 'warning'}>{t(`inbox.status.${conv.status}`, { defaultValue: conv.status })}</Badge>}
          <WindowCountdown expiresAt={conv.window_expires_at} />
        </div>
      </header>
      <div className="thread-scroll" ref={scroller} onScroll={onScroll} data-testid="messages">
        {thread.error != null && (
          <div className="thread-stale" role="status">
            <Icon name="alert" size={14} />
            {t('inbox.stale')}
          </div>
        )}
        {messages.length === 0 ? (
          <div className="thread-empty muted">{t('inbox.noMessages')}</div>
        ) : (
          <div className="thread-messages">
            {messages.map((m) => {
              const day = dayKey(m.sent_at);
              const separator = day !== lastDay;
              lastDay = day;
              const senderKey = m.direction === 'outbound' ? `o:${m.sender_id ?? m.sender_type}` : 'in';
              const showSender = m.direction === 'outbound' && (senderKey !== lastSender || separator);
              lastSender = senderKey;
              return (
                <Fragment key={m.id}>
                  {separator && (
                    <div className="day-separator">
                      <span>{dayLabel(t, m.sent_at, now)}</span>
                    </div>
                  )}
                  <MessageBubble
                    message={m}
                    side={m.direction === 'outbound' ? 'end' : 'start'}
                    thread={messages}
                    ticks={m.direction === 'outbound'}
                    authorOf={authorOf}
                    sender={showSender ? authorOf(m) : null}
                    onQuoteClick={jumpTo}
                  />
                </Fragment>
              );
            })}
          </div>
        )}
      </div>
      <Composer block={block} onSend={send} resetKey={id} />
    </div>
  );
}
