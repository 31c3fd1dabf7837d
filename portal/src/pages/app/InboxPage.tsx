import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';

// The conversation list arrives with WhatsApp numbers; until then the page says so plainly.
export function InboxPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  return (
    <div className="page">
      <PageHeader title={t('inbox.title')} />
      <div className="card">
        <EmptyState icon="message" title={t('inbox.emptyTitle')}>
          <p>{t('inbox.emptyBody', { business: me?.tenant.name ?? '' })}</p>
          <p className="muted">{t('inbox.emptyHint')}</p>
        </EmptyState>
      </div>
    </div>
  );
}
