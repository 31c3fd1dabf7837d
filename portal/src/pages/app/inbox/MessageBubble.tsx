// One message as a chat bubble: every kind WhatsApp can deliver, the quoted message, the time and
// (for what the business sent) the delivery ticks or why it failed. Shared by the inbox and the
// test phone, which only differ in which side each direction goes.
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Message, Template } from '../../../api';
import { Icon, type IconName } from '../../../components/Icon';
import { RichText } from '../../../components/RichText';
import { initials } from '../../../lib/format';
import { automaticKind, content, num, osmUrl, str, summarize, tickFor } from '../../../lib/messages';
import type { ReactionChip } from '../../../lib/reactions';
import { buttonsOf, component, substitute } from '../../../lib/templates';
import { useBubbleContext, type TappedReply } from './bubbleContext';
import { MediaView } from './MediaView';
import { formatPhone } from '../../../lib/phone';
import { clockTime, fullDateTime } from '../../../lib/time';

export function StatusTicks({ status }: { status: string }) {
  const { t } = useTranslation();
  const tick = tickFor(status);
  const label = t(`messages.status.${tick}`);
  const icon: IconName = tick === 'pending' ? 'clock' : tick === 'sent' ? 'check' : tick === 'failed' ? 'alert' : 'checks';
  return (
    <span className={`ticks ticks-${tick}`} role="img" aria-label={label} title={label} data-testid="ticks" data-tick={tick}>
      <Icon name={icon} size={tick === 'pending' || tick === 'failed' ? 13 : tick === 'sent' ? 15 : 18} strokeWidth={2.3} />
    </span>
  );
}

function Labelled({ icon, label, children }: { icon: IconName; label: ReactNode; children?: ReactNode }) {
  return (
    <div className="msg-labelled">
      <span className="msg-label">
        <Icon name={icon} size={13} />
        {label}
      </span>
      {children}
    </div>
  );
}

/** A shared place: name, address, coordinates and a map link (also the composer's preview). */
export function Location({ message }: { message: Pick<Message, 'body' | 'content'> }) {
  const { t } = useTranslation();
  const c = content(message);
  const lat = num(c.latitude);
  const lon = num(c.longitude);
  const name = str(c.name) ?? str(message.body);
  const address = str(c.address);
  return (
    <div className="location-card">
      <span className="location-pin">
        <Icon name="mapPin" size={20} />
      </span>
      <span className="location-text">
        <span className="location-name">{name ?? t('messages.kinds.location')}</span>
        {address && address !== name && <span className="location-address">{address}</span>}
        {lat !== null && lon !== null ? (
          <>
            <span className="location-coords">
              {lat.toFixed(5)}, {lon.toFixed(5)}
            </span>
            <a className="location-link" href={osmUrl(lat, lon)} target="_blank" rel="noopener noreferrer nofollow">
              {t('messages.openMap')}
              <Icon name="external" size={12} />
            </a>
          </>
        ) : (
          <span className="location-address">{t('messages.noCoordinates')}</span>
        )}
      </span>
    </div>
  );
}

interface SharedContact {
  formatted_name?: unknown;
  organisation?: unknown;
  phones?: unknown;
  emails?: unknown;
}

function Contacts({ message }: { message: Message }) {
  const { t } = useTranslation();
  const list = Array.isArray(content(message).contacts) ? (content(message).contacts as SharedContact[]) : [];
  if (list.length === 0) return <Labelled icon="user" label={t('messages.kinds.contacts')} />;
  return (
    <div className="contact-cards">
      {list.map((card, i) => {
        const name = str(card.formatted_name) ?? t('messages.unnamedContact');
        const phones = Array.isArray(card.phones) ? (card.phones as { phone?: unknown; label?: unknown; wa_id?: unknown }[]) : [];
        const emails = Array.isArray(card.emails) ? card.emails.filter((e): e is string => typeof e === 'string') : [];
        return (
          <div className="contact-card" key={i} data-testid="contact-card">
            <span className="contact-card-avatar" aria-hidden="true">
              {initials(name)}
            </span>
            <span className="contact-card-text">
              <span className="contact-card-name">{name}</span>
              {str(card.organisation) && <span className="contact-card-line">{String(card.organisation)}</span>}
              {phones.map((p, j) => {
                const phone = str(p.phone) ?? str(p.wa_id);
                if (!phone) return null;
                return (
                  <span className="contact-card-line" key={`p${j}`}>
                    {str(p.label) && <span className="contact-card-label">{String(p.label).toLowerCase()}</span>}
                    {formatPhone(phone)}
                  </span>
                );
              })}
              {emails.map((e) => (
                <span className="contact-card-line" key={e}>
                  {e}
                </span>
              ))}
            </span>
          </div>
        );
      })}
    </div>
  );
}

interface OrderItem {
  product_retailer_id?: unknown;
  quantity?: unknown;
  item_price?: unknown;
  currency?: unknown;
}

function Order({ message }: { message: Message }) {
  const { t } = useTranslation();
  const c = content(message);
  const items = Array.isArray(c.product_items) ? (c.product_items as OrderItem[]) : [];
  return (
    <Labelled icon="cart" label={t('messages.kinds.order')}>
      {items.length > 0 && (
        <ul className="order-items">
          {items.map((item, i) => (
            <li key={i}>
              {num(item.quantity) ?? 1} × {str(item.product_retailer_id) ?? '?'}
              {num(item.item_price) !== null && (
                <span className="muted">
                  {' '}
                  · {num(item.item_price)} {str(item.currency) ?? ''}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {str(c.text) && <RichText text={String(c.text)} />}
    </Labelled>
  );
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function strings(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v))) if (typeof x === 'string') out[k] = x;
  return out;
}

/** A row of buttons under a business message: tappable on the test phone, drawn in the inbox. */
function ReplyButtons({ buttons, onTap }: { buttons: { id: string; title: string; icon?: IconName; href?: string }[]; onTap?: (b: { id: string; title: string }) => void }) {
  return (
    <div className="msg-buttons" data-testid="message-buttons">
      {buttons.map((b, i) =>
        b.href ? (
          <a key={i} className="msg-button" href={b.href} target="_blank" rel="noopener noreferrer nofollow">
            {b.icon && <Icon name={b.icon} size={14} />}
            {b.title}
          </a>
        ) : (
          <button key={i} type="button" className="msg-button" disabled={!onTap} onClick={() => onTap?.(b)}>
            {b.icon && <Icon name={b.icon} size={14} />}
            {b.title}
          </button>
        ),
      )}
    </div>
  );
}

interface ListRow {
  id: string;
  title: string;
  description?: string;
}

/** A list message's button: opens its rows (a row can be picked on the test phone). */
function ListButton({ label, sections, onPick }: { label: string; sections: { title?: string; rows: ListRow[] }[]; onPick?: (row: ListRow) => void }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    // The rows open under the bubble: bring them into view (jsdom has no scrollIntoView).
    root.current?.querySelector('.msg-list-rows')?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
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
    <div className="msg-list" ref={root}>
      <div className="msg-buttons">
        <button type="button" className="msg-button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          <Icon name="list" size={14} />
          {label}
        </button>
      </div>
      {open && (
        <div className="msg-list-rows" role={onPick ? 'menu' : undefined} aria-label={label}>
          {sections.map((s, i) => (
            <div key={i} className="msg-list-section">
              {s.title && <div className="msg-list-title">{s.title}</div>}
              {s.rows.map((r) =>
                onPick ? (
                  <button
                    key={r.id}
                    type="button"
                    role="menuitem"
                    className="msg-list-row"
                    onClick={() => {
                      setOpen(false);
                      onPick({ id: r.id, title: r.title });
                    }}
                  >
                    <span className="msg-list-row-title">{r.title}</span>
                    {r.description && <span className="msg-list-row-detail">{r.description}</span>}
                  </button>
                ) : (
                  <div key={r.id} className="msg-list-row">
                    <span className="msg-list-row-title">{r.title}</span>
                    {r.description && <span className="msg-list-row-detail">{r.description}</span>}
                  </div>
                ),
              )}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

interface Interactive {
  kind: 'buttons' | 'list';
  header: string | null;
  body: string | null;
  footer: string | null;
  buttons: { id: string; title: string }[];
  button: string | null;
  sections: { title?: string; rows: ListRow[] }[];
}

function rowsOf(sections: unknown): Interactive['sections'] {
  return (Array.isArray(sections) ? sections : []).map((raw) => {
    const s = obj(raw);
    const rows = (Array.isArray(s.rows) ? s.rows : [])
      .map((r) => obj(r))
      .filter((r) => str(r.id) && str(r.title))
      .map((r) => ({ id: String(r.id), title: String(r.title), description: str(r.description) ?? undefined }));
    return { title: str(s.title) ?? undefined, rows };
  });
}

/**
 * Buttons or a list the business sent: Chorus stores what it sent as `content.outbound`
 * (`{type: "buttons"|"list", header, body, footer, buttons|button+sections}`); Meta's own shape
 * (`content.interactive`) is read too.
 */
export function interactiveOf(m: Pick<Message, 'content' | 'body'>): Interactive | null {
  const c = content(m);
  const out = obj(c.outbound);
  if (out.type === 'buttons' || out.type === 'list') {
    const h = out.header;
    const header = typeof h === 'string' ? h : str(obj(h).text);
    const buttons = (Array.isArray(out.buttons) ? out.buttons : [])
      .map((b) => obj(b))
      .filter((b) => str(b.id) && str(b.title))
      .map((b) => ({ id: String(b.id), title: String(b.title) }));
    return {
      kind: out.type,
      header: header ? String(header) : null,
      body: str(out.body) ?? str(m.body),
      footer: str(out.footer),
      buttons,
      button: str(out.button),
      sections: rowsOf(out.sections),
    };
  }
  if (c.interactive && typeof c.interactive === 'object') {
    const i = obj(c.interactive);
    const action = obj(i.action);
    const buttons = (Array.isArray(action.buttons) ? action.buttons : [])
      .map((raw) => obj(obj(raw).reply))
      .filter((r) => str(r.id) && str(r.title))
      .map((r) => ({ id: String(r.id), title: String(r.title) }));
    return {
      kind: i.type === 'list' ? 'list' : 'buttons',
      header: str(obj(i.header).text),
      body: str(obj(i.body).text) ?? str(m.body),
      footer: str(obj(i.footer).text),
      buttons,
      button: str(action.button),
      sections: rowsOf(action.sections),
    };
  }
  return null;
}

/** Buttons or a list the business sent; tappable on the test phone. */
function InteractiveSent({ interactive: i }: { interactive: Interactive }) {
  const { onReply } = useBubbleContext();
  const tap = (kind: TappedReply['kind']) => (onReply ? (b: { id: string; title: string }) => onReply({ kind, ...b }) : undefined);
  return (
    <div className="msg-rich">
      {i.header && <div className="msg-rich-header">{i.header}</div>}
      {i.body && <RichText text={i.body} />}
      {i.footer && <div className="msg-rich-footer">{i.footer}</div>}
      {i.kind === 'list' ? (
        <ListButton label={i.button ?? '…'} sections={i.sections} onPick={tap('list')} />
      ) : (
        i.buttons.length > 0 && <ReplyButtons buttons={i.buttons} onTap={tap('button')} />
      )}
    </div>
  );
}

function templateButtons(template: Pick<Template, 'components'>, values: Record<string, string>) {
  return buttonsOf(template).map((b, index) => {
    const type = (b.type ?? '').toUpperCase();
    const title = b.text ?? '';
    if (type === 'URL' && b.url) {
      const href = substitute(b.url, { ...values, 1: values[String(index)] ?? '' });
      return { id: `url-${index}`, title, icon: 'external' as IconName, href: /^https?:\/\//i.test(href) ? href : undefined };
    }
    if (type === 'PHONE_NUMBER' && b.phone_number) return { id: `tel-${index}`, title, icon: 'phone' as IconName, href: `tel:${b.phone_number}` };
    if (type === 'COPY_CODE') return { id: `code-${index}`, title, icon: 'copy' as IconName };
    return { id: title, title };
  });
}

/** A template the business sent: header, the rendered body, footer and buttons. */
function TemplateSent({ message }: { message: Message }) {
  const { t } = useTranslation();
  const { templates, onReply, viewer } = useBubbleContext();
  const c = content(message);
  const ref = obj(c.template);
  const params = obj(c.parameters);
  const known = str(ref.id) ? templates.get(String(ref.id)) : undefined;
  // The server keeps the template's components with the message; the list is the fallback.
  const template = Array.isArray(c.components) ? { components: c.components as Template['components'] } : known;
  const name = str(ref.name) ?? known?.name ?? null;
  const headerC = template ? component(template, 'HEADER') : undefined;
  const headerText = headerC && (headerC.format ?? 'TEXT').toUpperCase() === 'TEXT' && headerC.text ? substitute(headerC.text, strings(params.header)) : null;
  const bodyTemplate = template ? component(template, 'BODY')?.text : undefined;
  const body = str(message.body) ?? (bodyTemplate ? substitute(bodyTemplate, strings(params.body)) : null);
  const footer = template ? component(template, 'FOOTER')?.text : undefined;
  const buttons = template ? templateButtons(template, strings(params.buttons)) : [];
  return (
    <div className="msg-rich" data-template={name ?? undefined}>
      {viewer === 'agent' && (
        <span className="msg-label">
          <Icon name="template" size={13} />
          {name ? t('messages.templateNamed', { name }) : t('messages.kinds.template')}
        </span>
      )}
      {message.media && <MediaView message={{ ...message, kind: message.media.mime_type?.startsWith('video/') ? 'video' : message.media.mime_type?.startsWith('image/') ? 'image' : 'document', body: null, content: {} }} />}
      {headerText && <div className="msg-rich-header">{headerText}</div>}
      {body && <RichText text={body} />}
      {footer && <div className="msg-rich-footer">{footer}</div>}
      {buttons.length > 0 && (
        <ReplyButtons
          buttons={buttons}
          onTap={onReply ? (b) => (b.id.startsWith('url-') || b.id.startsWith('tel-') || b.id.startsWith('code-') ? undefined : onReply({ kind: 'button', id: b.id, title: b.title })) : undefined}
        />
      )}
    </div>
  );
}

/** The emoji offered by a message's react button. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

/**
 * A message's react button: a few common emoji; picking the current one takes it back (the
 * business has one reaction per message, as in WhatsApp).
 */
function ReactButton({ current, onPick }: { current: string | null; onPick: (emoji: string) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [place, setPlace] = useState<{ below: boolean; dx: number }>({ below: false, dx: 0 });
  const root = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const picker = useRef<HTMLDivElement>(null);
  // Keep the picker inside the thread: below the button when there is no room above (the first
  // messages), and shifted sideways rather than cut off at narrow widths.
  useLayoutEffect(() => {
    if (!open) {
      setPlace({ below: false, dx: 0 });
      return;
    }
    const el = root.current;
    const box = picker.current?.getBoundingClientRect();
    if (!el || !box) return;
    const scroller = el.closest('.thread-scroll, .phone-chat');
    const area = scroller ? scroller.getBoundingClientRect() : { top: 0, left: 0, right: window.innerWidth };
    const below = el.getBoundingClientRect().top - area.top < box.height + 12;
    const margin = 8;
    const dx = box.right > area.right - margin ? area.right - margin - box.right : box.left < area.left + margin ? area.left + margin - box.left : 0;
    setPlace({ below, dx });
  }, [open]);
  useEffect(() => {
    if (!open) return;
    const el = root.current;
    const picked = el?.querySelector<HTMLElement>('[aria-pressed="true"]') ?? el?.querySelector<HTMLElement>('.msg-react-emoji');
    picked?.focus();
    const onDown = (e: MouseEvent) => {
      if (el && !el.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);
  const close = (focus: boolean) => {
    setOpen(false);
    if (focus) trigger.current?.focus();
  };
  return (
    <div className={`msg-react${open ? ' msg-react-open' : ''}`} ref={root}>
      <button
        ref={trigger}
        type="button"
        className="msg-action"
        aria-label={t('messages.react')}
        title={t('messages.react')}
        aria-expanded={open}
        aria-haspopup="true"
        onClick={() => setOpen((o) => !o)}
        data-testid="react-button"
      >
        <Icon name="smile" size={15} />
      </button>
      {open && (
        <div
          ref={picker}
          className={`msg-react-picker${place.below ? ' msg-react-picker-below' : ''}`}
          style={place.dx ? { translate: `${Math.round(place.dx)}px 0` } : undefined}
          role="group"
          aria-label={t('messages.reactions')}
          data-testid="reaction-picker"
          onKeyDown={(e) => {
            const items = [...(root.current?.querySelectorAll<HTMLElement>('.msg-react-emoji') ?? [])];
            const at = items.indexOf(document.activeElement as HTMLElement);
            if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
              e.preventDefault();
              items[(at + (e.key === 'ArrowRight' ? 1 : items.length - 1)) % items.length]?.focus();
            } else if (e.key === 'Escape') {
              e.preventDefault();
              e.stopPropagation();
              close(true);
            } else if (e.key === 'Tab') {
              setOpen(false);
            }
          }}
        >
          {QUICK_REACTIONS.map((emoji) => {
            const mine = emoji === current;
            const label = mine ? t('messages.removeReaction', { emoji }) : t('messages.reactWith', { emoji });
            return (
              <button
                key={emoji}
                type="button"
                className={`msg-react-emoji${mine ? ' msg-react-emoji-mine' : ''}`}
                aria-pressed={mine}
                aria-label={label}
                title={label}
                onClick={() => {
                  close(true);
                  onPick(mine ? '' : emoji);
                }}
              >
                {emoji}
              </button>
            );
          })}
        </div>
      )}
    </div>
  );
}

/** The body of a message, by kind. `thread` lets a reaction name the message it reacts to. */
export function MessageContent({ message, thread = [] }: { message: Message; thread?: Message[] }) {
  const { t } = useTranslation();
  const c = content(message);
  const body = str(message.body);
  switch (message.kind) {
    case 'text':
      return <RichText text={body ?? str(c.body) ?? ''} />;
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return <MediaView message={message} />;
    case 'location':
      return <Location message={message} />;
    case 'contacts':
      return <Contacts message={message} />;
    case 'interactive': {
      const sent = interactiveOf(message);
      if (sent) return <InteractiveSent interactive={sent} />;
      if (c.type === 'list_reply') {
        return (
          <Labelled icon="list" label={t('messages.listReply')}>
            <span className="msg-choice">{str(c.title) ?? body}</span>
            {str(c.description) && <span className="msg-choice-detail">{String(c.description)}</span>}
          </Labelled>
        );
      }
      if (c.type === 'button_reply') {
        return (
          <Labelled icon="pointer" label={t('messages.buttonReply')}>
            <span className="msg-choice">{str(c.title) ?? body}</span>
          </Labelled>
        );
      }
      return (
        <Labelled icon="pointer" label={t('messages.interactiveReply', { type: str(c.interactive_type) ?? 'interactive' })}>
          {body && <RichText text={body} />}
        </Labelled>
      );
    }
    case 'button':
      return (
        <Labelled icon="pointer" label={t('messages.buttonReply')}>
          <span className="msg-choice">{str(c.text) ?? body}</span>
        </Labelled>
      );
    case 'reaction': {
      const emoji = str(c.emoji) ?? body;
      const target = str(c.message_id) ? thread.find((m) => m.wamid === c.message_id) : undefined;
      return (
        <span className="reaction">
          {emoji ? (
            <span className="reaction-emoji" role="img" aria-label={t('messages.reactedWith', { emoji })}>
              {emoji}
            </span>
          ) : (
            <span className="muted">{t('messages.reactionRemoved')}</span>
          )}
          {target && <span className="reaction-target">{t('messages.reactedTo', { text: summarize(t, target) })}</span>}
        </span>
      );
    }
    case 'order':
      return <Order message={message} />;
    case 'revoke':
      return (
        <span className="msg-deleted">
          <Icon name="ban" size={14} />
          {t('messages.deleted')}
        </span>
      );
    case 'edit': {
      const inner = c.message && typeof c.message === 'object' ? (c.message as Record<string, unknown>) : {};
      const text = body ?? str(inner.body);
      return (
        <Labelled icon="pencil" label={t('messages.edited')}>
          {text ? <RichText text={text} /> : <span className="muted">{summarize(t, { kind: str(inner.type) ?? 'unknown', body: null, content: inner })}</span>}
        </Labelled>
      );
    }
    case 'system':
      return <span>{body ?? str(c.body) ?? t('messages.systemNotice')}</span>;
    case 'template':
      return <TemplateSent message={message} />;
    case 'unsupported':
      return (
        <span className="msg-unsupported">
          <Icon name="help" size={14} />
          {t('messages.unsupported', { type: str(c.unsupported_type) ?? t('messages.unknownType') })}
        </span>
      );
    default:
      return (
        <span className="msg-unsupported">
          <Icon name="help" size={14} />
          {t('messages.unsupported', { type: message.kind || t('messages.unknownType') })}
          {body && <RichText text={body} />}
        </span>
      );
  }
}

export interface BubbleProps {
  message: Message;
  /** Which side the bubble sits on: 'end' (right) for what this screen's person sent. */
  side: 'start' | 'end';
  /** Every message of the thread (quotes and reactions look their target up by wamid). */
  thread?: Message[];
  /** Delivery ticks (for what the business sent). */
  ticks?: boolean;
  /** Who wrote a quoted message. */
  authorOf?: (m: Message) => string;
  /** A caption above the bubble, e.g. which agent sent it. */
  sender?: string | null;
  onQuoteClick?: (m: Message) => void;
  /** Reactions to this message, shown on it. */
  reactions?: ReactionChip[];
  /** Offers "Reply" (quote this message in the composer). */
  onReplyTo?: (m: Message) => void;
  /** Offers a react button; `emoji` is "" to take the business's reaction back. */
  onReact?: (m: Message, emoji: string) => void;
  /** Marks replies Chorus sent by itself (greeting, away) "Automatic" and bot messages "Bot" (the agents' timeline). */
  markAutomatic?: boolean;
}

export function MessageBubble({ message, side, thread = [], ticks = false, authorOf, sender, onQuoteClick, reactions, onReplyTo, onReact, markAutomatic = false }: BubbleProps) {
  const { t } = useTranslation();
  const automatic = markAutomatic ? automaticKind(message) : null;
  if (message.kind === 'system') {
    return (
      <div className="msg-system" data-testid="message" data-kind="system" id={`msg-${message.id}`}>
        <Icon name="info" size={14} />
        <MessageContent message={message} />
      </div>
    );
  }
  const failed = ticks && message.status === 'failed';
  const visual = (message.kind === 'image' || message.kind === 'video' || message.kind === 'sticker') && message.media?.status === 'ready';
  const quoted = message.reply_to_wamid ? thread.find((m) => m.wamid === message.reply_to_wamid) : undefined;
  const explanation = message.error_explanation || message.error_title || t('messages.failedGeneric');
  // Only messages that reached WhatsApp can be quoted or reacted to.
  const actionable = Boolean(message.wamid) && message.kind !== 'reaction';
  const canReply = Boolean(onReplyTo) && actionable;
  const canReact = Boolean(onReact) && actionable && message.kind !== 'revoke';
  // What the business reacted with (the inbox passes `onReact`; there the business is the agent's side).
  const ownReaction = reactions?.find((r) => r.direction === 'outbound')?.emoji ?? null;
  return (
    <div
      className={`msg msg-${side}${failed ? ' msg-failed' : ''}`}
      data-testid="message"
      data-kind={message.kind}
      data-direction={message.direction}
      data-status={message.status}
      id={`msg-${message.id}`}
    >
      {markAutomatic && message.sender_type === 'bot' ? (
        // Bot messages are always marked, so nobody takes them for a person's reply.
        <span className="msg-sender msg-bot" data-testid="msg-bot" title={t('messages.botHint', { name: message.sender_name ?? '' })}>
          {t('messages.bot')}
          {message.sender_name ? ` · ${message.sender_name}` : ''}
        </span>
      ) : automatic ? (
        <span className="msg-sender msg-automatic" data-testid="msg-automatic" title={t(`messages.automaticHint.${automatic}`)}>
          {t('messages.automatic')}
          {automatic === 'closing' ? ` · ${t('messages.closingMessage')}` : automatic === 'csat' ? ` · ${t('messages.csatSurvey')}` : ''}
        </span>
      ) : (
        sender && <span className="msg-sender">{sender}</span>
      )}
      <div className="msg-row">
      <div className={`bubble${message.kind === 'reaction' ? ' bubble-reaction' : ''}${visual ? ` bubble-visual bubble-${message.kind}` : ''}`}>
        {quoted && (
          <button
            type="button"
            className="quote"
            data-testid="quote"
            onClick={() => onQuoteClick?.(quoted)}
            title={t('messages.showQuoted')}
          >
            <span className="quote-author">{authorOf ? authorOf(quoted) : ''}</span>
            <span className="quote-text">{summarize(t, quoted)}</span>
          </button>
        )}
        <div className="bubble-body">
          <MessageContent message={message} thread={thread} />
        </div>
        <span className="bubble-meta">
          <time dateTime={message.sent_at} title={fullDateTime(message.sent_at)}>
            {clockTime(message.sent_at)}
          </time>
          {ticks && <StatusTicks status={message.status} />}
        </span>
      </div>
      {(canReply || canReact) && (
        <div className="msg-actions">
          {canReact && onReact && <ReactButton current={ownReaction} onPick={(emoji) => onReact(message, emoji)} />}
          {canReply && onReplyTo && (
            <button type="button" className="msg-action" onClick={() => onReplyTo(message)} aria-label={t('messages.replyTo')} title={t('messages.replyTo')} data-testid="reply-button">
              <Icon name="reply" size={15} />
            </button>
          )}
        </div>
      )}
      </div>
      {reactions && reactions.length > 0 && (
        <div className="msg-reactions" data-testid="reactions">
          {reactions.map((r, i) => {
            const who = r.direction === 'inbound' ? (r.name ?? (authorOf ? authorOf({ ...message, direction: 'inbound' }) : '')) : (r.name ?? '');
            const label = who ? t('messages.reactionBy', { name: who, emoji: r.emoji }) : t('messages.reactedWith', { emoji: r.emoji });
            return (
              <span key={i} className={`msg-reaction${r.direction === 'outbound' ? ' msg-reaction-outbound' : ''}`} role="img" aria-label={label} title={label}>
                {r.emoji}
              </span>
            );
          })}
        </div>
      )}
      {failed && (
        <p className="msg-error" data-testid="message-error">
          <Icon name="alert" size={14} />
          <span>
            {explanation}
            {message.error_code !== null && <span className="msg-error-code"> ({t('messages.errorCode', { code: message.error_code })})</span>}
          </span>
        </p>
      )}
    </div>
  );
}
