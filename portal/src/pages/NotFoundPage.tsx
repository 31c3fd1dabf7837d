import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { EmptyState } from '../components/EmptyState';
import { Logo } from '../components/Logo';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div className="standalone">
      <Logo size={32} />
      <div className="card standalone-card">
        <EmptyState
          icon="info"
          title={t('notFound.title')}
          action={
            <Link className="btn btn-primary" to="/">
              {t('notFound.home')}
            </Link>
          }
        >
          {t('notFound.body')}
        </EmptyState>
      </div>
    </div>
  );
}

