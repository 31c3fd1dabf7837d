import { useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { accounts, type InvitationLookup } from '../../api';
import { useSession } from '../../auth/session';
import { Alert } from '../../components/Alert';
import { AuthLayout, AuthStatus } from '../../components/AuthLayout';
import { PasswordField, TextField } from '../../components/Field';
import { Spinner } from '../../components/Spinner';
import { describeError, splitApiError } from '../../lib/errors';
import { roleLabel } from '../../lib/roles';
import { useLoader } from '../../lib/useLoader';
import { hasErrors, MAX, MIN_PASSWORD, type Errors } from '../../lib/validate';

export function AcceptInvitationPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const lookup = useLoader<InvitationLookup | null>(
    () => (token ? accounts.lookupInvitation(token) : Promise.resolve(null)),
    [token],
  );

  if (!token || (lookup.error && !lookup.data)) {
    return (
      <AuthLayout>
        <AuthStatus icon="alert" tone="danger" title={t('auth.accept.invalidTitle')}>
          <p className="auth-text">{token ? describeError(t, lookup.error) : t('auth.accept.missingToken')}</p>
          <p className="auth-text muted">{t('auth.accept.askAgain')}</p>
        </AuthStatus>
      </AuthLayout>
    );
  }

  if (!lookup.data) {
    return (
      <AuthLayout>
        <div className="auth-status">
          <Spinner label={t('auth.accept.checking')} />
        </div>
      </AuthLayout>
    );
  }

  return <AcceptForm token={token} invitation={lookup.data} />;
}

function AcceptForm({ token, invitation }: { token: string; invitation: InvitationLookup }) {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const existing = invitation.account_exists;

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setFormError(null);
    const local: Errors = {};
    if (!existing) {
      if (!name.trim()) local.name = t('validation.required');
      else if (name.trim().length > MAX.person) local.name = t('validation.nameLength', { max: MAX.person });
    }
    if (!password) local.password = t('validation.required');
    else if (!existing && password.length < MIN_PASSWORD) local.password = t('validation.passwordLength');
    setErrors(local);
    if (hasErrors(local)) return;
    setBusy(true);
    try {
      const result = await accounts.acceptInvitation(
        existing ? { token, password } : { token, name: name.trim(), password },
      );
      await session.startSession(result);
      navigate('/inbox', { replace: true });
    } catch (e) {
      const { form, fields } = splitApiError(t, e, existing ? ['password'] : ['name', 'password'], {
        invalid_credentials: 'password',
      });
      setErrors(fields);
      setFormError(form);
      setBusy(false);
    }
  }

  const role = roleLabel(t, invitation.role_name);
  return (
    <AuthLayout title={t('auth.accept.title', { business: invitation.tenant_name })}>
      <div className="invite-summary">
        <Trans
          i18nKey="auth.accept.summary"
          values={{ inviter: invitation.inviter_name, business: invitation.tenant_name, role }}
          components={{ strong: <strong /> }}
        />
      </div>
      <form onSubmit={submit} noValidate className="form">
        {formError && <Alert>{formError}</Alert>}
        <TextField label={t('auth.accept.email')} name="email" type="email" value={invitation.email} readOnly disabled />
        {existing && <p className="form-note">{t('auth.accept.existingHint')}</p>}
        {!existing && (
          <TextField
            label={t('auth.accept.name')}
            name="name"
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={errors.name}
          />
        )}
        <PasswordField
          label={existing ? t('auth.accept.existingPassword') : t('auth.accept.password')}
          name="password"
          autoComplete={existing ? 'current-password' : 'new-password'}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
          hint={existing ? undefined : t('auth.accept.passwordHint')}
          trailing={
            existing ? (
              <Link className="field-link" to="/forgot-password">
                {t('auth.accept.forgot')}
              </Link>
            ) : undefined
          }
        />
        <button type="submit" className="btn btn-primary btn-block btn-lg" disabled={busy}>
          {busy ? t('auth.accept.submitting') : t('auth.accept.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}
