import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { accounts } from '../../api';
import { AuthLayout, AuthStatus } from '../../components/AuthLayout';
import { Spinner } from '../../components/Spinner';
import { describeError } from '../../lib/errors';

// A verification token works once, so the request must not repeat when React re-runs effects.
const attempts = new Map<string, Promise<unknown>>();

export function VerifyEmailPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [state, setState] = useState<{ kind: 'working' } | { kind: 'done' } | { kind: 'failed'; error: unknown }>(
    token ? { kind: 'working' } : { kind: 'failed', error: null },
  );

  useEffect(() => {
    if (!token) return;
    let live = true;
    let attempt = attempts.get(token);
    if (!attempt) {
      attempt = accounts.verifyEmail(token);
      attempts.set(token, attempt);
    }
    attempt.then(
      () => live && setState({ kind: 'done' }),
      (error) => live && setState({ kind: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [token]);

  return (
    <AuthLayout>
      {state.kind === 'working' && (
        <div className="auth-status">
          <Spinner label={t('auth.verify.verifying')} />
        </div>
      )}
      {state.kind === 'done' && (
        <AuthStatus icon="checkCircle" tone="success" title={t('auth.verify.successTitle')}>
          <p className="auth-text">{t('auth.verify.successBody')}</p>
          <div className="auth-actions">
            <Link className="btn btn-primary btn-lg btn-block" to="/login">
              {t('auth.verify.login')}
            </Link>
          </div>
        </AuthStatus>
      )}
      {state.kind === 'failed' && (
        <AuthStatus icon="alert" tone="danger" title={t('auth.verify.failedTitle')}>
          <p className="auth-text">{token ? describeError(t, state.error) : t('auth.verify.missingToken')}</p>
          <div className="auth-actions">
            <Link className="btn btn-secondary" to="/login">
              {t('auth.verify.login')}
            </Link>
          </div>
        </AuthStatus>
      )}
    </AuthLayout>
  );
}
