// Canned responses (`/settings/canned-responses`): the shared ones and the person's own. Anyone
// who replies may keep personal ones; sharing with the team (and editing shared ones) needs
// canned:manage. Agents insert them by typing "/" and the shortcut in the reply box.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { canned as cannedApi, isMissingEndpoint, type CannedResponse } from '../../../api';
import { useSession } from '../../../auth/session';
import { Alert } from '../../../components/Alert';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { EmptyState } from '../../../components/EmptyState';
import { TextField } from '../../../components/Field';
import { Icon } from '../../../components/Icon';
import { LoadError } from '../../../components/LoadError';
import { Modal } from '../../../components/Modal';
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { Badge } from '../../../components/Badge';
import { splitApiError } from '../../../lib/errors';
import { useLoader } from '../../../lib/useLoader';
import { useDocumentTitle } from '../../../lib/useDocumentTitle';

export const SHORTCUT_RE = /^[a-z0-9_-]{1,32}$/;
const PLACEHOLDERS = '{{contact.name}}, {{agent.name}}, {{business.name}}';

export function CannedResponsesPage() {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const toast = useToast();
  useDocumentTitle(t('canned.title'));
  const list = useLoader(() => cannedApi.search({ q: '' }));
  const [editing, setEditing] = useState<CannedResponse | 'new' | null>(null);
  const [deleting, setDeleting] = useState<CannedResponse | null>(null);
  const manage = can('canned:manage');
  const myId = me?.membership.id;
  const mayEdit = (c: CannedResponse) => (c.shared ? manage : c.owner_id === null || c.owner_id === myId);
  const items = [...(list.data ?? [])].sort((a, b) => Number(b.shared) - Number(a.shared) || a.shortcut.localeCompare(b.shortcut));
  const missing = isMissingEndpoint(list.error);

  return (
    <div className="page">
      <PageHeader
        title={t('canned.title')}
        subtitle={t('canned.subtitle')}
        actions={
          !missing && (
            <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
              <Icon name="plus" size={16} />
              {t('canned.new')}
            </button>
          )
        }
      />
      <div className="card">
        {list.loading && !list.data ? (
          <PageLoading label={t('common.loading')} />
        ) : missing ? (
          <EmptyState icon="message">{t('canned.unavailable')}</EmptyState>
        ) : list.error && !list.data ? (
          <LoadError error={list.error} onRetry={list.reload} />
        ) : items.length === 0 ? (
          <EmptyState icon="message">{t('canned.empty')}</EmptyState>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>{t('canned.colShortcut')}</th>
                <th>{t('canned.colTitle')}</th>
                <th>{t('canned.colScope')}</th>
                <th className="col-actions">
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id} data-testid="canned-row">
                  <td>
                    <code className="canned-shortcut">/{c.shortcut}</code>
                  </td>
                  <td>
                    {c.title && <div className="canned-title">{c.title}</div>}
                    <div className="canned-body muted">{c.body}</div>
                  </td>
                  <td>
                    <Badge tone={c.shared ? 'brand' : 'neutral'}>{c.shared ? t('canned.shared') : t('canned.personal')}</Badge>
                  </td>
                  <td className="col-actions">
                    {mayEdit(c) && (
                      <>
                        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditing(c)} aria-label={`${t('canned.edit')} /${c.shortcut}`}>
                          <Icon name="pencil" size={15} />
                          {t('canned.edit')}
                        </button>
                        <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setDeleting(c)} aria-label={`${t('canned.delete')} /${c.shortcut}`}>
                          <Icon name="trash" size={15} />
                          {t('canned.delete')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {editing && (
        <CannedDialog
          item={editing === 'new' ? null : editing}
          canShare={manage}
          onClose={() => setEditing(null)}
          onSaved={(saved, created) => {
            list.setData((prev) => (created ? [...(prev ?? []), saved] : (prev ?? []).map((x) => (x.id === saved.id ? saved : x))));
            toast.success(t(created ? 'canned.created' : 'canned.updated', { shortcut: saved.shortcut }));
            setEditing(null);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={t('canned.confirmDeleteTitle', { shortcut: deleting.shortcut })}
          body={t('canned.confirmDeleteBody')}
          confirmLabel={t('common.delete')}
          busyLabel={t('common.deleting')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await cannedApi.remove(deleting.id);
            list.setData((prev) => (prev ?? []).filter((x) => x.id !== deleting.id));
            toast.success(t('canned.deleted', { shortcut: deleting.shortcut }));
          }}
        />
      )}
    </div>
  );
}

function CannedDialog({ item, canShare, onClose, onSaved }: { item: CannedResponse | null; canShare: boolean; onClose: () => void; onSaved: (c: CannedResponse, created: boolean) => void }) {
  const { t } = useTranslation();
  const bodyId = useId();
  const [shortcut, setShortcut] = useState(item?.shortcut ?? '');
  const [title, setTitle] = useState(item?.title ?? '');
  const [body, setBody] = useState(item?.body ?? '');
  const [shared, setShared] = useState(item?.shared ?? false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    setFormError(null);
    const local: Record<string, string> = {};
    if (!SHORTCUT_RE.test(shortcut)) local.shortcut = t('canned.shortcutInvalid');
    if (!body.trim()) local.body = t('validation.required');
    else if ([...body].length > 4096) local.body = t('validation.nameLength', { max: 4096 });
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const input = { shortcut, body, shared: canShare ? shared : (item?.shared ?? false), ...(title.trim() ? { title: title.trim() } : {}) };
      const saved = item ? await cannedApi.update(item.id, input) : await cannedApi.create(input);
      onSaved(saved, !item);
    } catch (e) {
      const { form, fields } = splitApiError(t, e, ['shortcut', 'title', 'body', 'shared']);
      setErrors(fields);
      setFormError(form);
      setBusy(false);
    }
  }

  return (
    <Modal
      title={item ? t('canned.editTitle') : t('canned.createTitle')}
      onClose={onClose}
      onSubmit={submit}
      busy={busy}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : item ? t('common.save') : t('common.create')}
          </button>
        </>
      }
    >
      <div className="form">
        {formError && <Alert>{formError}</Alert>}
        <TextField
          label={t('canned.shortcut')}
          name="shortcut"
          value={shortcut}
          maxLength={32}
          placeholder="greeting"
          hint={t('canned.shortcutHint', { shortcut: shortcut || 'greeting' })}
          onChange={(e) => setShortcut(e.target.value.toLowerCase().replace(/\s+/g, '_'))}
          error={errors.shortcut}
        />
        <TextField label={t('canned.titleField')} name="title" value={title} maxLength={120} onChange={(e) => setTitle(e.target.value)} error={errors.title} />
        <div className="field">
          <label className="field-label" htmlFor={bodyId}>
            {t('canned.body')}
          </label>
          <textarea id={bodyId} className="input textarea" rows={5} value={body} maxLength={4096 + 100} onChange={(e) => setBody(e.target.value)} aria-describedby={`${bodyId}-hint`} aria-invalid={Boolean(errors.body)} />
          {errors.body ? (
            <p className="field-error" role="alert">
              {errors.body}
            </p>
          ) : (
            <p className="field-hint" id={`${bodyId}-hint`}>
              {t('canned.bodyHint', { placeholders: PLACEHOLDERS, interpolation: { escapeValue: false } })}
            </p>
          )}
        </div>
        <fieldset className="field">
          <legend className="field-label">{t('canned.scope')}</legend>
          <label className="check">
            <input type="radio" name="scope" checked={!shared} onChange={() => setShared(false)} disabled={!canShare} />
            <span>{t('canned.personal')}</span>
          </label>
          <label className="check">
            <input type="radio" name="scope" checked={shared} onChange={() => setShared(true)} disabled={!canShare} />
            <span>{t('canned.shared')}</span>
          </label>
          {!canShare && <p className="field-hint">{t('canned.sharedNeedsPermission')}</p>}
        </fieldset>
      </div>
    </Modal>
  );
}
