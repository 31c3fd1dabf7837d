import { useCallback, useEffect, useRef, useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { isApiError, metaApp as metaAppApi, numbers as numbersApi, type EmbeddedSignupConfig, type MetaApp, type WhatsAppNumber } from '../../../api';
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
import { loadFacebookSdk, loginOptions, parseSignupMessage } from '../../../lib/embeddedSignup';
import { splitApiError } from '../../../lib/errors';
import { formatDate } from '../../../lib/format';
import { formatPhone } from '../../../lib/phone';
import { useLoader } from '../../../lib/useLoader';
import { hasErrors, type Errors } from '../../../lib/validate';
import { QualityDialog } from './NumberQuality';

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
  // The quality view: numbers:manage or reports:view (GET /api/v1/numbers/{id}/quality).
  const qualityAllowed = manage || can('reports:view');
  const [qualityOf, setQualityOf] = useState<WhatsAppNumber | null>(null);
  const actions = manage || qualityAllowed;
  const items = sortNumbers(list.data ?? []);
  const signupConfig = useLoader(() => (manage ? numbersApi.embeddedSignupConfig().catch(() => null) : Promise.resolve(null)), [manage]);
  const facebook = signupConfig.data?.enabled ? signupConfig.data : null;
  const adopt = useCallback(
    (n: WhatsAppNumber) => {
      list.setData((prev) => [...(prev ?? []).filter((x) => x.id !== n.id), n]);
      toast.success(t('numbers.connected', { number: formatPhone(n.display_phone_number) }));
    },
    [list, toast, t],
  );

  return (
    <div className="page">
      <PageHeader
        title={t('numbers.title')}
        subtitle={t('numbers.subtitle')}
        actions={
          manage && (
            <>
              {facebook && <FacebookConnect config={facebook} onConnected={adopt} />}
              <button type="button" className={facebook ? 'btn btn-secondary' : 'btn btn-primary'} onClick={() => setConnecting(true)}>
                <Icon name="plus" size={16} />
                {t('numbers.connect')}
              </button>
            </>
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
                <th>{t('numbers.colThroughput')}</th>
                <th>{t('numbers.colStatus')}</th>
                {actions && (
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
                    <td className="muted nowrap">{t('numbers.throughput', { count: n.throughput_per_second })}</td>
                    <td>
                      <Badge tone={STATUS_TONES[n.status] ?? 'neutral'}>{t(`numbers.status.${n.status}`, { defaultValue: n.status })}</Badge>
                      <div className="muted small number-since">{t('numbers.since', { date: formatDate(n.created_at) })}</div>
                    </td>
                    {actions && (
                      <td className="col-actions">
                        {qualityAllowed && (
                          <button
                            type="button"
                            className="btn btn-ghost btn-sm"
                            aria-label={t('numberQuality.openFor', { number: formatPhone(n.display_phone_number) || n.display_phone_number })}
                            onClick={() => setQualityOf(n)}
                          >
                            <Icon name="checks" size={15} />
                            {t('numberQuality.open')}
                          </button>
                        )}
                        {manage && !n.sandbox && n.status !== 'disconnected' && (
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
      {manage && <MetaAppSection />}
      {connecting && (
        <ConnectDialog
          onClose={() => setConnecting(false)}
          onConnected={(n) => {
            adopt(n);
            setConnecting(false);
          }}
        />
      )}
      {qualityOf && <QualityDialog number={qualityOf} onClose={() => setQualityOf(null)} />}
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

/** "Connect with Facebook": Meta's popup, then the number's PIN, then the server finishes. */
function FacebookConnect({ config, onConnected }: { config: EmbeddedSignupConfig; onConnected: (n: WhatsAppNumber) => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [ids, setIds] = useState<{ wabaId: string; phoneNumberId: string } | null>(null);
  const [code, setCode] = useState<string | null>(null);
  const active = useRef(false);

  // The popup reports the chosen account and number as window messages from facebook.com.
  useEffect(() => {
    const onMessage = (e: MessageEvent) => {
      const event = parseSignupMessage({ origin: e.origin, data: e.data });
      if (!event || !active.current) return;
      if (event.type === 'finish') setIds({ wabaId: event.wabaId, phoneNumberId: event.phoneNumberId });
      else if (event.type === 'no_number') toast.error(t('numbers.facebook.noNumber'));
      else if (event.type === 'cancel') toast.error(t('numbers.facebook.cancelled'));
      else toast.error(event.message ? t('numbers.facebook.errorWith', { message: event.message }) : t('numbers.facebook.error'));
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, [t, toast]);

  async function start() {
    if (!config.app_id || !config.config_id) {
      toast.error(t('numbers.facebook.notConfigured'));
      return;
    }
    setBusy(true);
    setIds(null);
    setCode(null);
    active.current = true;
    try {
      const fb = await loadFacebookSdk(config.app_id, config.graph_version);
      fb.login((response) => {
        const c = response?.authResponse?.code;
        if (c) setCode(c);
        else active.current = false;
        setBusy(false);
      }, loginOptions(config.config_id));
    } catch {
      active.current = false;
      setBusy(false);
      toast.error(t('numbers.facebook.sdkFailed'));
    }
  }

  const finishing = Boolean(code && ids);
  return (
    <>
      <button type="button" className="btn btn-primary btn-facebook" onClick={() => void start()} disabled={busy || finishing} data-testid="facebook-connect">
        <Icon name="facebook" size={16} />
        {busy ? t('numbers.facebook.waiting') : t('numbers.facebook.connect')}
      </button>
      {finishing && code && ids && (
        <PinDialog
          signup={{ code, waba_id: ids.wabaId, phone_number_id: ids.phoneNumberId }}
          onClose={() => {
            active.current = false;
            setCode(null);
            setIds(null);
          }}
          onConnected={(n) => {
            active.current = false;
            setCode(null);
            setIds(null);
            onConnected(n);
          }}
        />
      )}
    </>
  );
}

export function PinDialog({
  signup,
  onClose,
  onConnected,
}: {
  signup: { code: string; waba_id: string; phone_number_id: string };
  onClose: () => void;
  onConnected: (n: WhatsAppNumber) => void;
}) {
  const { t } = useTranslation();
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    setFormError(null);
    if (!/^\d{6}$/.test(pin)) {
      setError(t('numbers.facebook.pinShape'));
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      onConnected(await numbersApi.embeddedSignup({ ...signup, pin }));
    } catch (e) {
      const { form, fields } = splitApiError(t, e, ['pin'], { number_taken: 'pin' });
      setError(fields.pin);
      setFormError(form);
      setBusy(false);
    }
  }

  return (
    <Modal
      title={t('numbers.facebook.pinTitle')}
      subtitle={t('numbers.facebook.pinSubtitle')}
      onClose={onClose}
      onSubmit={() => void submit()}
      busy={busy}
      size="sm"
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('numbers.facebook.finishing') : t('numbers.facebook.finish')}
          </button>
        </>
      }
    >
      <div className="form">
        {formError && <Alert>{formError}</Alert>}
        <TextField
          label={t('numbers.facebook.pin')}
          value={pin}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          className="input-pin"
          onChange={(e) => setPin(e.target.value.replace(/\D/g, '').slice(0, 6))}
          error={error}
          hint={t('numbers.facebook.pinHint')}
        />
      </div>
    </Modal>
  );
}

/** The business's own Meta app: the webhook URL to give Meta, and the app's secret. */
function MetaAppSection() {
  const { t } = useTranslation();
  const toast = useToast();
  const app = useLoader(() => metaAppApi.get());
  const [editing, setEditing] = useState(false);
  const [removing, setRemoving] = useState(false);
  if (isApiError(app.error) && app.error.status === 403) return null;
  const data = app.data;

  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      toast.success(t('numbers.metaApp.copied'));
    } catch {
      toast.error(t('numbers.metaApp.copyFailed'));
    }
  }

  return (
    <section className="card meta-app" data-testid="meta-app">
      <div className="meta-app-head">
        <div>
          <h2 className="section-title">{t('numbers.metaApp.title')}</h2>
          <p className="muted small">{t('numbers.metaApp.subtitle')}</p>
        </div>
        {data && (
          <div className="meta-app-actions">
            {data.configured && (
              <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setRemoving(true)}>
                {t('numbers.metaApp.stop')}
              </button>
            )}
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => setEditing(true)}>
              {data.configured ? t('numbers.metaApp.change') : t('numbers.metaApp.use')}
            </button>
          </div>
        )}
      </div>
      {app.loading && !data ? (
        <PageLoading label={t('common.loading')} />
      ) : app.error && !data ? (
        <LoadError error={app.error} onRetry={app.reload} />
      ) : data ? (
        <div className="meta-app-body">
          <div className="meta-app-status">
            <Badge tone={data.configured ? 'success' : 'neutral'}>
              {data.configured ? t('numbers.metaApp.own', { id: data.app_id ?? '' }) : t('numbers.metaApp.shared')}
            </Badge>
            {data.configured && (
              <span className="muted small">{data.verify_token_set ? t('numbers.metaApp.tokenSet') : t('numbers.metaApp.tokenMissing')}</span>
            )}
          </div>
          <label className="field-label" htmlFor="meta-webhook-url">
            {t('numbers.metaApp.webhookUrl')}
          </label>
          <div className="copy-row">
            <input id="meta-webhook-url" className="input mono" readOnly value={data.webhook_url} onFocus={(e) => e.target.select()} data-testid="webhook-url" />
            <button type="button" className="btn btn-secondary" onClick={() => void copy(data.webhook_url)}>
              <Icon name="copy" size={15} />
              {t('numbers.metaApp.copy')}
            </button>
          </div>
          <p className="field-hint">{data.configured ? t('numbers.metaApp.webhookHintOwn') : t('numbers.metaApp.webhookHintShared')}</p>
        </div>
      ) : null}
      {editing && data && (
        <MetaAppDialog
          current={data}
          onClose={() => setEditing(false)}
          onSaved={(saved) => {
            app.setData(() => saved);
            setEditing(false);
            toast.success(t('numbers.metaApp.saved'));
          }}
        />
      )}
      {removing && (
        <ConfirmDialog
          title={t('numbers.metaApp.stopTitle')}
          body={t('numbers.metaApp.stopBody')}
          confirmLabel={t('numbers.metaApp.stop')}
          busyLabel={t('common.saving')}
          onClose={() => setRemoving(false)}
          onConfirm={async () => {
            await metaAppApi.remove();
            await app.reload();
            toast.success(t('numbers.metaApp.stopped'));
          }}
        />
      )}
    </section>
  );
}

function randomToken(): string {
  const bytes = new Uint8Array(18);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function MetaAppDialog({ current, onClose, onSaved }: { current: MetaApp; onClose: () => void; onSaved: (m: MetaApp) => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({ app_id: current.app_id ?? '', app_secret: '', verify_token: '' });
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));

  async function submit() {
    setFormError(null);
    const body = { app_id: form.app_id.trim(), app_secret: form.app_secret.trim(), verify_token: form.verify_token.trim() };
    const local: Errors = {};
    if (!body.app_id) local.app_id = t('validation.required');
    else if (!/^\d{1,32}$/.test(body.app_id)) local.app_id = t('numbers.digitsOnly');
    if (!body.app_secret) local.app_secret = t('validation.required');
    else if (!/^[A-Za-z0-9]{16,128}$/.test(body.app_secret)) local.app_secret = t('numbers.metaApp.secretShape');
    if (!body.verify_token) local.verify_token = t('validation.required');
    else if (body.verify_token.length < 8 || body.verify_token.length > 200 || /\s/.test(body.verify_token)) local.verify_token = t('numbers.metaApp.tokenShape');
    setErrors(local);
    if (hasErrors(local)) return;
    setBusy(true);
    try {
      onSaved(await metaAppApi.set(body));
    } catch (e) {
      const { form: top, fields } = splitApiError(t, e, ['app_id', 'app_secret', 'verify_token']);
      setErrors(fields);
      setFormError(top);
      setBusy(false);
    }
  }

  return (
    <Modal
      title={t('numbers.metaApp.dialogTitle')}
      subtitle={t('numbers.metaApp.dialogSubtitle')}
      onClose={onClose}
      onSubmit={() => void submit()}
      busy={busy}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : t('common.save')}
          </button>
        </>
      }
    >
      <div className="form">
        {formError && <Alert>{formError}</Alert>}
        <TextField label={t('numbers.metaApp.appId')} inputMode="numeric" autoComplete="off" value={form.app_id} onChange={set('app_id')} error={errors.app_id} hint={t('numbers.metaApp.appIdHint')} />
        <PasswordField label={t('numbers.metaApp.appSecret')} autoComplete="off" spellCheck={false} value={form.app_secret} onChange={set('app_secret')} error={errors.app_secret} hint={t('numbers.metaApp.appSecretHint')} />
        <TextField
          label={t('numbers.metaApp.verifyToken')}
          autoComplete="off"
          spellCheck={false}
          value={form.verify_token}
          onChange={set('verify_token')}
          error={errors.verify_token}
          hint={t('numbers.metaApp.verifyTokenHint')}
          trailing={
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setForm((f) => ({ ...f, verify_token: randomToken() }))}>
              {t('numbers.metaApp.generate')}
            </button>
          }
        />
      </div>
    </Modal>
  );
}
