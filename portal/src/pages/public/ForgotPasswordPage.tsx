import { useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { accounts } from '../../api';
import { Alert } from '../../components/Alert';
import { AuthLayout, AuthStatus } from '../../components/AuthLayout';
import { TextField } from '../../components/Field';
import { splitApiError } from '../../lib/errors';
import { EMAIL_RE } from '../../lib/validate';

export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setFormError(null);
    const value = email.trim();
    if (!value) return setError(t('validation.required'));
    if (!EMAIL_RE.test(value)) return setError(t('validation.email'));
    setError(undefined);
    setBusy(true);
    try {
      await accounts.forgotPassword(value);
      setSent(value);
    } catch (e) {
      const { form, fields } = splitApiError(t, e, ['email']);
      setError(fields.email);
      setFormError(form);
    } finally {
      setBusy(false);
    }
  }

  if (sent) {
    return (
      <AuthLayout>
        <AuthStatus icon="mail" tone="brand" title={t('auth.forgot.sentTitle')}>
          <p className="auth-text">
            <Trans i18nKey="auth.forgot.sentBody" values={{ email: sent }} components={{ strong: <strong /> }} />
          </p>
          <div className="auth-actions">
            <Link className="btn btn-secondary" to="/login">
              {t('auth.forgot.backToLogin')}
            </Link>
          </div>
        </AuthStatus>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title={t('auth.forgot.title')}
      subtitle={t('auth.forgot.subtitle')}
      footer={<Link to="/login">{t('auth.forgot.backToLogin')}</Link>}
    >
      <form onSubmit={submit} noValidate className="form">
        {formError && <Alert>{formError}</Alert>}
        <TextField
          label={t('auth.forgot.email')}
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={error}
        />
        <button type="submit" className="btn btn-primary btn-block btn-lg" disabled={busy}>
          {busy ? t('auth.forgot.submitting') : t('auth.forgot.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}
