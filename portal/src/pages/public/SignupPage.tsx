import { useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { accounts } from '../../api';
import { Alert } from '../../components/Alert';
import { AuthLayout, AuthStatus } from '../../components/AuthLayout';
import { PasswordField, TextField } from '../../components/Field';
import { currentLanguage } from '../../i18n';
import { describeError, splitApiError } from '../../lib/errors';
import { EMAIL_RE, hasErrors, MAX, MIN_PASSWORD, type Errors } from '../../lib/validate';

export function SignupPage() {
  const { t } = useTranslation();
  const [form, setForm] = useState({ business_name: '', name: '', email: '', password: '' });
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);

  const set = (key: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setForm((f) => ({ ...f, [key]: e.target.value }));
    if (errors[key]) setErrors(({ [key]: _gone, ...rest }) => rest);
  };

  function validate(): Errors {
    const e: Errors = {};
    const business = form.business_name.trim();
    if (!business) e.business_name = t('validation.required');
    else if (business.length < 2 || business.length > MAX.business) e.business_name = t('validation.businessNameLength');
    if (!form.name.trim()) e.name = t('validation.required');
    else if (form.name.trim().length > MAX.person) e.name = t('validation.nameLength', { max: MAX.person });
    if (!form.email.trim()) e.email = t('validation.required');
    else if (!EMAIL_RE.test(form.email.trim())) e.email = t('validation.email');
    if (!form.password) e.password = t('validation.required');
    else if (form.password.length < MIN_PASSWORD) e.password = t('validation.passwordLength');
    return e;
  }

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setFormError(null);
    const local = validate();
    setErrors(local);
    if (hasErrors(local)) return;
    setBusy(true);
    try {
      const email = form.email.trim();
      await accounts.signup({
        business_name: form.business_name.trim(),
        name: form.name.trim(),
        email,
        password: form.password,
        locale: currentLanguage(),
      });
      setSentTo(email);
    } catch (e) {
      const { form: message, fields } = splitApiError(t, e, Object.keys(form), { email_taken: 'email' });
      setErrors(fields);
      setFormError(message);
    } finally {
      setBusy(false);
    }
  }

  if (sentTo) {
    return (
      <AuthLayout>
        <CheckInbox email={sentTo} />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title={t('auth.signup.title')}
      subtitle={t('auth.signup.subtitle')}
      footer={
        <>
          {t('auth.signup.haveAccount')} <Link to="/login">{t('auth.signup.login')}</Link>
        </>
      }
    >
      <form onSubmit={submit} noValidate className="form">
        {formError && <Alert>{formError}</Alert>}
        <TextField
          label={t('auth.signup.businessName')}
          name="business_name"
          autoComplete="organization"
          placeholder={t('auth.signup.businessNamePlaceholder')}
          value={form.business_name}
          onChange={set('business_name')}
          error={errors.business_name}
          maxLength={MAX.business}
        />
        <TextField
          label={t('auth.signup.name')}
          name="name"
          autoComplete="name"
          placeholder={t('auth.signup.namePlaceholder')}
          value={form.name}
          onChange={set('name')}
          error={errors.name}
        />
        <TextField
          label={t('auth.signup.email')}
          name="email"
          type="email"
          autoComplete="email"
          placeholder={t('auth.signup.emailPlaceholder')}
          value={form.email}
          onChange={set('email')}
          error={errors.email}
        />
        <PasswordField
          label={t('auth.signup.password')}
          name="password"
          autoComplete="new-password"
          value={form.password}
          onChange={set('password')}
          error={errors.password}
          hint={t('auth.signup.passwordHint')}
        />
        <button type="submit" className="btn btn-primary btn-block btn-lg" disabled={busy}>
          {busy ? t('auth.signup.submitting') : t('auth.signup.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}

export function CheckInbox({ email }: { email: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'sending' | 'sent'>('idle');
  const [error, setError] = useState<string | null>(null);
  return (
    <AuthStatus icon="mail" tone="brand" title={t('auth.checkInbox.title')}>
      <p className="auth-text">
        <Trans i18nKey="auth.checkInbox.body" values={{ email }} components={{ strong: <strong /> }} />
      </p>
      <p className="auth-text muted">{t('auth.checkInbox.hint')}</p>
      {state === 'sent' && <Alert tone="success">{t('auth.checkInbox.resent')}</Alert>}
      {error && <Alert>{error}</Alert>}
      <div className="auth-actions">
        <button
          type="button"
          className="btn btn-secondary"
          disabled={state === 'sending'}
          onClick={async () => {
            setState('sending');
            setError(null);
            try {
              await accounts.resendVerification(email);
              setState('sent');
            } catch (e) {
              setError(describeError(t, e));
              setState('idle');
            }
          }}
        >
          {state === 'sending' ? t('auth.checkInbox.resending') : t('auth.checkInbox.resend')}
        </button>
        <Link className="btn btn-ghost" to="/login">
          {t('auth.checkInbox.backToLogin')}
        </Link>
      </div>
    </AuthStatus>
  );
}
