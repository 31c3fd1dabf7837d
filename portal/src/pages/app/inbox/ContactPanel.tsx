// The right-hand pane: who the customer is and where this conversation stands. The contact's
// tags, attributes, opt-in and blocked state and their other conversations come from
// `GET /api/v1/contacts/{id}` (only those the person may see), with a link to the full profile
// (Settings → Contacts); fields an older server does not send are left out.
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { contacts, isApiError, type Agent, type Conversation, type WhatsAppNumber } from '../../../api';
import { useSession } from '../../../auth/session';
import { Badge } from '../../../components/Badge';
import { ConsentHistory } from '../../../components/ConsentHistory';
import { Icon } from '../../../components/Icon';
import { formatPhone } from '../../../lib/phone';
import { fullDateTime, shortAgo } from '../../../lib/time';
import { useLoader } from '../../../lib/useLoader';
import { useNow } from '../../../lib/live';
import { hasTeamInbox, PresenceDot, PriorityBadge, SlaBadge, TagPills } from './bits';
import { ContactAvatar, contactDisplay, numberLabel, WindowCountdown } from './ConversationView';
import { CsatSurveys } from './CsatSurveys';

interface Referral {
  headline?: string;
  body?: string;
  source_url?: string;
  source_type?: string;
  source_id?: string;
}

function readReferral(r: unknown): Referral | null {
  if (!r || typeof r !== 'object') return null;
  const o = r as Record<string, unknown>;
  const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const ref = { headline: s('headline'), body: s('body'), source_url: s('source_url'), source_type: s('source_type'), source_id: s('source_id') };
  return ref.headline || ref.body || ref.source_url || ref.source_id ? ref : null;
}

function safeUrl(u: string | undefined): string | null {
  return u && /^https?:\/\//i.test(u) ? u : null;
}

export function ContactPanel({
  conversation: conv,
  numbers,
  agents,
  search,
  onClose,
}: {
  conversation: Conversation;
  numbers: WhatsAppNumber[];
  agents: Agent[];
  /** The list's query string, kept when opening a past conversation. */
  search: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { me, can } = useSession();
  const now = useNow(30_000);
  const who = contactDisplay(conv.contact);
  const number = numbers.find((n) => n.id === conv.number_id);
  const rich = hasTeamInbox(conv);
  const referral = readReferral(conv.referral);
  const assignee = conv.assignee_id ? agents.find((a) => a.id === conv.assignee_id) : undefined;
  const assigneeName = conv.assignee_id
    ? conv.assignee_id === me?.membership.id
      ? t('inbox.actions.you')
      : (conv.assignee_name ?? assignee?.name ?? t('inbox.actions.someone'))
    : t('inbox.actions.unassigned');
  const waId = conv.contact.wa_id;
  const contactId = conv.contact.id;
  // Reloaded when this conversation changes (tags, status), so the list stays current.
  const detail = useLoader(
    () =>
      contactId
        ? contacts.get(contactId).catch((e) => {
            // An older server has no such endpoint; a contact one may not see is just left out.
            if (isApiError(e) && (e.status === 404 || e.status === 403)) return null;
            throw e;
          })
        : Promise.resolve(null),
    [contactId, conv.id, conv.status],
  );
  const contactTags = detail.data?.tags ?? (conv.contact as { tags?: Conversation['tags'] }).tags;
  const history = detail.data ? detail.data.conversations.filter((c) => c.id !== conv.id) : null;
  const attributes = Object.entries(detail.data?.attributes ?? {});

  return (
    <aside className="contact-panel" aria-label={t('inbox.panel.label')} data-testid="contact-panel">
      <div className="contact-panel-head">
        <ContactAvatar contact={conv.contact} size={56} />
        <div className="contact-panel-name">{who.title}</div>
        {who.subtitle && <div className="contact-panel-sub">{who.subtitle}</div>}
        <button type="button" className="icon-button icon-button-sm contact-panel-close" onClick={onClose} aria-label={t('inbox.panel.hide')} title={t('inbox.panel.hide')}>
          <Icon name="x" size={16} />
        </button>
      </div>

      {detail.data?.blocked && (
        <div className="contact-section" data-testid="panel-blocked">
          <Badge tone="danger">{t('inbox.panel.blocked')}</Badge>
        </div>
      )}
      <section className="contact-section">
        <h3 className="contact-section-title">{t('inbox.panel.contact')}</h3>
        <dl className="contact-fields">
          {waId && (
            <>
              <dt>{t('inbox.panel.phone')}</dt>
              <dd>{formatPhone(waId)}</dd>
              <dt>{t('inbox.panel.waId')}</dt>
              <dd className="mono">{waId}</dd>
            </>
          )}
          {detail.data?.opt_in && (
            <>
              <dt>{t('inbox.panel.optIn')}</dt>
              <dd data-testid="panel-opt-in">
                <Badge tone={detail.data.opt_in.state === 'opted_in' ? 'success' : detail.data.opt_in.state === 'opted_out' ? 'danger' : 'neutral'}>
                  {t(`contacts.optIn.${detail.data.opt_in.state}`, { defaultValue: detail.data.opt_in.state })}
                </Badge>
              </dd>
            </>
          )}
          {detail.data?.email && (
            <>
              <dt>{t('contacts.email')}</dt>
              <dd>{detail.data.email}</dd>
            </>
          )}
          {attributes.length > 0 && (
            <>
              <dt>{t('inbox.panel.attributes')}</dt>
              <dd>
                <dl className="contact-attributes" data-testid="panel-attributes">
                  {attributes.map(([k, v]) => (
                    <div key={k}>
                      <dt className="mono">{k}</dt>
                      <dd>{String(v)}</dd>
                    </div>
                  ))}
                </dl>
              </dd>
            </>
          )}
          {contactTags && (
            <>
              <dt>{t('inbox.panel.contactTags')}</dt>
              <dd>{contactTags.length ? <TagPills tags={contactTags} max={8} /> : <span className="muted">{t('inbox.panel.noTags')}</span>}</dd>
            </>
          )}
        </dl>
        {detail.data && can('contacts:manage') && (
          <Link to={`/settings/contacts/${detail.data.id}`} className="contact-profile-link" data-testid="panel-profile-link">
            <Icon name="user" size={14} />
            {t('inbox.panel.openProfile')}
          </Link>
        )}
      </section>

      {/* Once the contact has loaded (and only then): reloaded when its opt-in changes. */}
      {contactId && detail.data && (
        <ConsentHistory className="contact-section" contactId={contactId} reloadKey={`${detail.data.opt_in?.state ?? ''}:${detail.data.opt_in?.changed_at ?? ''}`} />
      )}
      <section className="contact-section">
        <h3 className="contact-section-title">{t('inbox.panel.conversation')}</h3>
        <dl className="contact-fields">
          <dt>{t('inbox.panel.status')}</dt>
          <dd data-testid="panel-status">
            <Badge tone={conv.status === 'resolved' ? 'success' : conv.status === 'open' ? 'brand' : 'warning'}>
              {t(`inbox.status.${conv.status}`, { defaultValue: conv.status })}
            </Badge>
            {conv.status === 'snoozed' && conv.snoozed_until && (
              <span className="contact-field-note">{t('inbox.snooze.until', { time: fullDateTime(conv.snoozed_until) })}</span>
            )}
          </dd>
          {conv.sla && conv.status !== 'resolved' && (
            <>
              <dt>{t('sla.panel.title')}</dt>
              <dd data-testid="panel-sla">
                <SlaBadge sla={conv.sla} testId="panel-sla-badge" />
                {conv.sla.status === 'met' && <Badge tone="success">{t('sla.badge.met')}</Badge>}
                {(
                  [
                    ['first_response', conv.sla.first_response_due_at],
                    ['next_response', conv.sla.next_response_due_at],
                    ['resolution', conv.sla.resolution_due_at],
                  ] as const
                )
                  .filter(([, at]) => at)
                  .map(([target, at]) => (
                    <span key={target} className="contact-field-note">
                      {t('sla.panel.due', { target: t(`sla.targets.${target}`), time: fullDateTime(at!) })}
                    </span>
                  ))}
              </dd>
            </>
          )}
          {rich && (
            <>
              <dt>{t('inbox.panel.priority')}</dt>
              <dd>
                <PriorityBadge priority={conv.priority} showNone />
              </dd>
              <dt>{t('inbox.panel.team')}</dt>
              <dd>{conv.team_name ?? <span className="muted">{t('inbox.panel.noTeam')}</span>}</dd>
            </>
          )}
          <dt>{t('inbox.panel.assignee')}</dt>
          <dd className="contact-assignee">
            {assignee && <PresenceDot status={assignee.presence} name={assignee.name} />}
            {assigneeName}
          </dd>
          {rich && (
            <>
              <dt>{t('tags.title')}</dt>
              <dd>{conv.tags && conv.tags.length ? <TagPills tags={conv.tags} max={10} /> : <span className="muted">{t('inbox.panel.noTags')}</span>}</dd>
            </>
          )}
          <dt>{t('inbox.panel.window')}</dt>
          <dd>
            <WindowCountdown expiresAt={conv.window_expires_at} testId="panel-window" />
          </dd>
          {conv.waiting_since && (
            <>
              <dt>{t('inbox.panel.waitingSince')}</dt>
              <dd title={fullDateTime(conv.waiting_since)}>{shortAgo(t, conv.waiting_since, now)}</dd>
            </>
          )}
          <dt>{t('inbox.panel.openedAt')}</dt>
          <dd title={fullDateTime(conv.opened_at)}>{shortAgo(t, conv.opened_at, now)}</dd>
          {numbers.length > 1 && number && (
            <>
              <dt>{t('nav.numbers')}</dt>
              <dd>{numberLabel(number)}</dd>
            </>
          )}
        </dl>
      </section>

      <CsatSurveys conversationId={conv.id} status={conv.status} />

      {referral && (
        <section className="contact-section" data-testid="panel-referral">
          <h3 className="contact-section-title">{t('inbox.panel.referral')}</h3>
          <div className="referral-card">
            {referral.headline && <div className="referral-headline">{referral.headline}</div>}
            {referral.body && <div className="referral-body">{referral.body}</div>}
            {safeUrl(referral.source_url) && (
              <a className="referral-link" href={safeUrl(referral.source_url)!} target="_blank" rel="noopener noreferrer nofollow">
                <Icon name="external" size={13} />
                {t('inbox.panel.referralOpen')}
              </a>
            )}
          </div>
        </section>
      )}

      {history != null && (
        <section className="contact-section" data-testid="panel-history">
          <h3 className="contact-section-title">{t('inbox.panel.history')}</h3>
          {history.length === 0 ? (
            <p className="muted contact-empty">{t('inbox.panel.historyEmpty')}</p>
          ) : (
            <ul className="contact-history">
              {history.map((c) => (
                <li key={c.id}>
                  <Link to={`/inbox/${c.id}${search}`} className="contact-history-item" data-testid="panel-history-item">
                    <span className="contact-history-preview">{c.last_message_preview || '…'}</span>
                    <span className="contact-history-time" title={fullDateTime(c.resolved_at ?? c.opened_at)}>
                      {c.status !== 'resolved' ? `${t(`inbox.status.${c.status}`, { defaultValue: c.status })} · ` : ''}
                      {shortAgo(t, c.resolved_at ?? c.opened_at, now)}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </aside>
  );
}
