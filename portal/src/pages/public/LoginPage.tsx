import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { accounts, isApiError } from '../../api';
import { useSession } from '../../auth/session';
import { Alert } from '../../components/Alert';
import { AuthLayout } from '../../components/AuthLayout';
import { PasswordField, TextField } from '../../components/Field';
import { PageLoading } from '../../components/Spinner';
import { describeError, splitApiError } from '../../lib/errors';
import { EMAIL_RE, hasErrors, type Errors } from '../../lib/validate';

/** Only same-site paths may be used as the place to return to after logging in. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/inbox';
}

export function LoginPage() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [unverified, setUnverified] = useState(false);
  const [resent, setResent] = useState(false);
  const [busy, setBusy] = useState(false);

  if (session.status === 'authenticated') return <Navigate to={next} replace />;
  if (session.status === 'loading') return <PageLoading label={t('common.loading')} />;

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setFormError(null);
    setUnverified(false);
    setResent(false);
    const local: Errors = {};
    if (!email.trim()) local.email = t('validation.required');
    else if (!EMAIL_RE.test(email.trim())) local.email = t('validation.email');
    if (!password) local.password = t('validation.required');
    setErrors(local);
    if (hasErrors(local)) return;
    setBusy(true);
    try {
      await session.login(email.trim(), password);
      navigate(next, { replace: true });
    } catch (e) {
      const { form, fields } = splitApiError(t, e, ['email', 'password']);
      setErrors(fields);
      setFormError(form);
      setUnverified(isApiError(e) && e.code === 'email_not_verified');
      setBusy(false);
    }
  }

  return (
    <AuthLayout
      title={t('auth.login.title')}
      subtitle={t('auth.login.subtitle')}
      footer={
        <>
          {t('auth.login.noAccount')} <Link to="/signup">{t('auth.login.signup')}</Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate className="form">
        {session.expired && !formError && <Alert tone="info">{t('auth.login.sessionExpired')}</Alert>}
        {formError && (
          <Alert>
            {formError}
            {unverified && !resent && (
              <div>
                <button
                  type="button"
                  className="link-button"
                  onClick={async () => {
                    try {
                      await accounts.resendVerification(email.trim());
                      setResent(true);
                    } catch (e) {
                      setFormError(describeError(t, e));
                    }
                  }}
                >
                  {t('auth.login.resendVerification')}
                </button>
              </div>
            )}
          </Alert>
        )}
        {resent && <Alert tone="success">{t('auth.login.verificationSent')}</Alert>}
        <TextField
          label={t('auth.login.email')}
          name="email"
          type="email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
        />
        <PasswordField
          label={t('auth.login.password')}
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          trailing={
            <Link className="field-link" to="/forgot-password">
              {t('auth.login.forgot')}
            </Link>
          }
        />
        <button type="submit" className="btn btn-primary btn-block btn-lg" disabled={busy}>
          {busy ? t('auth.login.submitting') : t('auth.login.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}
