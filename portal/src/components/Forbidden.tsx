import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session';
import { EmptyState } from './EmptyState';

export function Forbidden() {
  const { t } = useTranslation();
  const { me } = useSession();
  return (
    <div className="page">
      <div className="card">
        <EmptyState icon="lock" title={t('forbidden.title')}>
          {t('forbidden.body', { business: me?.tenant.name ?? '' })}
        </EmptyState>
      </div>
    </div>
  );
}
