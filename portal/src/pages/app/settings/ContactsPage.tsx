// Contacts (`/settings/contacts`, `/settings/contacts/:contactId`): the business's customer
// directory with search, a CSV import with live progress and per-row errors, a CSV export, and
// one contact's profile (name, email, notes, custom attributes, opt-in, block, merge a
// duplicate, past conversations). The directory, import, export, block and merge need
// contacts:manage together with conversations:read_all (they reach every customer); anyone with
// contacts:manage who sees the contact may edit its profile, so the inbox links agents here too.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import {
  contacts as contactsApi,
  type ContactAttributes,
  type ContactDetail,
  type ContactImport,
  type ContactSummary,
  type OptInState,
} from '../../../api';
import { useSession } from '../../../auth/session';
import { Alert } from '../../../components/Alert';
import { Badge } from '../../../components/Badge';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { ConsentHistory } from '../../../components/ConsentHistory';
import { EmptyState } from '../../../components/EmptyState';
import { SelectField, TextField } from '../../../components/Field';
import { Icon } from '../../../components/Icon';
import { LoadError } from '../../../components/LoadError';
import { Modal } from '../../../components/Modal';
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { splitApiError } from '../../../lib/errors';
import { formatPhone } from '../../../lib/phone';
import { fullDateTime } from '../../../lib/time';
import { useDocumentTitle } from '../../../lib/useDocumentTitle';
import { useLoader } from '../../../lib/useLoader';
import { TagPills } from '../inbox/bits';

/** How often a running import is polled. */
export const IMPORT_POLL_MS = 1000;
export const ATTRIBUTE_KEY_RE = /^[a-z0-9_]{1,40}$/;

function optInTone(s: string) {
  return s === 'opted_in' ? 'success' : s === 'opted_out' ? 'danger' : 'neutral';
}

/** An attribute typed in a text box: numbers and true/false that read back the same become one. */
export function attributeValue(text: string): string | number | boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  const n = Number(text);
  if (text.trim() !== '' && Number.isFinite(n) && String(n) === text) return n;
  return text;
}

export function ContactsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const { contactId } = useParams();
  const navigate = useNavigate();
  const toast = useToast();
  useDocumentTitle(t('contacts.title'));
  const directory = can('contacts:manage') && can('conversations:read_all');
  const [query, setQuery] = useState('');
  const [submitted, setSubmitted] = useState('');
  const [blockedOnly, setBlockedOnly] = useState(false);
  const [more, setMore] = useState<ContactSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);
  const list = useLoader(
    async () => {
      if (!directory) return null;
      const page = await contactsApi.list({ q: submitted, blocked: blockedOnly ? true : undefined });
      setMore([]);
      setCursor(page.next_cursor);
      return page.items;
    },
    [submitted, blockedOnly, directory],
  );
  const items = [...(list.data ?? []), ...more];

  async function loadMore() {
    if (!cursor) return;
    const page = await contactsApi.list({ q: submitted, blocked: blockedOnly ? true : undefined, cursor });
    setMore((prev) => [...prev, ...page.items]);
    setCursor(page.next_cursor);
  }

  async function exportCsv() {
    try {
      const blob = await contactsApi.exportCsv();
      if (typeof URL.createObjectURL === 'function') {
        const url = URL.createObjectURL(blob);
        const a = document.createElement('a');
        a.href = url;
        a.download = 'contacts.csv';
        a.click();
        URL.revokeObjectURL(url);
      }
      toast.success(t('contacts.exported'));
    } catch {
      toast.error(t('contacts.exportFailed'));
    }
  }

  return (
    <div className="page">
      <PageHeader
        title={t('contacts.title')}
        subtitle={t('contacts.subtitle')}
        actions={
          directory && (
            <>
              <button type="button" className="btn btn-secondary" onClick={exportCsv}>
                <Icon name="download" size={16} />
                {t('contacts.export')}
              </button>
              <button type="button" className="btn btn-primary" onClick={() => setImporting(true)}>
                <Icon name="plus" size={16} />
                {t('contacts.import')}
              </button>
            </>
          )
        }
      />
      {directory ? (
        <div className="card">
          <form
            className="templates-toolbar"
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              setSubmitted(query.trim());
            }}
          >
            <input
              className="input input-sm"
              type="search"
              aria-label={t('contacts.search')}
              placeholder={t('contacts.searchPlaceholder')}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
            <button type="submit" className="btn btn-secondary btn-sm">
              {t('contacts.searchButton')}
            </button>
            <label className="check">
              <input type="checkbox" checked={blockedOnly} onChange={(e) => setBlockedOnly(e.target.checked)} />
              <span>{t('contacts.blockedOnly')}</span>
            </label>
          </form>
          {list.loading && !list.data ? (
            <PageLoading label={t('common.loading')} />
          ) : list.error && !list.data ? (
            <LoadError error={list.error} onRetry={list.reload} />
          ) : items.length === 0 ? (
            <EmptyState icon="users">{submitted ? t('contacts.noMatches') : t('contacts.empty')}</EmptyState>
          ) : (
            <>
              <table className="table">
                <thead>
                  <tr>
                    <th>{t('contacts.colName')}</th>
                    <th>{t('contacts.colPhone')}</th>
                    <th>{t('contacts.colEmail')}</th>
                    <th>{t('contacts.colTags')}</th>
                    <th>{t('contacts.colOptIn')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((c) => (
                    <tr key={c.id} data-testid="contact-row">
                      <td>
                        <Link to={`/settings/contacts/${c.id}`}>{c.name || (c.wa_id ? formatPhone(c.wa_id) : t('contacts.unnamed'))}</Link>
                        {c.blocked && (
                          <>
                            {' '}
                            <Badge tone="danger">{t('contacts.blocked')}</Badge>
                          </>
                        )}
                      </td>
                      <td className="mono">{c.wa_id ? formatPhone(c.wa_id) : '—'}</td>
                      <td>{c.email ?? ''}</td>
                      <td>{c.tags.length ? <TagPills tags={c.tags} max={4} /> : null}</td>
                      <td>
                        <Badge tone={optInTone(c.opt_in)}>{t(`contacts.optIn.${c.opt_in}`, { defaultValue: c.opt_in })}</Badge>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {cursor && (
                <div className="list-more">
                  <button type="button" className="btn btn-secondary btn-sm" onClick={loadMore}>
                    {t('contacts.loadMore')}
                  </button>
                </div>
              )}
            </>
          )}
        </div>
      ) : (
        !contactId && <EmptyState icon="users">{t('contacts.needsPermission')}</EmptyState>
      )}
      {contactId && (
        <ContactProfile
          id={contactId}
          directory={directory}
          onClose={() => navigate('/settings/contacts')}
          onChanged={() => void list.reload()}
        />
      )}
      {importing && (
        <ImportDialog
          onClose={() => {
            setImporting(false);
            void list.reload();
          }}
        />
      )}
    </div>
  );
}

type AttrRow = { key: string; value: string };

function rowsOf(attrs: ContactAttributes | undefined): AttrRow[] {
  return Object.entries(attrs ?? {}).map(([key, value]) => ({ key, value: String(value) }));
}

export function ContactProfile({ id, directory, onClose, onChanged }: { id: string; directory: boolean; onClose: () => void; onChanged: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const detail = useLoader(() => contactsApi.get(id), [id]);
  const dups = useLoader(() => (directory ? contactsApi.duplicates(id) : Promise.resolve([])), [id, directory]);
  const [merging, setMerging] = useState<ContactSummary | null>(null);
  const c = detail.data;

  return (
    <Modal title={c?.name || (c?.wa_id ? formatPhone(c.wa_id) : t('contacts.profile'))} subtitle={c?.wa_id ? formatPhone(c.wa_id) : undefined} onClose={onClose} size="lg">
      {detail.loading && !c ? (
        <PageLoading label={t('common.loading')} />
      ) : detail.error && !c ? (
        <LoadError error={detail.error} onRetry={detail.reload} />
      ) : c ? (
        <div className="form">
          {c.blocked && <Alert tone="info">{t('contacts.blockedNote', { time: c.blocked_at ? fullDateTime(c.blocked_at) : '' })}</Alert>}
          <ProfileForm
            key={c.updated_at ?? c.id}
            contact={c}
            onSaved={(saved) => {
              detail.setData(() => saved);
              toast.success(t('contacts.saved'));
              onChanged();
            }}
          />
          {directory && (
            <div className="form-actions">
              <BlockButton
                contact={c}
                onDone={(saved) => {
                  detail.setData(() => saved);
                  onChanged();
                }}
              />
            </div>
          )}
          {directory && dups.data && dups.data.length > 0 && (
            <section data-testid="duplicates">
              <h3 className="contact-section-title">{t('contacts.duplicates')}</h3>
              <ul className="contact-history">
                {dups.data.map((d) => (
                  <li key={d.id} className="contact-history-item">
                    <span>
                      {d.name || t('contacts.unnamed')} {d.wa_id ? `· ${formatPhone(d.wa_id)}` : ''}
                    </span>
                    <button type="button" className="btn btn-secondary btn-sm" onClick={() => setMerging(d)}>
                      {t('contacts.mergeButton')}
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <ConsentHistory contactId={c.id} reloadKey={`${c.opt_in?.state ?? ''}:${c.opt_in?.changed_at ?? ''}`} />
          <section data-testid="contact-conversations">
            <h3 className="contact-section-title">{t('contacts.conversations')}</h3>
            {c.conversations.length === 0 ? (
              <p className="muted">{t('contacts.noConversations')}</p>
            ) : (
              <ul className="contact-history">
                {c.conversations.map((conv) => (
                  <li key={conv.id}>
                    <Link to={`/inbox/${conv.id}`} className="contact-history-item">
                      <span className="contact-history-preview">{conv.last_message_preview || '…'}</span>
                      <span className="contact-history-time">
                        {t(`inbox.status.${conv.status}`, { defaultValue: conv.status })} · {fullDateTime(conv.opened_at)}
                      </span>
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      ) : null}
      {merging && c && (
        <ConfirmDialog
          title={t('contacts.mergeTitle', { from: merging.name || merging.wa_id || '', into: c.name || c.wa_id || '' })}
          body={t('contacts.mergeBody')}
          confirmLabel={t('contacts.mergeConfirm')}
          tone="primary"
          onClose={() => setMerging(null)}
          onConfirm={async () => {
            const merged = await contactsApi.merge(c.id, merging.id);
            detail.setData(() => merged);
            dups.setData((prev) => (prev ?? []).filter((d) => d.id !== merging.id));
            toast.success(t('contacts.merged'));
            onChanged();
            navigate(`/settings/contacts/${c.id}`);
          }}
        />
      )}
    </Modal>
  );
}

function ProfileForm({ contact, onSaved }: { contact: ContactDetail; onSaved: (c: ContactDetail) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(contact.custom_name ?? '');
  const [email, setEmail] = useState(contact.email ?? '');
  const [notes, setNotes] = useState(contact.notes ?? '');
  const [optIn, setOptIn] = useState<OptInState>((contact.opt_in?.state as OptInState) ?? 'unknown');
  const [attrs, setAttrs] = useState<AttrRow[]>(rowsOf(contact.attributes));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function save() {
    setFormError(null);
    const local: Record<string, string> = {};
    const attributes: ContactAttributes = {};
    for (const row of attrs) {
      if (!row.key && !row.value) continue;
      if (!ATTRIBUTE_KEY_RE.test(row.key)) local.attributes = t('contacts.attributeKeyInvalid', { key: row.key });
      else if (row.value.length > 500) local.attributes = t('contacts.attributeTooLong', { key: row.key });
      else attributes[row.key] = attributeValue(row.value);
    }
    if (Object.keys(attributes).length > 50) local.attributes = t('contacts.attributesTooMany');
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const saved = await contactsApi.update(contact.id, { name, email, notes, attributes, opt_in: optIn });
      onSaved(saved);
    } catch (e) {
      const { form, fields } = splitApiError(t, e, ['name', 'email', 'notes', 'attributes', 'opt_in']);
      setErrors(fields);
      setFormError(form);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="form"
      aria-label={t('contacts.profile')}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {formError && <Alert>{formError}</Alert>}
      <TextField
        label={t('contacts.name')}
        name="name"
        value={name}
        maxLength={200}
        placeholder={contact.profile_name ?? ''}
        hint={contact.profile_name ? t('contacts.nameHint', { profile: contact.profile_name }) : undefined}
        onChange={(e) => setName(e.target.value)}
        error={errors.name}
      />
      <TextField label={t('contacts.email')} name="email" type="email" value={email} maxLength={254} onChange={(e) => setEmail(e.target.value)} error={errors.email} />
      <SelectField label={t('contacts.optInLabel')} name="opt_in" value={optIn} onChange={(e) => setOptIn(e.target.value as OptInState)} error={errors.opt_in}
        hint={contact.opt_in?.changed_at ? t('contacts.optInChanged', { time: fullDateTime(contact.opt_in.changed_at), source: t(`contacts.source.${contact.opt_in.source ?? 'agent'}`, { defaultValue: contact.opt_in.source ?? '' }) }) : undefined}
      >
        <option value="unknown">{t('contacts.optIn.unknown')}</option>
        <option value="opted_in">{t('contacts.optIn.opted_in')}</option>
        <option value="opted_out">{t('contacts.optIn.opted_out')}</option>
      </SelectField>
      <div className="field">
        <label className="field-label" htmlFor="contact-notes">
          {t('contacts.notes')}
        </label>
        <textarea id="contact-notes" className="input textarea" rows={3} value={notes} maxLength={10000} onChange={(e) => setNotes(e.target.value)} />
      </div>
      <fieldset className="field" data-testid="attributes">
        <legend className="field-label">{t('contacts.attributes')}</legend>
        {attrs.map((row, i) => (
          <div className="attribute-row" key={i}>
            <input
              className="input input-sm mono"
              aria-label={t('contacts.attributeKey')}
              value={row.key}
              maxLength={40}
              onChange={(e) => setAttrs((prev) => prev.map((r, j) => (j === i ? { ...r, key: e.target.value.toLowerCase() } : r)))}
            />
            <input
              className="input input-sm"
              aria-label={t('contacts.attributeValue')}
              value={row.value}
              onChange={(e) => setAttrs((prev) => prev.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))}
            />
            <button type="button" className="icon-button icon-button-sm" aria-label={t('contacts.attributeRemove', { key: row.key })} onClick={() => setAttrs((prev) => prev.filter((_, j) => j !== i))}>
              <Icon name="x" size={14} />
            </button>
          </div>
        ))}
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAttrs((prev) => [...prev, { key: '', value: '' }])}>
          <Icon name="plus" size={14} />
          {t('contacts.attributeAdd')}
        </button>
        {errors.attributes ? (
          <p className="field-error" role="alert">
            {errors.attributes}
          </p>
        ) : (
          <p className="field-hint">{t('contacts.attributesHint')}</p>
        )}
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : t('common.save')}
        </button>
      </div>
    </form>
  );
}

function BlockButton({ contact, onDone }: { contact: ContactDetail; onDone: (c: ContactDetail) => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  if (contact.blocked) {
    return (
      <button
        type="button"
        className="btn btn-secondary"
        onClick={async () => {
          onDone(await contactsApi.unblock(contact.id));
          toast.success(t('contacts.unblocked'));
        }}
      >
        {t('contacts.unblock')}
      </button>
    );
  }
  return (
    <>
      <button type="button" className="btn btn-secondary btn-danger-text" onClick={() => setConfirming(true)}>
        <Icon name="ban" size={15} />
        {t('contacts.block')}
      </button>
      {confirming && (
        <ConfirmDialog
          title={t('contacts.blockTitle', { name: contact.name || contact.wa_id || '' })}
          body={t('contacts.blockBody')}
          confirmLabel={t('contacts.block')}
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            onDone(await contactsApi.block(contact.id));
            toast.success(t('contacts.blockedToast'));
          }}
        />
      )}
    </>
  );
}

export function ImportDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [job, setJob] = useState<ContactImport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const timer = useRef<ReturnType<typeof setInterval> | null>(null);
  const running = job && (job.status === 'queued' || job.status === 'running');

  useEffect(() => {
    if (!job || !running) return;
    timer.current = setInterval(async () => {
      try {
        setJob(await contactsApi.importStatus(job.id));
      } catch {
        // The next tick tries again.
      }
    }, IMPORT_POLL_MS);
    return () => {
      if (timer.current) clearInterval(timer.current);
    };
  }, [job?.id, running]); // eslint-disable-line react-hooks/exhaustive-deps

  async function upload() {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      setJob(await contactsApi.importFile(file));
    } catch (e) {
      setError(splitApiError(t, e, []).form ?? t('contacts.importFailed'));
    } finally {
      setBusy(false);
    }
  }

  const pct = job && job.total > 0 ? Math.round((job.processed / job.total) * 100) : job?.status === 'done' ? 100 : 0;
  return (
    <Modal
      title={t('contacts.importTitle')}
      onClose={onClose}
      onSubmit={() => void upload()}
      busy={busy}
      footer={
        job ? (
          <button type="button" className="btn btn-primary" onClick={onClose}>
            {t('common.close')}
          </button>
        ) : (
          <>
            <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy || !file}>
              {busy ? t('contacts.uploading') : t('contacts.importStart')}
            </button>
          </>
        )
      }
    >
      <div className="form">
        {error && <Alert>{error}</Alert>}
        {!job ? (
          <>
            <p className="muted">{t('contacts.importHelp')}</p>
            <div className="field">
              <label className="field-label" htmlFor="contacts-file">
                {t('contacts.importFile')}
              </label>
              <input id="contacts-file" type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            </div>
          </>
        ) : (
          <div data-testid="import-progress">
            <p>
              {job.status === 'done'
                ? t('contacts.importDone', { created: job.created, updated: job.updated, failed: job.failed })
                : job.status === 'failed'
                  ? (job.error ?? t('contacts.importFailed'))
                  : t('contacts.importRunning', { processed: job.processed, total: job.total })}
            </p>
            <span className="progress" role="progressbar" aria-label={t('contacts.importProgress')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
              <span className="progress-bar" style={{ width: `${Math.max(2, pct)}%` }} />
            </span>
            {job.status === 'done' && job.errors.length > 0 && (
              <table className="table" data-testid="import-errors">
                <thead>
                  <tr>
                    <th>{t('contacts.errorRow')}</th>
                    <th>{t('contacts.errorMessage')}</th>
                  </tr>
                </thead>
                <tbody>
                  {job.errors.map((e) => (
                    <tr key={e.row}>
                      <td>{e.row}</td>
                      <td>{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        )}
      </div>
    </Modal>
  );
}
