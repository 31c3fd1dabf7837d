import { useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { numbers as numbersApi, type WhatsAppNumber } from '../../../api';
import i18n from '../../../i18n';
import { useSession } from '../../../auth/session';
import { Alert } from '../../../components/Alert';
import { Badge, type BadgeTone } from '../../../components/Badge';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { EmptyState } from '../../../components/EmptyState';
import { PasswordField, TextField } from '../../../components/Field';
import { Icon } from '../../../components/Icon';
import { LoadError } from '../../../components/LoadError';
import { Modal } from '../../../components/Modal';
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { splitApiError } from '../../../lib/errors';
import { formatDate } from '../../../lib/format';
import { formatPhone } from '../../../lib/phone';
import { useLoader } from '../../../lib/useLoader';
import { hasErrors, type Errors } from '../../../lib/validate';

const QUALITY: Record<string, { tone: BadgeTone; key: string }> = {
  GREEN: { tone: 'success', key: 'high' },
  YELLOW: { tone: 'warning', key: 'medium' },
  RED: { tone: 'danger', key: 'low' },
};

const STATUS_TONES: Record<string, BadgeTone> = {
  connected: 'success',
  needs_reconnect: 'warning',
  disconnected: 'neutral',
};

/** Meta's messaging tier ("TIER_1K") in words: how many customers a day the number may start talking to. */
export function messagingLimitLabel(t: TFunction, limit: string | null): string {
  if (!limit) return t('common.none');
  if (/UNLIMITED/i.test(limit)) return t('numbers.limitUnlimited');
  const m = /^TIER_(\d+)(K?)$/i.exec(limit.trim());
  if (!m) return limit;
  const count = Number(m[1]) * (m[2] ? 1000 : 1);
  return t('numbers.limitTier', { customers: new Intl.NumberFormat(i18n.resolvedLanguage || 'en').format(count) });
}

function sortNumbers(list: WhatsAppNumber[]): WhatsAppNumber[] {
  const rank = (n: WhatsAppNumber) => (n.status === 'disconnected' ? 2 : n.sandbox ? 1 : 0);
  return [...list].sort((a, b) => rank(a) - rank(b) || a.created_at.localeCompare(b.created_at));
}

export function NumbersPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const toast = useToast();
  const list = useLoader(() => numbersApi.list());
  const [connecting, setConnecting] = useState(false);
  const [disconnecting, setDisconnecting] = useState<WhatsAppNumber | null>(null);
  const manage = can('numbers:manage');
  const items = sortNumbers(list.data ?? []);

  return (
    <div className="page">
      <PageHeader
        title={t('numbers.title')}
        subtitle={t('numbers.subtitle')}
        actions={
          manage && (
            <button type="button" className="btn btn-primary" onClick={() => setConnecting(true)}>
              <Icon name="plus" size={16} />
              {t('numbers.connect')}
            </button>
          )
        }
      />
      <div className="card">
        {list.loading && !list.data ? (
          <PageLoading label={t('common.loading')} />
        ) : list.error && !list.data ? (
          <LoadError error={list.error} onRetry={list.reload} />
        ) : items.length === 0 ? (
          <EmptyState icon="phone">{t('numbers.empty')}</EmptyState>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>{t('numbers.colNumber')}</th>
                <th>{t('numbers.colQuality')}</th>
                <th>{t('numbers.colLimit')}</th>
                <th>{t('numbers.colStatus')}</th>
                {manage && (
                  <th className="col-actions">
                    <span className="sr-only">{t('common.actions')}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {items.map((n) => {
                const quality = n.quality_rating ? QUALITY[n.quality_rating.toUpperCase()] : undefined;
                return (
                  <tr key={n.id} data-testid="number-row" className={n.status === 'disconnected' ? 'row-muted' : undefined}>
                    <td>
                      <div className="number-cell">
                        <span className="number-icon" aria-hidden="true">
                          <Icon name={n.sandbox ? 'smartphone' : 'phone'} size={17} />
                        </span>
                        <span className="person-text">
                          <span className="cell-title">
                            <span className="strong">{formatPhone(n.display_phone_number) || t('common.none')}</span>
                            {n.sandbox && <Badge tone="info">{t('numbers.sandbox')}</Badge>}
                          </span>
                          <span className="muted small">
                            {n.sandbox
                              ? t('numbers.sandboxHint')
                              : `${n.verified_name ?? t('numbers.noVerifiedName')} · ${t('numbers.phoneNumberIdShort', { id: n.phone_number_id })}`}
                          </span>
                        </span>
                      </div>
                    </td>
                    <td>
                      <Badge tone={quality?.tone ?? 'neutral'}>{t(`numbers.quality.${quality?.key ?? 'unknown'}`)}</Badge>
                    </td>
                    <td className="muted">{n.sandbox && !n.messaging_limit ? t('numbers.limitSandbox') : messagingLimitLabel(t, n.messaging_limit)}</td>
                    <td>
                      <Badge tone={STATUS_TONES[n.status] ?? 'neutral'}>{t(`numbers.status.${n.status}`, { defaultValue: n.status })}</Badge>
                      <div className="muted small number-since">{t('numbers.since', { date: formatDate(n.created_at) })}</div>
                    </td>
                    {manage && (
                      <td className="col-actions">
                        {!n.sandbox && n.status !== 'disconnected' && (
                          <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setDisconnecting(n)}>
                            <Icon name="x" size={15} />
                            {t('numbers.disconnect')}
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
      {!manage && list.data && <p className="form-note numbers-note">{t('numbers.readOnly')}</p>}
      {connecting && (
        <ConnectDialog
          onClose={() => setConnecting(false)}
          onConnected={(n) => {
            list.setData((prev) => [...(prev ?? []).filter((x) => x.id !== n.id), n]);
            toast.success(t('numbers.connected', { number: formatPhone(n.display_phone_number) }));
            setConnecting(false);
          }}
        />
      )}
      {disconnecting && (
        <ConfirmDialog
          title={t('numbers.confirmDisconnectTitle', { number: formatPhone(disconnecting.display_phone_number) })}
          body={t('numbers.confirmDisconnectBody')}
          confirmLabel={t('numbers.disconnect')}
          busyLabel={t('numbers.disconnecting')}
          onClose={() => setDisconnecting(null)}
          onConfirm={async () => {
            await numbersApi.disconnect(disconnecting.id);
            list.setData((prev) => (prev ?? []).map((x) => (x.id === disconnecting.id ? { ...x, status: 'disconnected' } : x)));
            toast.success(t('numbers.disconnected', { number: formatPhone(disconnecting.display_phone_number) }));
          }}
        />
      )}
    </div>
  );
}

const DIGITS = /^\d{1,32}$/;

function ConnectDialog({ onClose, onConnected }: { onClose: () => void; onConnected: (n: WhatsAppNumber) => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({ phone_number_id: '', waba_id: '', access_token: '' });
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));

  async function submit() {
    setFormError(null);
    const body = {
      phone_number_id: form.phone_number_id.trim(),
      waba_id: form.waba_id.trim(),
      access_token: form.access_token.trim(),
    };
    const local: Errors = {};
    if (!body.phone_number_id) local.phone_number_id = t('validation.required');
    else if (!DIGITS.test(body.phone_number_id)) local.phone_number_id = t('numbers.digitsOnly');
    if (!body.waba_id) local.waba_id = t('validation.required');
    else if (!DIGITS.test(body.waba_id)) local.waba_id = t('numbers.digitsOnly');
    if (!body.access_token) local.access_token = t('validation.required');
    else if (body.access_token.length < 20 || /\s/.test(body.access_token)) local.access_token = t('numbers.tokenShape');
    setErrors(local);
    if (hasErrors(local)) return;
    setBusy(true);
    try {
      onConnected(await numbersApi.connect(body));
    } catch (e) {
      const { form: top, fields } = splitApiError(t, e, ['phone_number_id', 'waba_id', 'access_token'], {
        number_taken: 'phone_number_id',
      });
      setErrors(fields);
      setFormError(top);
      setBusy(false);
    }
  }

  return (
    <Modal
      title={t('numbers.connectTitle')}
      subtitle={t('numbers.connectSubtitle')}
      onClose={onClose}
      onSubmit={submit}
      busy={busy}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('numbers.checking') : t('numbers.connectSubmit')}
          </button>
        </>
      }
    >
      <div className="form">
        {formError && <Alert>{formError}</Alert>}
        <TextField
          label={t('numbers.phoneNumberId')}
          name="phone_number_id"
          inputMode="numeric"
          autoComplete="off"
          value={form.phone_number_id}
          onChange={set('phone_number_id')}
          error={errors.phone_number_id}
          hint={t('numbers.phoneNumberIdHint')}
        />
        <TextField
          label={t('numbers.wabaId')}
          name="waba_id"
          inputMode="numeric"
          autoComplete="off"
          value={form.waba_id}
          onChange={set('waba_id')}
          error={errors.waba_id}
          hint={t('numbers.wabaIdHint')}
        />
        <PasswordField
          label={t('numbers.accessToken')}
          name="access_token"
          autoComplete="off"
          spellCheck={false}
          value={form.access_token}
          onChange={set('access_token')}
          error={errors.access_token}
          hint={t('numbers.accessTokenHint')}
        />
      </div>
    </Modal>
  );
}
