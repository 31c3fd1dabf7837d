// One message as a chat bubble: every kind WhatsApp can deliver, the quoted message, the time and
// (for what the business sent) the delivery ticks or why it failed. Shared by the inbox and the
// test phone, which only differ in which side each direction goes.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Message } from '../../../api';
import { Icon, type IconName } from '../../../components/Icon';
import { RichText } from '../../../components/RichText';
import { initials } from '../../../lib/format';
import { content, kindLabel, num, osmUrl, str, summarize, tickFor } from '../../../lib/messages';
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

const MEDIA_ICONS: Record<string, IconName> = {
  image: 'image',
  video: 'video',
  audio: 'music',
  document: 'file',
  sticker: 'smile',
};

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

function Media({ message }: { message: Message }) {
  const { t } = useTranslation();
  const c = content(message);
  const voice = message.kind === 'audio' && c.voice === true;
  const filename = str(c.filename);
  const caption = str(c.caption) ?? (filename ? null : str(message.body));
  const mime = str(c.mime_type);
  return (
    <>
      <div className={`media-placeholder media-${message.kind}`}>
        <span className="media-icon">
          <Icon name={voice ? 'mic' : (MEDIA_ICONS[message.kind] ?? 'file')} size={20} />
        </span>
        <span className="media-text">
          <span className="media-label">{kindLabel(t, message.kind, c)}</span>
          {filename && <span className="media-filename">{filename}</span>}
          <span className="media-note">
            {mime ? `${mime.split(';')[0]} · ` : ''}
            {t('messages.mediaLater')}
          </span>
        </span>
      </div>
      {caption && <RichText text={caption} className="rich-text media-caption" />}
    </>
  );
}

function Location({ message }: { message: Message }) {
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
      return <Media message={message} />;
    case 'location':
      return <Location message={message} />;
    case 'contacts':
      return <Contacts message={message} />;
    case 'interactive': {
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
      return (
        <Labelled icon="file" label={t('messages.kinds.template')}>
          {body && <RichText text={body} />}
        </Labelled>
      );
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
}

export function MessageBubble({ message, side, thread = [], ticks = false, authorOf, sender, onQuoteClick }: BubbleProps) {
  const { t } = useTranslation();
  if (message.kind === 'system') {
    return (
      <div className="msg-system" data-testid="message" data-kind="system" id={`msg-${message.id}`}>
        <Icon name="info" size={14} />
        <MessageContent message={message} />
      </div>
    );
  }
  const failed = ticks && message.status === 'failed';
  const quoted = message.reply_to_wamid ? thread.find((m) => m.wamid === message.reply_to_wamid) : undefined;
  const explanation = message.error_explanation || message.error_title || t('messages.failedGeneric');
  return (
    <div
      className={`msg msg-${side}${failed ? ' msg-failed' : ''}`}
      data-testid="message"
      data-kind={message.kind}
      data-direction={message.direction}
      data-status={message.status}
      id={`msg-${message.id}`}
    >
      {sender && <span className="msg-sender">{sender}</span>}
      <div className={`bubble${message.kind === 'reaction' ? ' bubble-reaction' : ''}`}>
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
