import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { accounts, api } from '../../api';
import { useSession } from '../../auth/session';
import { Alert } from '../../components/Alert';
import { AuthLayout, AuthStatus } from '../../components/AuthLayout';
import { PasswordField } from '../../components/Field';
import { splitApiError } from '../../lib/errors';
import { hasErrors, MIN_PASSWORD, type Errors } from '../../lib/validate';

export function ResetPasswordPage() {
  const { t } = useTranslation();
  const session = useSession();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setFormError(null);
    const local: Errors = {};
    if (!password) local.password = t('validation.required');
    else if (password.length < MIN_PASSWORD) local.password = t('validation.passwordLength');
    if (!confirm) local.confirm = t('validation.required');
    else if (confirm !== password) local.confirm = t('validation.passwordMismatch');
    setErrors(local);
    if (hasErrors(local)) return;
    setBusy(true);
    try {
      await accounts.resetPassword(token, password);
      // Every session of this person has ended on the server; forget ours too.
      api.setSession(null);
      if (session.status === 'authenticated') void session.logout();
      setDone(true);
    } catch (e) {
      const { form, fields } = splitApiError(t, e, ['password']);
      setErrors(fields);
      setFormError(form);
    } finally {
      setBusy(false);
    }
  }

  if (!token) {
    return (
      <AuthLayout>
        <AuthStatus icon="alert" tone="danger" title={t('auth.reset.title')}>
          <p className="auth-text">{t('auth.reset.missingToken')}</p>
          <div className="auth-actions">
            <Link className="btn btn-primary" to="/forgot-password">
              {t('auth.reset.requestNew')}
            </Link>
          </div>
        </AuthStatus>
      </AuthLayout>
    );
  }

  if (done) {
    return (
      <AuthLayout>
        <AuthStatus icon="checkCircle" tone="success" title={t('auth.reset.doneTitle')}>
          <p className="auth-text">{t('auth.reset.doneBody')}</p>
          <div className="auth-actions">
            <Link className="btn btn-primary btn-lg btn-block" to="/login">
              {t('auth.reset.login')}
            </Link>
          </div>
        </AuthStatus>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title={t('auth.reset.title')} subtitle={t('auth.reset.subtitle')}>
      <form onSubmit={submit} noValidate className="form">
        {formError && (
          <Alert>
            {formError}{' '}
            <Link to="/forgot-password">{t('auth.reset.requestNew')}</Link>
          </Alert>
        )}
        <PasswordField
          label={t('auth.reset.password')}
          name="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          hint={t('auth.signup.passwordHint')}
        />
        <PasswordField
          label={t('auth.reset.confirm')}
          name="confirm"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={errors.confirm}
        />
        <button type="submit" className="btn btn-primary btn-block btn-lg" disabled={busy}>
          {busy ? t('auth.reset.submitting') : t('auth.reset.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}
