import { useTranslation } from 'react-i18next';
import { describeError } from '../lib/errors';
import { EmptyState } from './EmptyState';

export function LoadError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <EmptyState
      icon="alert"
      title={t('errors.loadFailed')}
      action={
        <button type="button" className="btn btn-secondary" onClick={onRetry}>
          {t('common.retry')}
        </button>
      }
    >
      {describeError(t, error)}
    </EmptyState>
  );
}
