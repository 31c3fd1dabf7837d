// The test phone: the signed-in person plays a customer writing to the business's sandbox
// number. What they send becomes the webhook Meta would send and goes through the real ingest
// path; what agents answer leaves through the real send path and shows up here with its ticks.
import { Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { media as mediaApi, numbers as numbersApi, sandbox, templates as templatesApi, type Message, type SandboxMessage } from '../../api';
import { useSession } from '../../auth/session';
import { Avatar } from '../../components/Avatar';
import { TextField } from '../../components/Field';
import { Icon, type IconName } from '../../components/Icon';
import { PageHeader } from '../../components/PageHeader';
import { isSendKey } from '../../lib/composer';
import { describeError } from '../../lib/errors';
import { useLive, useNow, usePageVisible } from '../../lib/live';
import { formatPhone, phoneDigits } from '../../lib/phone';
import { dayKey, dayLabel } from '../../lib/time';
import { checkFile, fileProblemMessage, uploadErrorMessage } from '../../lib/media';
import { reactionIndex } from '../../lib/reactions';
import { useLoader } from '../../lib/useLoader';
import { BubbleContext, type BubbleContextValue, type TappedReply } from './inbox/bubbleContext';
import { MessageBubble } from './inbox/MessageBubble';

export const TEST_PHONE_STORAGE_KEY = 'chorus.testPhone';
const DEFAULT_PERSONA = { name: 'Carla Cliente', phone: '+34 600 111 222' };

type Persona = typeof DEFAULT_PERSONA;

function loadPersona(): Persona {
  try {
    const raw = localStorage.getItem(TEST_PHONE_STORAGE_KEY);
    const saved = raw ? (JSON.parse(raw) as Partial<Persona>) : {};
    return {
      name: typeof saved.name === 'string' ? saved.name : DEFAULT_PERSONA.name,
      phone: typeof saved.phone === 'string' ? saved.phone : DEFAULT_PERSONA.phone,
    };
  } catch {
    return DEFAULT_PERSONA;
  }
}

const PLACES = [
  { key: 'sol', latitude: 40.416775, longitude: -3.70379 },
  { key: 'sagrada', latitude: 41.403629, longitude: 2.174356 },
  { key: 'eiffel', latitude: 48.85837, longitude: 2.294481 },
] as const;

const BUTTONS = ['confirm', 'reschedule', 'human'] as const;

function Menu({
  icon,
  label,
  disabled,
  children,
}: {
  icon: IconName;
  label: string;
  disabled?: boolean;
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
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
  return (
    <div className="phone-menu" ref={root}>
      <button
        type="button"
        className="phone-chip"
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={disabled}
        onClick={() => setOpen((o) => !o)}
      >
        <Icon name={icon} size={14} />
        {label}
      </button>
      {open && (
        <div className="menu phone-menu-list" role="menu" aria-label={label}>
          {children(() => setOpen(false))}
        </div>
      )}
    </div>
  );
}

export function TestPhonePage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const [persona, setPersona] = useState<Persona>(loadPersona);
  const [thread, setThread] = useState<Message[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const visible = usePageVisible();
  const now = useNow(60_000);
  const chat = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const readAsked = useRef(new Set<string>());
  const numbers = useLoader(() => numbersApi.list());
  const sandboxNumber = numbers.data?.find((n) => n.sandbox);
  const sandboxId = sandboxNumber?.id;
  // The sandbox's templates, so a template the business sent shows its buttons.
  const templateList = useLoader(() => (sandboxId ? templatesApi.list({ number_id: sandboxId }).catch(() => []) : Promise.resolve([])), [sandboxId]);
  const photo = useRef<HTMLInputElement>(null);
  const [upload, setUpload] = useState<{ name: string; progress: number } | null>(null);

  const from = phoneDigits(persona.phone);
  const name = persona.name.trim();
  const nameError = name ? (name.length > 80 ? t('validation.nameLength', { max: 80 }) : undefined) : t('validation.required');
  const phoneError = from ? undefined : t('testPhone.phoneInvalid');
  const ready = Boolean(from) && !nameError;

  useEffect(() => {
    try {
      localStorage.setItem(TEST_PHONE_STORAGE_KEY, JSON.stringify(persona));
    } catch {
      // storage may be unavailable; the page still works for this visit
    }
  }, [persona]);

  const fromRef = useRef(from);
  fromRef.current = from;

  const refresh = useCallback(async () => {
    const current = from;
    if (!current) return;
    try {
      const page = await sandbox.thread(current);
      if (fromRef.current !== current) return;
      setThread(page.items);
      setLoaded(true);
    } catch (e) {
      if (fromRef.current === current) setError(describeError(t, e));
    }
  }, [from, t]);

  useEffect(() => {
    setThread([]);
    setLoaded(false);
    setError(null);
    readAsked.current = new Set();
    void refresh();
  }, [from, refresh]);

  useLive(from ? { kind: 'sandbox', from } : null, refresh);

  // The customer has the chat open: what the business sent is delivered and read.
  useEffect(() => {
    if (!from || !visible) return;
    const unread = thread.filter((m) => m.direction === 'outbound' && (m.status === 'sent' || m.status === 'delivered'));
    const fresh = unread.filter((m) => !readAsked.current.has(m.id));
    if (fresh.length === 0) return;
    for (const m of fresh) readAsked.current.add(m.id);
    void sandbox
      .read(from)
      .then(() => refresh())
      .catch(() => {
        for (const m of fresh) readAsked.current.delete(m.id);
      });
  }, [thread, visible, from, refresh]);

  useLayoutEffect(() => {
    const el = input.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 120)}px`;
  }, [text]);

  const chatAtBottom = useRef(true);
  useLayoutEffect(() => {
    const el = chat.current;
    if (el) el.scrollTop = el.scrollHeight;
    chatAtBottom.current = true;
  }, [thread.length, loaded]);

  // Pictures grow the chat when they load: keep the newest message in view.
  useEffect(() => {
    const el = chat.current;
    if (!el) return;
    const onLoad = (e: Event) => {
      if (chatAtBottom.current && (e.target instanceof HTMLImageElement || e.target instanceof HTMLVideoElement)) el.scrollTop = el.scrollHeight;
    };
    const onScroll = () => {
      chatAtBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    };
    el.addEventListener('load', onLoad, true);
    el.addEventListener('loadedmetadata', onLoad, true);
    el.addEventListener('scroll', onScroll);
    return () => {
      el.removeEventListener('load', onLoad, true);
      el.removeEventListener('loadedmetadata', onLoad, true);
      el.removeEventListener('scroll', onScroll);
    };
  });

  async function deliver(body: Omit<SandboxMessage, 'from' | 'name'>) {
    if (!from || !ready) return false;
    setBusy(true);
    setError(null);
    try {
      await sandbox.send({ from, name, ...body });
      await refresh();
      return true;
    } catch (e) {
      setError(describeError(t, e));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function sendPhoto(file: File) {
    if (!from || !ready || busy) return;
    const problem = checkFile(file);
    if (problem || (file.type !== 'image/jpeg' && file.type !== 'image/png')) {
      setError(problem && problem.problem !== 'type' ? fileProblemMessage(t, problem) : t('testPhone.photoType'));
      return;
    }
    setError(null);
    setUpload({ name: file.name, progress: 0 });
    let mediaId: string;
    try {
      const uploaded = await mediaApi.upload(file, { onProgress: (loaded, total) => setUpload({ name: file.name, progress: total ? loaded / total : 0 }) });
      mediaId = uploaded.id;
    } catch (e) {
      setUpload(null);
      setError(uploadErrorMessage(t, e, file));
      return;
    }
    setUpload(null);
    const caption = text.trim();
    if (caption) setText('');
    const ok = await deliver({ image: { media_id: mediaId, ...(caption ? { caption } : {}) } });
    if (!ok && caption) setText((cur) => (cur.trim() ? cur : caption));
  }

  const deliverRef = useRef(deliver);
  deliverRef.current = deliver;
  const tap = useCallback(
    (reply: TappedReply) => {
      void deliverRef.current(reply.kind === 'list' ? { list_reply: { id: reply.id, title: reply.title } } : { button_reply: { id: reply.id, title: reply.title } });
    },
    [],
  );
  const bubbleContext = useMemo<BubbleContextValue>(
    () => ({ templates: new Map((templateList.data ?? []).map((x) => [x.id, x])), onReply: tap, viewer: 'customer' }),
    [templateList.data, tap],
  );
  const reactions = reactionIndex(thread);

  async function sendText() {
    const value = text.trim();
    if (!value || busy) return;
    setText('');
    const ok = await deliver({ text: value });
    if (!ok) setText((cur) => (cur.trim() ? cur : value));
  }

  const business = me?.tenant.name ?? '';
  const conversationId = thread.length ? thread[thread.length - 1].conversation_id : null;
  const authorOf = useCallback((m: Message) => (m.direction === 'inbound' ? t('testPhone.you') : business), [t, business]);
  let lastDay: number | null = null;

  return (
    <div className="page page-wide">
      <PageHeader title={t('testPhone.title')} subtitle={t('testPhone.subtitle')} />
      <div className="testphone">
        <aside className="testphone-side">
          <div className="card testphone-card">
            <h2 className="section-title">{t('testPhone.howTitle')}</h2>
            <p className="testphone-text">{t('testPhone.how1')}</p>
            <p className="testphone-text muted">{t('testPhone.how2')}</p>
          </div>
          <div className="card testphone-card">
            <h2 className="section-title">{t('testPhone.customerTitle')}</h2>
            <div className="form">
              <TextField
                label={t('testPhone.name')}
                value={persona.name}
                maxLength={80}
                onChange={(e) => setPersona((p) => ({ ...p, name: e.target.value }))}
                error={nameError}
              />
              <TextField
                label={t('testPhone.number')}
                value={persona.phone}
                inputMode="tel"
                onChange={(e) => setPersona((p) => ({ ...p, phone: e.target.value }))}
                error={phoneError}
                hint={t('testPhone.numberHint')}
              />
            </div>
          </div>
          <div className="testphone-links">
            {conversationId ? (
              <Link className="btn btn-secondary" to={`/inbox/${conversationId}`}>
                <Icon name="inbox" size={16} />
                {t('testPhone.openConversation')}
              </Link>
            ) : (
              <Link className="btn btn-secondary" to="/inbox">
                <Icon name="inbox" size={16} />
                {t('testPhone.openInbox')}
              </Link>
            )}
          </div>
        </aside>

        <div className="phone" data-testid="test-phone">
          <div className="phone-frame">
            <div className="phone-notch" aria-hidden="true" />
            <header className="phone-header">
              <Avatar name={business || 'Chorus'} seed={me?.tenant.id} size={36} />
              <span className="phone-header-text">
                <span className="phone-header-name">{business}</span>
                <span className="phone-header-sub">
                  {t('testPhone.sandboxNumber', { number: formatPhone(sandboxNumber?.display_phone_number ?? '15550000000') })}
                </span>
              </span>
            </header>
            <BubbleContext.Provider value={bubbleContext}>
            <div className="phone-chat" ref={chat} data-testid="phone-thread">
              <div className="phone-banner">
                <Icon name="lock" size={12} />
                {t('testPhone.banner', { name: name || DEFAULT_PERSONA.name })}
              </div>
              {!from ? null : !loaded && !error ? (
                <div className="phone-empty">{t('common.loading')}</div>
              ) : thread.length === 0 ? (
                <div className="phone-empty">{t('testPhone.empty')}</div>
              ) : (
                thread.map((m) => {
                  if (reactions.attached.has(m.id)) return null;
                  const day = dayKey(m.sent_at);
                  const separator = day !== lastDay;
                  lastDay = day;
                  return (
                    <Fragment key={m.id}>
                      {separator && (
                        <div className="day-separator day-separator-phone">
                          <span>{dayLabel(t, m.sent_at, now)}</span>
                        </div>
                      )}
                      <MessageBubble
                        message={m}
                        side={m.direction === 'inbound' ? 'end' : 'start'}
                        thread={thread}
                        ticks={m.direction === 'outbound'}
                        authorOf={authorOf}
                        reactions={reactions.byMessage.get(m.id)}
                      />
                    </Fragment>
                  );
                })
              )}
            </div>
            </BubbleContext.Provider>
            {upload && (
              <div className="phone-upload" role="status">
                <Icon name="image" size={14} />
                <span className="phone-upload-name">{t('testPhone.sendingPhoto', { name: upload.name })}</span>
                <span className="progress" aria-hidden="true">
                  <span className="progress-bar" style={{ width: `${Math.max(4, upload.progress * 100)}%` }} />
                </span>
              </div>
            )}
            {error && (
              <div className="phone-error" role="alert">
                <Icon name="alert" size={14} />
                <span>{error}</span>
              </div>
            )}
            <div className="phone-actions">
              <button
                type="button"
                className="phone-chip"
                disabled={!ready || busy || upload !== null}
                onClick={() => photo.current?.click()}
                title={t('testPhone.photoHint')}
              >
                <Icon name="camera" size={14} />
                {t('testPhone.sendPhoto')}
              </button>
              <input
                ref={photo}
                type="file"
                accept="image/jpeg,image/png"
                className="sr-only"
                tabIndex={-1}
                aria-label={t('testPhone.sendPhoto')}
                data-testid="phone-photo"
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  e.target.value = '';
                  if (file) void sendPhoto(file);
                }}
              />
              <Menu icon="mapPin" label={t('testPhone.sendLocation')} disabled={!ready || busy}>
                {(close) =>
                  PLACES.map((p) => (
                    <button
                      key={p.key}
                      type="button"
                      role="menuitem"
                      className="menu-item"
                      onClick={() => {
                        close();
                        void deliver({ location: { latitude: p.latitude, longitude: p.longitude, name: t(`testPhone.places.${p.key}`) } });
                      }}
                    >
                      <span className="menu-item-main">
                        <span className="menu-item-name">{t(`testPhone.places.${p.key}`)}</span>
                        <span className="menu-item-sub">
                          {p.latitude.toFixed(4)}, {p.longitude.toFixed(4)}
                        </span>
                      </span>
                    </button>
                  ))
                }
              </Menu>
              <Menu icon="pointer" label={t('testPhone.sendButton')} disabled={!ready || busy}>
                {(close) =>
                  BUTTONS.map((key) => (
                    <button
                      key={key}
                      type="button"
                      role="menuitem"
                      className="menu-item"
                      onClick={() => {
                        close();
                        void deliver({ button_reply: { id: key, title: t(`testPhone.buttons.${key}`) } });
                      }}
                    >
                      <span className="menu-item-name">{t(`testPhone.buttons.${key}`)}</span>
                    </button>
                  ))
                }
              </Menu>
            </div>
            <form
              className="phone-input"
              onSubmit={(e) => {
                e.preventDefault();
                void sendText();
              }}
            >
              <textarea
                ref={input}
                className="phone-textarea"
                rows={1}
                value={text}
                placeholder={t('testPhone.placeholder')}
                aria-label={t('testPhone.messageLabel')}
                disabled={!ready}
                maxLength={4096}
                onChange={(e) => setText(e.target.value)}
                onKeyDown={(e) => {
                  if (isSendKey({ key: e.key, shiftKey: e.shiftKey, altKey: e.altKey, isComposing: e.nativeEvent.isComposing })) {
                    e.preventDefault();
                    void sendText();
                  }
                }}
              />
              <button
                type="submit"
                className="phone-send"
                disabled={!ready || busy || !text.trim()}
                aria-label={t('testPhone.send')}
                title={t('testPhone.send')}
              >
                <Icon name="send" size={18} />
              </button>
            </form>
          </div>
        </div>
      </div>
    </div>
  );
}
