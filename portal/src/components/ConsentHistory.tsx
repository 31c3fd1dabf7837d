// A contact's consent history (`GET /api/v1/contacts/{id}/consent`, newest first): every change
// of their marketing consent with a readable source (a keyword they wrote, WhatsApp's 131050, an
// agent, an import) and its time. Loaded when the profile opens; a server without the endpoint
// (404) or a contact the person may not see (403) just leaves the section out.
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { contacts, isApiError, type ConsentEvent } from '../api';
import { fullDateTime } from '../lib/time';
import { useLoader } from '../lib/useLoader';
import { Badge } from './Badge';

/** "Wrote “BAJA”", "WhatsApp: stopped marketing messages (131050)", "Changed by an agent", "Import"… */
export function consentSource(t: TFunction, source: string): string {
  if (source.startsWith('keyword:')) return t('consent.source.keyword', { word: source.slice('keyword:'.length) });
  if (source === 'meta:131050') return t('consent.source.meta131050');
  if (source.startsWith('meta:')) return t('consent.source.meta', { code: source.slice('meta:'.length) });
  if (source === 'agent' || source === 'import' || source === 'api') return t(`consent.source.${source}`);
  return source;
}

function tone(state: string) {
  return state === 'opted_in' ? 'success' : state === 'opted_out' ? 'danger' : 'neutral';
}

export function ConsentHistory({ contactId, reloadKey, className }: { contactId: string; reloadKey?: unknown; className?: string }) {
  const { t } = useTranslation();
  const history = useLoader<ConsentEvent[] | null>(
    () =>
      contacts.consent(contactId).catch((e) => {
        if (isApiError(e) && (e.status === 404 || e.status === 403)) return null;
        throw e;
      }),
    [contactId, reloadKey],
  );
  if (history.data === null) return null;
  if (history.data === undefined && !history.error) return null;
  return (
    <section className={`consent-history${className ? ` ${className}` : ''}`} data-testid="consent-history">
      <h3 className="contact-section-title">{t('consent.title')}</h3>
      {history.error && !history.data ? (
        <p className="muted small">{t('consent.loadError')}</p>
      ) : history.data && history.data.length === 0 ? (
        <p className="muted small contact-empty">{t('consent.empty')}</p>
      ) : (
        <ul className="consent-list">
          {history.data?.map((ev) => (
            <li key={ev.id} className="consent-item" data-testid="consent-item">
              <Badge tone={tone(ev.state)}>{t(`contacts.optIn.${ev.state}`, { defaultValue: ev.state })}</Badge>
              <span className="consent-source">{consentSource(t, ev.source)}</span>
              <time className="consent-time muted small" dateTime={ev.created_at}>
                {fullDateTime(ev.created_at)}
              </time>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
