// Webhooks (`/settings/webhooks`, settings:manage): outgoing webhooks for a business's own systems.
// The endpoints (`GET /webhook-endpoints`, `{items, events}`), each with its URL, description,
// event chips, an on/off switch (`PATCH {enabled}`) and its health (last success / last failure,
// a green or red dot); actions: the delivery log, send a test event (`POST …/ping`), rotate the
// signing secret (confirm first: the old one stops at once), edit and delete (confirm). Creating
// and rotating answer with the secret, shown once in a dialog with a copy button. The form: URL,
// description, one checkbox per event with a label and a one-line explanation, "Select all"; the
// server's 422 `fields.url` (a private address, a bad scheme…), `fields.events` and
// `fields.description` show at their fields, anything else (`too_many_endpoints`) above the form.
// The delivery log (`GET …/deliveries?state=&cursor=`) is newest first with a state filter,
// "Load more", a refresh button (also automatic while a fresh delivery waits for the worker) and
// "Send again" per delivery (`POST …/redeliver`). A "How to verify" panel explains the signature.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import {
  WEBHOOK_EVENTS,
  isMissingEndpoint,
  webhookEndpoints,
  type WebhookDelivery,
  type WebhookDeliveryState,
  type WebhookEndpoint,
  type WebhookEndpointChanges,
  type WebhookEndpointList,
  type WebhookEndpointWithSecret,
} from '../../../api';
import { useSession } from '../../../auth/session';
import { Alert } from '../../../components/Alert';
import { Badge, type BadgeTone } from '../../../components/Badge';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { EmptyState } from '../../../components/EmptyState';
import { TextField } from '../../../components/Field';
import { Forbidden } from '../../../components/Forbidden';
import { Icon, type IconName } from '../../../components/Icon';
import { LoadError } from '../../../components/LoadError';
import { Modal } from '../../../components/Modal';
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading, Spinner } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { describeError, splitApiError } from '../../../lib/errors';
import { fullDateTime, timeAgo } from '../../../lib/time';
import { useLoader } from '../../../lib/useLoader';

const FIELDS = ['url', 'description', 'events'];
const DESCRIPTION_MAX = 200;
const LOG_PAGE = 20;
/** While a fresh delivery waits for the worker, the log refreshes itself this often (and at most so many times). */
const AUTO_REFRESH_MS = 2500;
const AUTO_REFRESH_MAX = 8;

/** The i18n key of an event name (`message.created` → `message_created`). */
const eventKey = (event: string) => event.replace(/\./g, '_');

export function eventLabel(t: TFunction, event: string): string {
  return t(`webhooks.events.${eventKey(event)}.label`, { defaultValue: event });
}

export function eventHint(t: TFunction, event: string): string {
  return t(`webhooks.events.${eventKey(event)}.hint`, { defaultValue: '' });
}

export type Health = 'ok' | 'failing' | 'unknown';

/** Green when the latest recorded attempt succeeded, red when it failed, grey before any. */
export function endpointHealth(e: Pick<WebhookEndpoint, 'last_success_at' | 'last_failure_at'>): Health {
  const ok = e.last_success_at ? Date.parse(e.last_success_at) : null;
  const bad = e.last_failure_at ? Date.parse(e.last_failure_at) : null;
  if (ok === null && bad === null) return 'unknown';
  if (bad === null) return 'ok';
  if (ok === null) return 'failing';
  return ok >= bad ? 'ok' : 'failing';
}

/** The Node.js verification snippet, with its comments in the UI language. */
export function verifySnippet(t: TFunction): string {
  return [
    "const crypto = require('node:crypto');",
    "const express = require('express');",
    '',
    `// ${t('webhooks.help.commentRaw')}`,
    'function verifyChorus(rawBody, header, secret) {',
    "  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=')));",
    '  const t = Number(parts.t);',
    `  // ${t('webhooks.help.commentAge')}`,
    '  if (!t || Math.abs(Date.now() / 1000 - t) > 300) return false;',
    "  const expected = crypto.createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();",
    "  const given = Buffer.from(parts.v1 || '', 'hex');",
    '  return given.length === expected.length && crypto.timingSafeEqual(given, expected);',
    '}',
    '',
    'const app = express();',
    `// ${t('webhooks.help.commentExpress')}`,
    "app.post('/hooks/chorus', express.raw({ type: 'application/json' }), (req, res) => {",
    "  const signature = req.get('X-Chorus-Signature') || '';",
    '  if (!verifyChorus(req.body, signature, process.env.CHORUS_WEBHOOK_SECRET)) return res.sendStatus(401);',
    '  const event = JSON.parse(req.body);',
    `  // ${t('webhooks.help.commentDedupe')}`,
    '  if (alreadyHandled(event.id)) return res.sendStatus(200);',
    `  // ${t('webhooks.help.commentAnswer')}`,
    '  res.sendStatus(200);',
    '  handleEvent(event.type, event.data);',
    '});',
  ].join('\n');
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function WebhooksPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const allowed = can('settings:manage');
  const list = useLoader(() => (allowed ? webhookEndpoints.list() : Promise.resolve(null)), [allowed]);
  const [editing, setEditing] = useState<WebhookEndpoint | 'new' | null>(null);

  if (!allowed) return <Forbidden />;
  const data = list.data;
  const missing = isMissingEndpoint(list.error);
  const events = data?.events.length ? data.events : [...WEBHOOK_EVENTS];
  const setData = (update: (prev: WebhookEndpointList) => WebhookEndpointList) => list.setData((prev) => (prev ? update(prev) : prev));

  return (
    <div className="page">
      <PageHeader
        title={t('webhooks.title')}
        subtitle={t('webhooks.subtitle')}
        actions={
          data && data.items.length > 0 ? (
            <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
              <Icon name="plus" size={16} />
              {t('webhooks.newEndpoint')}
            </button>
          ) : undefined
        }
      />
      {list.loading && !data ? (
        <div className="card">
          <PageLoading label={t('common.loading')} />
        </div>
      ) : missing ? (
        <div className="card">
          <EmptyState icon="plug">{t('webhooks.unavailable')}</EmptyState>
        </div>
      ) : list.error && !data ? (
        <div className="card">
          <LoadError error={list.error} onRetry={list.reload} />
        </div>
      ) : data ? (
        <div className="hooks">
          {data.items.length === 0 ? (
            <div className="card" data-testid="webhooks-empty">
              <EmptyState
                icon="plug"
                title={t('webhooks.emptyTitle')}
                action={
                  <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
                    <Icon name="plus" size={16} />
                    {t('webhooks.addFirst')}
                  </button>
                }
              >
                <p>{t('webhooks.emptyBody')}</p>
                <p>{t('webhooks.emptyBody2')}</p>
              </EmptyState>
            </div>
          ) : (
            <EndpointList
              items={data.items}
              onEdit={setEditing}
              setItems={(update) => setData((prev) => ({ ...prev, items: update(prev.items) }))}
            />
          )}
          <VerifyHelp />
        </div>
      ) : null}
      {editing && (
        <EndpointFlow
          endpoint={editing === 'new' ? null : editing}
          events={events}
          onClose={() => setEditing(null)}
          onSaved={(saved, created) =>
            setData((prev) => ({ ...prev, items: created ? [...prev.items, saved] : prev.items.map((x) => (x.id === saved.id ? saved : x)) }))
          }
        />
      )}
    </div>
  );
}

/** The form, then (after creating) the secret: one flow so the dialog swaps in place. */
function EndpointFlow({
  endpoint,
  events,
  onClose,
  onSaved,
}: {
  endpoint: WebhookEndpoint | null;
  events: string[];
  onClose: () => void;
  onSaved: (e: WebhookEndpoint, created: boolean) => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const [secret, setSecret] = useState<WebhookEndpointWithSecret | null>(null);
  if (secret) return <SecretDialog value={secret} rotated={false} onClose={onClose} />;
  return (
    <EndpointDialog
      endpoint={endpoint}
      events={events}
      onClose={onClose}
      onCreated={(v) => {
        onSaved(v.endpoint, true);
        toast.success(t('webhooks.created'));
        setSecret(v);
      }}
      onUpdated={(e) => {
        onSaved(e, false);
        toast.success(t('webhooks.updated'));
        onClose();
      }}
    />
  );
}

function EndpointList({
  items,
  onEdit,
  setItems,
}: {
  items: WebhookEndpoint[];
  onEdit: (e: WebhookEndpoint) => void;
  setItems: (update: (prev: WebhookEndpoint[]) => WebhookEndpoint[]) => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [reloadKeys, setReloadKeys] = useState<Record<string, number>>({});
  const [deleting, setDeleting] = useState<WebhookEndpoint | null>(null);
  const [rotating, setRotating] = useState<WebhookEndpoint | null>(null);
  const [secret, setSecret] = useState<WebhookEndpointWithSecret | null>(null);
  const replace = (saved: WebhookEndpoint) => setItems((prev) => prev.map((x) => (x.id === saved.id ? saved : x)));

  async function toggle(e: WebhookEndpoint) {
    setBusy(e.id);
    setListError(null);
    try {
      const saved = await webhookEndpoints.update(e.id, { enabled: !e.enabled });
      replace(saved);
      toast.success(t(saved.enabled ? 'webhooks.enabled' : 'webhooks.disabled', { url: saved.url }));
    } catch (err) {
      setListError(describeError(t, err));
    } finally {
      setBusy(null);
    }
  }

  async function ping(e: WebhookEndpoint) {
    setBusy(e.id);
    setListError(null);
    try {
      await webhookEndpoints.ping(e.id);
      setOpen((s) => new Set(s).add(e.id));
      setReloadKeys((k) => ({ ...k, [e.id]: (k[e.id] ?? 0) + 1 }));
      toast.success(t('webhooks.pinged'));
    } catch (err) {
      setListError(describeError(t, err));
    } finally {
      setBusy(null);
    }
  }

  async function refreshEndpoint(id: string) {
    try {
      replace(await webhookEndpoints.get(id));
    } catch {
      // The log still shows; the health line updates on the next refresh.
    }
  }

  return (
    <section className="card hooks-section" aria-labelledby="hooks-list-title" data-testid="webhook-endpoints">
      <header className="routing-section-head">
        <div className="routing-section-text">
          <h2 className="section-title" id="hooks-list-title">
            {t('webhooks.listTitle')}
          </h2>
          <p className="section-subtitle">{t('webhooks.listHint')}</p>
        </div>
      </header>
      {listError && (
        <div className="routing-section-alert">
          <Alert>{listError}</Alert>
        </div>
      )}
      <ul className="hooks-endpoints" aria-label={t('webhooks.listTitle')}>
        {items.map((e) => {
          const health = endpointHealth(e);
          const isOpen = open.has(e.id);
          return (
            <li key={e.id} className={`hooks-endpoint${e.enabled ? '' : ' hooks-endpoint-off'}`} data-testid="webhook-endpoint" aria-label={e.url}>
              <div className="hooks-endpoint-row">
                <div className="hooks-endpoint-main">
                  <div className="hooks-endpoint-title">
                    <span className={`hooks-dot hooks-dot-${health}`} role="img" aria-label={t(`webhooks.health.${health}`)} title={t(`webhooks.health.${health}`)} data-testid="endpoint-health-dot" data-health={health} />
                    <span className="hooks-url" data-testid="endpoint-url">
                      {e.url}
                    </span>
                    {!e.enabled && <Badge tone="neutral">{t('webhooks.off')}</Badge>}
                  </div>
                  <p className={`hooks-description${e.description ? '' : ' muted'}`}>{e.description || t('webhooks.noDescription')}</p>
                  <div className="chips hooks-chips" aria-label={t('webhooks.form.events')}>
                    {e.events.map((ev) => (
                      <span key={ev} className="chip hooks-chip" title={eventLabel(t, ev)}>
                        {ev}
                      </span>
                    ))}
                  </div>
                  <HealthLine endpoint={e} />
                </div>
                <div className="hooks-endpoint-actions">
                  <label className="switch" title={e.enabled ? t('webhooks.disable', { url: e.url }) : t('webhooks.enable', { url: e.url })}>
                    <input
                      type="checkbox"
                      role="switch"
                      checked={e.enabled}
                      disabled={busy !== null}
                      aria-label={e.enabled ? t('webhooks.disable', { url: e.url }) : t('webhooks.enable', { url: e.url })}
                      onChange={() => void toggle(e)}
                    />
                    <span className="switch-track" aria-hidden="true" />
                  </label>
                  <button
                    type="button"
                    className={`btn btn-secondary btn-sm${isOpen ? ' hooks-log-open' : ''}`}
                    aria-expanded={isOpen}
                    aria-controls={`hooks-log-${e.id}`}
                    aria-label={isOpen ? t('webhooks.hideLogOf', { url: e.url }) : t('webhooks.showLogOf', { url: e.url })}
                    onClick={() =>
                      setOpen((s) => {
                        const next = new Set(s);
                        if (next.has(e.id)) next.delete(e.id);
                        else next.add(e.id);
                        return next;
                      })
                    }
                  >
                    <Icon name="list" size={15} />
                    {t('webhooks.showLog')}
                    <Icon name="chevronDown" size={14} className={`hooks-chevron${isOpen ? ' hooks-chevron-open' : ''}`} />
                  </button>
                  <button type="button" className="btn btn-ghost btn-sm" disabled={busy !== null} aria-label={t('webhooks.pingOf', { url: e.url })} title={t('webhooks.pingOf', { url: e.url })} onClick={() => void ping(e)}>
                    <Icon name="send" size={15} />
                    {t('webhooks.ping')}
                  </button>
                  <IconButton icon="rotate" label={t('webhooks.rotateOf', { url: e.url })} onClick={() => setRotating(e)} />
                  <IconButton icon="pencil" label={t('webhooks.editOf', { url: e.url })} onClick={() => onEdit(e)} />
                  <IconButton icon="trash" danger label={t('webhooks.deleteOf', { url: e.url })} onClick={() => setDeleting(e)} />
                </div>
              </div>
              {isOpen && <DeliveryLog endpoint={e} reloadKey={reloadKeys[e.id] ?? 0} onRefreshed={() => void refreshEndpoint(e.id)} />}
            </li>
          );
        })}
      </ul>
      {deleting && (
        <ConfirmDialog
          title={t('webhooks.confirmDeleteTitle')}
          body={t('webhooks.confirmDeleteBody', { url: deleting.url })}
          confirmLabel={t('common.delete')}
          busyLabel={t('common.deleting')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await webhookEndpoints.remove(deleting.id);
            setItems((prev) => prev.filter((x) => x.id !== deleting.id));
            toast.success(t('webhooks.deleted', { url: deleting.url }));
          }}
        />
      )}
      {rotating && (
        <ConfirmDialog
          title={t('webhooks.confirmRotateTitle')}
          body={t('webhooks.confirmRotateBody', { url: rotating.url })}
          confirmLabel={t('webhooks.rotate')}
          busyLabel={t('webhooks.rotating')}
          onClose={() => setRotating(null)}
          onConfirm={async () => {
            const v = await webhookEndpoints.rotateSecret(rotating.id);
            replace(v.endpoint);
            setSecret(v);
          }}
        />
      )}
      {secret && <SecretDialog value={secret} rotated onClose={() => setSecret(null)} />}
    </section>
  );
}

function HealthLine({ endpoint: e }: { endpoint: WebhookEndpoint }) {
  const { t } = useTranslation();
  const now = Date.now();
  if (!e.last_success_at && !e.last_failure_at) {
    return (
      <p className="hooks-health muted" data-testid="endpoint-health">
        {t('webhooks.health.none')}
      </p>
    );
  }
  return (
    <p className="hooks-health" data-testid="endpoint-health">
      {e.last_success_at && (
        <span className="hooks-health-ok" title={fullDateTime(e.last_success_at)}>
          {t('webhooks.health.success', { time: timeAgo(e.last_success_at, now) })}
        </span>
      )}
      {e.last_failure_at && (
        <span className="hooks-health-bad" title={fullDateTime(e.last_failure_at)}>
          {t('webhooks.health.failure', { time: timeAgo(e.last_failure_at, now) })}
        </span>
      )}
    </p>
  );
}

function IconButton({ icon, label, onClick, disabled, danger }: { icon: IconName; label: string; onClick: () => void; disabled?: boolean; danger?: boolean }) {
  return (
    <button type="button" className={`icon-button icon-button-sm${danger ? ' icon-button-danger' : ''}`} onClick={onClick} disabled={disabled} aria-label={label} title={label}>
      <Icon name={icon} size={16} />
    </button>
  );
}

function FieldError({ message, testId }: { message: string | undefined; testId?: string }) {
  if (!message) return null;
  return (
    <p className="field-error" role="alert" data-testid={testId}>
      {message}
    </p>
  );
}

interface Draft {
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
}

function EndpointDialog({
  endpoint,
  events,
  onClose,
  onCreated,
  onUpdated,
}: {
  endpoint: WebhookEndpoint | null;
  events: string[];
  onClose: () => void;
  onCreated: (v: WebhookEndpointWithSecret) => void;
  onUpdated: (e: WebhookEndpoint) => void;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Draft>(() => ({
    url: endpoint?.url ?? '',
    description: endpoint?.description ?? '',
    events: endpoint?.events ?? [],
    enabled: endpoint?.enabled ?? true,
  }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  // Events the endpoint has that the server no longer offers stay listed, so they can be unticked.
  const offered = [...events, ...draft.events.filter((e) => !events.includes(e))];
  const allOn = events.every((e) => draft.events.includes(e));
  const someOn = draft.events.length > 0 && !allOn;
  const selectAll = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (selectAll.current) selectAll.current.indeterminate = someOn;
  }, [someOn]);

  function check(): Record<string, string> {
    const local: Record<string, string> = {};
    const url = draft.url.trim();
    if (!url) local.url = t('webhooks.form.urlRequired');
    else if (!/^https?:\/\//i.test(url)) local.url = t('webhooks.form.urlScheme');
    if ([...draft.description.trim()].length > DESCRIPTION_MAX) local.description = t('webhooks.form.descriptionTooLong');
    if (draft.events.length === 0) local.events = t('webhooks.form.eventsRequired');
    return local;
  }

  async function submit() {
    setFormError(null);
    const local = check();
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    const url = draft.url.trim();
    const description = draft.description.trim();
    try {
      if (!endpoint) {
        const v = await webhookEndpoints.create({ url, ...(description ? { description } : {}), events: draft.events, enabled: draft.enabled });
        onCreated(v);
        return;
      }
      const changes: WebhookEndpointChanges = {};
      if (url !== endpoint.url) changes.url = url;
      if (description !== (endpoint.description ?? '')) changes.description = description;
      if (draft.events.join() !== endpoint.events.join()) changes.events = draft.events;
      if (draft.enabled !== endpoint.enabled) changes.enabled = draft.enabled;
      onUpdated(Object.keys(changes).length ? await webhookEndpoints.update(endpoint.id, changes) : endpoint);
    } catch (e) {
      const { form, fields } = splitApiError(t, e, FIELDS);
      setErrors(fields);
      setFormError(form);
      setBusy(false);
    }
  }

  const toggleEvent = (event: string, on: boolean) =>
    setDraft((d) => {
      const rest = d.events.filter((x) => x !== event);
      // Kept in the server's order, so the chips read the same way on every endpoint.
      const next = on ? offered.filter((x) => x === event || rest.includes(x)) : rest;
      return { ...d, events: next };
    });

  return (
    <Modal
      size="lg"
      title={endpoint ? t('webhooks.form.editTitle') : t('webhooks.form.createTitle')}
      onClose={onClose}
      onSubmit={submit}
      busy={busy}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : endpoint ? t('common.save') : t('webhooks.form.create')}
          </button>
        </>
      }
    >
      <div className="form hooks-form">
        {formError && <Alert>{formError}</Alert>}
        <TextField
          label={t('webhooks.form.url')}
          name="url"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          className="mono"
          value={draft.url}
          maxLength={2048}
          placeholder={t('webhooks.form.urlPlaceholder')}
          hint={t('webhooks.form.urlHint')}
          error={errors.url}
          onChange={(e) => set({ url: e.target.value })}
        />
        <TextField
          label={t('webhooks.form.description')}
          name="description"
          value={draft.description}
          maxLength={DESCRIPTION_MAX}
          placeholder={t('webhooks.form.descriptionPlaceholder')}
          error={errors.description}
          onChange={(e) => set({ description: e.target.value })}
        />
        <fieldset className={`hooks-events${errors.events ? ' field-invalid' : ''}`} data-testid="webhook-events">
          <legend className="field-label">{t('webhooks.form.events')}</legend>
          <p className="field-hint">{t('webhooks.form.eventsHint')}</p>
          <label className="check hooks-select-all">
            <input ref={selectAll} type="checkbox" checked={allOn} onChange={(e) => set({ events: e.target.checked ? [...events] : [] })} />
            <span>{t('webhooks.form.selectAll')}</span>
          </label>
          <div className="hooks-event-list">
            {offered.map((ev) => (
              <label key={ev} className="check hooks-event">
                <input type="checkbox" checked={draft.events.includes(ev)} onChange={(e) => toggleEvent(ev, e.target.checked)} aria-describedby={`hooks-ev-${eventKey(ev)}`} />
                <span className="check-text">
                  <span className="hooks-event-name">
                    {eventLabel(t, ev)} <code className="hooks-event-code">{ev}</code>
                  </span>
                  <span className="field-hint" id={`hooks-ev-${eventKey(ev)}`}>
                    {eventHint(t, ev)}
                  </span>
                </span>
              </label>
            ))}
          </div>
          <FieldError message={errors.events} testId="events-error" />
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
          <span>{t('webhooks.form.enabled')}</span>
        </label>
      </div>
    </Modal>
  );
}

/** The signing secret, shown once (after creating or rotating), with a copy button. */
function SecretDialog({ value, rotated, onClose }: { value: WebhookEndpointWithSecret; rotated: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  return (
    <Modal
      size="md"
      title={rotated ? t('webhooks.secret.rotatedTitle') : t('webhooks.secret.createdTitle')}
      onClose={onClose}
      dismissOnBackdrop={false}
      footer={
        <button type="button" className="btn btn-primary" onClick={onClose}>
          {t('webhooks.secret.done')}
        </button>
      }
    >
      <div className="form hooks-secret" data-testid="webhook-secret-dialog">
        <div className="hooks-secret-warning" role="note">
          <Icon name="alert" size={18} />
          <p>{t('webhooks.secret.warning')}</p>
        </div>
        <div className="field">
          <label className="field-label" htmlFor="hooks-secret">
            {t('webhooks.secret.label', { url: value.endpoint.url })}
          </label>
          <div className="copy-row">
            <input id="hooks-secret" className="input mono" readOnly value={value.secret} onFocus={(e) => e.target.select()} data-testid="webhook-secret" />
            <button
              type="button"
              className="btn btn-secondary"
              onClick={async () => {
                if (await copyText(value.secret)) toast.success(t('webhooks.secret.copied'));
                else toast.error(t('webhooks.secret.copyFailed'));
              }}
            >
              <Icon name="copy" size={15} />
              {t('webhooks.secret.copy')}
            </button>
          </div>
          <p className="field-hint">{t('webhooks.secret.hint')}</p>
        </div>
      </div>
    </Modal>
  );
}

const STATE_FILTERS: (WebhookDeliveryState | '')[] = ['', 'pending', 'delivered', 'failed'];

function stateTone(d: WebhookDelivery): BadgeTone {
  return d.state === 'delivered' ? 'success' : d.state === 'failed' ? 'danger' : 'warning';
}

function stateLabel(t: TFunction, d: WebhookDelivery): string {
  if (d.state === 'pending' && d.attempts > 0) return t('webhooks.log.state.retrying');
  return t(`webhooks.log.state.${d.state}`, { defaultValue: d.state });
}

function prettyJson(v: unknown): string {
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
}

function DeliveryLog({ endpoint, reloadKey, onRefreshed }: { endpoint: WebhookEndpoint; reloadKey: number; onRefreshed: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [filter, setFilter] = useState<WebhookDeliveryState | ''>('');
  const [items, setItems] = useState<WebhookDelivery[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sending, setSending] = useState<string | null>(null);
  const seq = useRef(0);
  const loads = useRef(0);
  const autoRefreshes = useRef(0);
  const refreshedRef = useRef(onRefreshed);
  refreshedRef.current = onRefreshed;

  async function load(auto = false) {
    const mine = ++seq.current;
    if (!auto) autoRefreshes.current = 0;
    setLoading(true);
    try {
      const page = await webhookEndpoints.deliveries(endpoint.id, { state: filter || undefined, limit: LOG_PAGE });
      if (mine !== seq.current) return;
      setItems(page.items);
      setCursor(page.next_cursor);
      setError(null);
      // The endpoint's health changes as deliveries are attempted: re-read it on a refresh.
      if (loads.current++ > 0) refreshedRef.current();
    } catch (e) {
      if (mine === seq.current) setError(e);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }

  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filter, reloadKey, endpoint.id]);

  // A delivery not attempted yet is the worker's to send within seconds: look again by itself.
  const waiting = items?.some((d) => d.state === 'pending' && d.attempts === 0) ?? false;
  useEffect(() => {
    if (!waiting || loading || autoRefreshes.current >= AUTO_REFRESH_MAX) return;
    const id = window.setTimeout(() => {
      autoRefreshes.current += 1;
      void load(true);
    }, AUTO_REFRESH_MS);
    return () => window.clearTimeout(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [items, waiting, loading]);

  async function loadMore() {
    if (!cursor) return;
    const mine = seq.current;
    setLoadingMore(true);
    try {
      const page = await webhookEndpoints.deliveries(endpoint.id, { state: filter || undefined, cursor, limit: LOG_PAGE });
      if (mine !== seq.current) return;
      setItems((prev) => [...(prev ?? []), ...page.items.filter((d) => !(prev ?? []).some((p) => p.id === d.id))]);
      setCursor(page.next_cursor);
    } catch (e) {
      toast.error(describeError(t, e));
    } finally {
      setLoadingMore(false);
    }
  }

  async function redeliver(d: WebhookDelivery) {
    setSending(d.id);
    try {
      await webhookEndpoints.redeliver(endpoint.id, d.id);
      toast.success(t('webhooks.log.redelivered'));
      await load();
    } catch (e) {
      toast.error(describeError(t, e));
    } finally {
      setSending(null);
    }
  }

  const emptyText = filter === 'pending' ? t('webhooks.log.emptyPending') : filter === 'delivered' ? t('webhooks.log.emptyDelivered') : filter === 'failed' ? t('webhooks.log.emptyFailed') : t('webhooks.log.empty');
  const now = Date.now();

  return (
    <div className="hooks-log" id={`hooks-log-${endpoint.id}`} data-testid="delivery-log" role="region" aria-label={t('webhooks.log.title')}>
      <div className="hooks-log-head">
        <div>
          <h3 className="hooks-log-title">{t('webhooks.log.title')}</h3>
          <p className="muted small">{t('webhooks.log.hint')}</p>
        </div>
        <div className="hooks-log-tools">
          <div className="segmented hooks-filter" role="group" aria-label={t('webhooks.log.filter')}>
            {STATE_FILTERS.map((s) => (
              <button key={s || 'all'} type="button" className={`segmented-item${filter === s ? ' segmented-item-active' : ''}`} aria-pressed={filter === s} onClick={() => setFilter(s)}>
                {s ? t(`webhooks.log.${s}`) : t('webhooks.log.all')}
              </button>
            ))}
          </div>
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => void load()} disabled={loading}>
            {loading ? <Spinner size="sm" /> : <Icon name="refresh" size={15} />}
            {t('webhooks.log.refresh')}
          </button>
        </div>
      </div>
      {error && !items ? (
        <LoadError error={error} onRetry={() => void load()} />
      ) : !items ? (
        <div className="hooks-log-loading">
          <Spinner size="sm" />
        </div>
      ) : items.length === 0 ? (
        <p className="hooks-log-empty muted">{emptyText}</p>
      ) : (
        <>
          {error != null && (
            <div className="hooks-log-alert">
              <Alert>{describeError(t, error)}</Alert>
            </div>
          )}
          <ol className="hooks-deliveries">
            {items.map((d) => (
              <li key={d.id} className="hooks-delivery" data-testid="webhook-delivery" data-state={d.state} data-event={d.event}>
                <div className="hooks-delivery-head">
                  <Badge tone={stateTone(d)}>{stateLabel(t, d)}</Badge>
                  <span className="hooks-delivery-event">
                    <code>{d.event}</code>
                  </span>
                  <span className={`hooks-delivery-status${d.response_status && d.response_status >= 300 ? ' hooks-status-bad' : ''}`} data-testid="delivery-status">
                    {d.response_status != null ? t('webhooks.log.status', { code: d.response_status }) : d.attempts > 0 ? t('webhooks.log.noStatus') : t('common.none')}
                  </span>
                  <span className="muted" data-testid="delivery-attempts">
                    {t('webhooks.log.attempts', { count: d.attempts })}
                  </span>
                  <span className="muted">{d.duration_ms != null ? t('webhooks.log.duration', { ms: d.duration_ms }) : t('common.none')}</span>
                  <span className="muted hooks-delivery-time" title={fullDateTime(d.attempted_at ?? d.created_at)}>
                    {d.attempted_at ? t('webhooks.log.attempted', { time: timeAgo(d.attempted_at, now) }) : t('webhooks.log.queued', { time: timeAgo(d.created_at, now) })}
                  </span>
                  <button
                    type="button"
                    className="btn btn-ghost btn-sm hooks-redeliver"
                    disabled={sending !== null}
                    aria-label={t('webhooks.log.redeliverOf', { event: d.event })}
                    onClick={() => void redeliver(d)}
                  >
                    <Icon name="rotate" size={14} />
                    {t('webhooks.log.redeliver')}
                  </button>
                </div>
                {d.response_excerpt && (
                  <div className="hooks-delivery-response">
                    <span className="hooks-key">{t('webhooks.log.response')}</span>
                    <pre className="hooks-pre hooks-excerpt" data-testid="delivery-response">
                      {d.response_excerpt}
                    </pre>
                  </div>
                )}
                <details className="hooks-payload">
                  <summary>
                    {t('webhooks.log.payload')}
                    <span className="muted small hooks-event-id">
                      {t('webhooks.log.eventId')} <code>{d.event_id}</code>
                    </span>
                  </summary>
                  <pre className="hooks-pre" data-testid="delivery-payload">
                    {prettyJson(d.payload)}
                  </pre>
                </details>
              </li>
            ))}
          </ol>
          {cursor && (
            <div className="list-more">
              <button type="button" className="btn btn-secondary btn-sm" onClick={() => void loadMore()} disabled={loadingMore}>
                {loadingMore ? t('common.loading') : t('webhooks.log.loadMore')}
              </button>
            </div>
          )}
        </>
      )}
    </div>
  );
}

function VerifyHelp() {
  const { t } = useTranslation();
  const toast = useToast();
  const code = verifySnippet(t);
  const headers: [string, string, string?][] = [
    ['X-Chorus-Signature', t('webhooks.help.signature'), 't=<unix>,v1=<hex>'],
    ['X-Chorus-Event', t('webhooks.help.event')],
    ['X-Chorus-Event-Id', t('webhooks.help.eventId')],
    ['X-Chorus-Delivery', t('webhooks.help.delivery')],
  ];
  return (
    <section className="card hooks-help" aria-labelledby="hooks-help-title" data-testid="webhooks-help">
      <h2 className="section-title" id="hooks-help-title">
        <Icon name="shield" size={18} />
        {t('webhooks.help.title')}
      </h2>
      <p>{t('webhooks.help.intro')}</p>
      <dl className="hooks-headers">
        {headers.map(([name, text, format]) => (
          <div key={name} className="hooks-header">
            <dt>
              <code>{name}</code>
            </dt>
            <dd>
              {format && <code className="hooks-format">{format}</code>}
              {text}
            </dd>
          </div>
        ))}
      </dl>
      <p>{t('webhooks.help.retries')}</p>
      <div className="hooks-code-head">
        <span className="field-label">{t('webhooks.help.codeTitle')}</span>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={async () => {
            if (await copyText(code)) toast.success(t('webhooks.help.codeCopied'));
            else toast.error(t('webhooks.help.codeCopyFailed'));
          }}
        >
          <Icon name="copy" size={15} />
          {t('webhooks.help.copyCode')}
        </button>
      </div>
      <pre className="hooks-pre hooks-code" data-testid="webhooks-snippet">
        <code>{code}</code>
      </pre>
    </section>
  );
}
