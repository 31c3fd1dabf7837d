import { Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import {
  conversations,
  isApiError,
  isMissingEndpoint,
  mentionables as mentionablesApi,
  templates as templatesApi,
  type Mention,
  type Mentionables,
  type Agent,
  type Conversation,
  type Message,
  type SendBody,
  type UploadedMedia,
  type WhatsAppNumber,
} from '../../../api';
import { useSession } from '../../../auth/session';
import { Avatar } from '../../../components/Avatar';
import { Badge } from '../../../components/Badge';
import { EmptyState } from '../../../components/EmptyState';
import { Icon } from '../../../components/Icon';
import { LoadError } from '../../../components/LoadError';
import { PageLoading } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { composerBlock } from '../../../lib/composer';
import { describeError } from '../../../lib/errors';
import type { RichBody } from '../../../lib/interactive';
import { markMissing, useFeature } from '../../../lib/features';
import { useNow, usePageVisible } from '../../../lib/live';
import { mediaKindOf } from '../../../lib/media';
import { automaticKind, summarize } from '../../../lib/messages';
import { formatPhone } from '../../../lib/phone';
import { reactionIndex } from '../../../lib/reactions';
import { useLoader } from '../../../lib/useLoader';
import { dayKey, dayLabel, fullDateTime } from '../../../lib/time';
import { windowLabel, windowState } from '../../../lib/window';
import { BubbleContext, type BubbleContextValue } from './bubbleContext';
import { joinNames, useComposerLease, useConversationPeople, useViewingHeartbeat } from './collision';
import { Composer } from './Composer';
import { ContactPanel } from './ContactPanel';
import { ConversationActions } from './ConversationActions';
import { ActivityItem, NoteItem } from './TimelineItem';
import { SlaBadge } from './bits';
import { MessageBubble } from './MessageBubble';
import { TemplatePicker } from './TemplatePicker';
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

export function WindowCountdown({ expiresAt, testId = 'window-countdown' }: { expiresAt: string | null; testId?: string }) {
  const { t } = useTranslation();
  useNow(15_000); // re-render regularly; the time itself is read fresh below
  const now = Date.now();
  const w = windowState(expiresAt, now);
  const tone = !w.open ? 'closed' : w.closingSoon ? 'soon' : 'open';
  return (
    <span
      className={`window-pill window-${tone}`}
      data-testid={testId}
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

export type ViewCommand = { name: 'reply' | 'note' | 'canned' | 'resolve' | 'assign'; seq: number };

// Who can be mentioned, loaded once per page load (it changes rarely).
let mentionablesCache: Promise<Mentionables | null> | null = null;
function useMentionables(enabled: boolean): Mentionables | null {
  const [data, setData] = useState<Mentionables | null>(null);
  useEffect(() => {
    if (!enabled) return;
    if (!mentionablesCache) {
      mentionablesCache = mentionablesApi.list().catch((e) => {
        if (isMissingEndpoint(e)) markMissing('notes');
        mentionablesCache = null;
        return null;
      });
    }
    let live = true;
    void mentionablesCache.then((m) => live && setData(m));
    return () => {
      live = false;
    };
  }, [enabled]);
  return data;
}

/** For tests. */
export function forgetMentionables() {
  mentionablesCache = null;
}

/** "Ana is viewing" and "Luis is typing…" under the header. */
export function PeopleBar({ viewers, typing }: { viewers: string[]; typing: string[] }) {
  const { t } = useTranslation();
  const and = (first: string, last: string) => t('inbox.viewers.and', { first, last });
  const viewingOnly = viewers.filter((n) => !typing.includes(n));
  if (viewingOnly.length === 0 && typing.length === 0) return null;
  return (
    <div className="people-bar" data-testid="people-bar" role="status">
      {typing.length > 0 && (
        <span className="people-typing" data-testid="typing-indicator">
          <span className="typing-dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          {t('inbox.viewers.typing', { count: typing.length, names: joinNames(typing, and) })}
        </span>
      )}
      {viewingOnly.length > 0 && (
        <span className="people-viewing" data-testid="viewers">
          <Icon name="user" size={13} />
          {t('inbox.viewers.viewing', { count: viewingOnly.length, names: joinNames(viewingOnly, and) })}
        </span>
      )}
    </div>
  );
}

let localSeq = 0;

export function ConversationView({
  id,
  numbers,
  agentNames,
  agents = [],
  backTo,
  command = null,
  panelOpen = true,
  onTogglePanel,
  search = '',
}: {
  id: string;
  numbers: WhatsAppNumber[];
  agentNames: Map<string, string>;
  /** Active agents, for the assignee picker. */
  agents?: Agent[];
  backTo: string;
  /** A keyboard shortcut to carry out (a new `seq` each time). */
  command?: ViewCommand | null;
  /** The contact panel on the right. */
  panelOpen?: boolean;
  onTogglePanel?: () => void;
  /** The list's query string (links to past conversations keep it). */
  search?: string;
}) {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const toast = useToast();
  const thread = useThread(id);
  const { add: addMessage, reload, setConversation } = thread;
  const now = useNow(15_000);
  const visible = usePageVisible();
  const [pending, setPending] = useState<LocalMessage[]>([]);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [picking, setPicking] = useState(false);
  const readFor = useRef<string | null>(null);
  const sendChain = useRef<Promise<unknown>>(Promise.resolve());
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const firstScroll = useRef(true);

  useEffect(() => {
    setPending([]);
    setReplyTo(null);
    setPicking(false);
    readFor.current = null;
    firstScroll.current = true;
    atBottom.current = true;
  }, [id]);

  const conv = thread.conversation;
  const numberId = conv?.number_id;
  // Every template of the number (not only approved ones) so sent templates draw their buttons.
  const templateList = useLoader(() => (numberId ? templatesApi.list({ number_id: numberId }).catch(() => []) : Promise.resolve([])), [numberId]);
  const bubbleContext = useMemo<BubbleContextValue>(
    () => ({ templates: new Map((templateList.data ?? []).map((x) => [x.id, x])), viewer: 'agent' }),
    [templateList.data],
  );

  // Someone is looking at the conversation: reset its unread count and show the customer blue
  // ticks. Once on opening, then whenever new messages arrive while the tab is visible.
  const unread = conv?.unread_count;
  useEffect(() => {
    if (!conv || !visible) return;
    // Without unread counts (an older server): once per opening.
    const key = unread === undefined ? `${conv.id}:opened` : unread > 0 ? `${conv.id}:${conv.last_inbound_at}:${unread}` : null;
    if (key === null || readFor.current === key) return;
    readFor.current = key;
    void conversations.read(conv.id).catch(() => {
      readFor.current = null;
    });
  }, [conv, unread, visible]);
  const number = conv ? numbers.find((n) => n.id === conv.number_id) : undefined;
  const w = windowState(conv?.window_expires_at ?? null, Date.now());
  const block = composerBlock({
    canReply: can('conversations:reply'),
    windowOpen: w.open,
    numberStatus: number?.status,
  });
  const messages = useMemo(() => [...thread.messages, ...pending], [thread.messages, pending]);
  const myId = me?.membership.id;
  const notesOn = useFeature('notes') && can('notes:write');
  const mentionables = useMentionables(notesOn);
  const lease = useComposerLease(id);
  const people = useConversationPeople(id, conv?.viewers, myId);
  useViewingHeartbeat(id, Boolean(conv) && visible);
  // The newest message on screen: a reply names it so the server can tell if someone else
  // answered meanwhile.
  const lastSeenRef = useRef<string | undefined>(undefined);
  lastSeenRef.current = thread.messages.length ? thread.messages[thread.messages.length - 1].id : undefined;

  // Keep the newest message in view when the person is already at the bottom.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || messages.length === 0) return;
    if (firstScroll.current || atBottom.current) {
      el.scrollTop = el.scrollHeight;
      firstScroll.current = false;
    }
  }, [messages]);

  // Pictures change the height when they load: stay at the bottom if the person was there.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onLoad = (e: Event) => {
      if (atBottom.current && (e.target instanceof HTMLImageElement || e.target instanceof HTMLVideoElement)) el.scrollTop = el.scrollHeight;
    };
    el.addEventListener('load', onLoad, true);
    el.addEventListener('loadedmetadata', onLoad, true);
    return () => {
      el.removeEventListener('load', onLoad, true);
      el.removeEventListener('loadedmetadata', onLoad, true);
    };
  });

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  }, []);

  /**
   * One send at a time, so messages reach the customer in the order they were written. What is
   * sent scrolls the thread to the bottom, except with `stay` (a reaction to an older message).
   */
  const queue = useCallback(
    async (body: SendBody, local?: LocalMessage, force = false, stay = false) => {
      if (local) {
        if (!stay) atBottom.current = true;
        setPending((p) => [...p, local]);
      }
      // Replies name the newest message seen (collision protection); templates go as they are.
      const guard = body.type === 'template' ? {} : { last_seen_message_id: lastSeenRef.current, force };
      const result = sendChain.current.then(() => conversations.send(id, body, guard));
      sendChain.current = result.catch(() => undefined);
      try {
        const saved = await result;
        if (!stay) atBottom.current = true;
        addMessage(saved);
      } catch (e) {
        if (isApiError(e) && e.code === 'window_closed') void reload();
        throw e;
      } finally {
        if (local) setPending((p) => p.filter((m) => m.id !== local.id));
      }
    },
    [id, addMessage, reload],
  );

  const localMessage = useCallback(
    (partial: Partial<Message>): LocalMessage => ({
      local: true,
      id: `local-${++localSeq}`,
      conversation_id: id,
      direction: 'outbound',
      kind: 'text',
      body: null,
      content: {},
      wamid: null,
      reply_to_wamid: null,
      status: 'queued',
      error_code: null,
      error_title: null,
      error_explanation: null,
      sender_type: 'agent',
      sender_id: myId ?? null,
      sender_name: me?.user.name ?? null,
      sent_at: new Date().toISOString(),
      status_at: new Date().toISOString(),
      ...partial,
    }),
    [id, myId, me],
  );

  const send = useCallback(
    async (text: string, opts?: { force?: boolean }) => {
      const quoted = replyTo;
      setReplyTo(null);
      try {
        await queue(
          quoted ? { text, reply_to: quoted.id } : { text },
          localMessage({ body: text, reply_to_wamid: quoted?.wamid ?? null }),
          Boolean(opts?.force),
        );
      } catch (e) {
        setReplyTo((cur) => cur ?? quoted);
        throw e;
      }
    },
    [queue, localMessage, replyTo],
  );

  const sendMedia = useCallback(
    async (media: UploadedMedia, caption: string) => {
      const quoted = replyTo;
      const kind = media.kind ?? mediaKindOf(media.mime_type) ?? 'document';
      await queue(
        { type: 'media', media_id: media.id, ...(caption ? { caption } : {}), ...(quoted ? { reply_to: quoted.id } : {}) },
        localMessage({
          kind,
          body: caption || null,
          content: caption ? { caption } : {},
          reply_to_wamid: quoted?.wamid ?? null,
          media: { id: media.id, status: 'ready', mime_type: media.mime_type, filename: media.filename, size_bytes: media.size_bytes, url: media.url, error: null },
        }),
      );
      setReplyTo(null);
    },
    [queue, localMessage, replyTo],
  );

  const sendTemplate = useCallback((body: SendBody) => queue(body), [queue]);

  /** Reply buttons, a list or a location from the composer's "More" menu (quoting like texts do). */
  const sendRich = useCallback(
    async (body: RichBody, opts?: { force?: boolean }) => {
      const quoted = replyTo;
      const full: SendBody = quoted ? { ...body, reply_to: quoted.id } : body;
      const local =
        body.type === 'location'
          ? localMessage({
              kind: 'location',
              body: body.name ?? body.address ?? null,
              content: { type: 'location', latitude: body.latitude, longitude: body.longitude, name: body.name ?? null, address: body.address ?? null },
              reply_to_wamid: quoted?.wamid ?? null,
            })
          : localMessage({ kind: 'interactive', body: body.body, content: { outbound: body }, reply_to_wamid: quoted?.wamid ?? null });
      await queue(full, local, Boolean(opts?.force));
      setReplyTo((cur) => (cur === quoted ? null : cur));
    },
    [queue, localMessage, replyTo],
  );

  /**
   * The business's reaction to a message (an empty emoji takes it back). It shows at once; a
   * reaction answers nobody, so it goes past the "another agent is answering" guard.
   */
  const react = useCallback(
    async (target: Message, emoji: string) => {
      try {
        await queue(
          { type: 'reaction', message_id: target.id, emoji },
          localMessage({ kind: 'reaction', body: emoji || null, content: { type: 'reaction', message_id: target.wamid, emoji: emoji || null } }),
          true,
          true,
        );
      } catch (e) {
        toast.error(t('messages.reactFailed', { error: describeError(t, e) }));
      }
    },
    [queue, localMessage, toast, t],
  );

  const sendNote = useCallback(
    async (text: string, mentions: Mention[]) => {
      try {
        const saved = await conversations.addNote(id, text, mentions);
        atBottom.current = true;
        addMessage(saved);
      } catch (e) {
        if (isMissingEndpoint(e)) markMissing('notes');
        throw e;
      }
    },
    [id, addMessage],
  );

  const composerCommand =
    command && (command.name === 'reply' || command.name === 'note' || command.name === 'canned') ? { name: command.name, seq: command.seq } : null;
  const actionCommand = command && (command.name === 'resolve' || command.name === 'assign') ? { name: command.name, seq: command.seq } : null;

  const authorOf = useCallback(
    (m: Message) => {
      if (m.direction === 'inbound') return conv ? contactDisplay(conv.contact).title : '';
      if (automaticKind(m)) return t('messages.automatic');
      if (m.sender_id && m.sender_id === myId) return t('messages.you');
      return m.sender_name || (m.sender_id && agentNames.get(m.sender_id)) || me?.tenant.name || '';
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
  const reactions = reactionIndex(messages);
  let lastDay: number | null = null;
  let lastSender: string | null = null;

  return (
    <BubbleContext.Provider value={bubbleContext}>
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
          {conv.status !== 'open' && (
            <span data-testid="conversation-status">
              <Badge tone={conv.status === 'resolved' ? 'success' : 'warning'}>{t(`inbox.status.${conv.status}`, { defaultValue: conv.status })}</Badge>
            </span>
          )}
          {conv.status !== 'resolved' && <SlaBadge sla={conv.sla} testId="conversation-sla" />}
          <WindowCountdown expiresAt={conv.window_expires_at} />
          {onTogglePanel && (
            <button
              type="button"
              className={`icon-button thread-panel-toggle${panelOpen ? ' thread-panel-toggle-on' : ''}`}
              onClick={onTogglePanel}
              aria-expanded={panelOpen}
              aria-label={panelOpen ? t('inbox.panel.hide') : t('inbox.panel.show')}
              title={panelOpen ? t('inbox.panel.hide') : t('inbox.panel.show')}
              data-testid="contact-panel-toggle"
            >
              <Icon name="info" />
            </button>
          )}
        </div>
        <ConversationActions conversation={conv} agents={agents} onChanged={setConversation} command={actionCommand} />
      </header>
      <PeopleBar viewers={people.viewers.map((v) => v.name)} typing={people.typing} />
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
              if (reactions.attached.has(m.id)) return null;
              const day = dayKey(m.sent_at);
              const separator = day !== lastDay;
              lastDay = day;
              if (m.direction === 'internal') {
                lastSender = null;
                return (
                  <Fragment key={m.id}>
                    {separator && (
                      <div className="day-separator">
                        <span>{dayLabel(t, m.sent_at, now)}</span>
                      </div>
                    )}
                    {m.kind === 'note' ? <NoteItem message={m} author={authorOf(m)} /> : <ActivityItem message={m} />}
                  </Fragment>
                );
              }
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
                    reactions={reactions.byMessage.get(m.id)}
                    onReplyTo={block === null ? setReplyTo : undefined}
                    onReact={block === null && m.status !== 'failed' && !('local' in m) ? react : undefined}
                    markAutomatic
                  />
                </Fragment>
              );
            })}
          </div>
        )}
      </div>
      <Composer
        block={block}
        onSend={send}
        onSendMedia={sendMedia}
        onTemplates={can('conversations:reply') ? () => setPicking(true) : undefined}
        onSendRich={sendRich}
        replyTo={replyTo ? { author: authorOf(replyTo), text: summarize(t, replyTo) } : null}
        onCancelReply={() => setReplyTo(null)}
        resetKey={id}
        onNote={notesOn ? sendNote : undefined}
        mentionables={mentionables}
        conversationId={can('conversations:reply') ? id : undefined}
        onTyping={block === null ? lease.typing : undefined}
        lockNotice={lease.lockedBy}
        command={composerCommand}
      />
      {picking && <TemplatePicker numberId={conv.number_id} onClose={() => setPicking(false)} onSend={sendTemplate} />}
    </div>
    {panelOpen && onTogglePanel && (
      <ContactPanel conversation={conv} numbers={numbers} agents={agents} search={search} onClose={onTogglePanel} />
    )}
    </BubbleContext.Provider>
  );
}
