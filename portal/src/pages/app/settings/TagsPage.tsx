import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { tags as tagsApi, type Tag } from '../../../api';
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
import { splitApiError } from '../../../lib/errors';
import { formatDate, readableOn } from '../../../lib/format';
import { useLoader } from '../../../lib/useLoader';
import { COLOUR_RE, hasErrors, MAX, type Errors } from '../../../lib/validate';

export const TAG_COLOURS = [
  '#0f766e', '#15803d', '#65a30d', '#ca8a04', '#ea580c', '#dc2626',
  '#db2777', '#9333ea', '#4f46e5', '#2563eb', '#0891b2', '#475569',
];

export function TagChip({ name, colour }: { name: string; colour: string }) {
  return (
    <span className="tag-chip" style={{ background: colour, color: readableOn(colour) }}>
      {name}
    </span>
  );
}

export function TagsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const toast = useToast();
  const list = useLoader(() => tagsApi.list());
  const [editing, setEditing] = useState<Tag | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Tag | null>(null);
  const manage = can('tags:manage');
  const items = [...(list.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <div className="page">
      <PageHeader
        title={t('tags.title')}
        subtitle={t('tags.subtitle')}
        actions={
          manage && (
            <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
              <Icon name="plus" size={16} />
              {t('tags.new')}
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
          <EmptyState icon="tag">{t('tags.empty')}</EmptyState>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>{t('tags.colName')}</th>
                <th>{t('tags.colCreated')}</th>
                {manage && <th className="col-actions"><span className="sr-only">{t('common.actions')}</span></th>}
              </tr>
            </thead>
            <tbody>
              {items.map((tag) => (
                <tr key={tag.id} data-testid="tag-row">
                  <td>
                    <TagChip name={tag.name} colour={tag.colour} />
                  </td>
                  <td className="muted">{formatDate(tag.created_at)}</td>
                  {manage && (
                    <td className="col-actions">
                      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditing(tag)}>
                        <Icon name="pencil" size={15} />
                        {t('common.edit')}
                      </button>
                      <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setDeleting(tag)}>
                        <Icon name="trash" size={15} />
                        {t('common.delete')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {editing && (
        <TagDialog
          tag={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(saved, created) => {
            list.setData((prev) =>
              created ? [...(prev ?? []), saved] : (prev ?? []).map((x) => (x.id === saved.id ? saved : x)),
            );
            toast.success(t(created ? 'tags.created' : 'tags.updated', { name: saved.name }));
            setEditing(null);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={t('tags.confirmDeleteTitle', { name: deleting.name })}
          body={t('tags.confirmDeleteBody')}
          confirmLabel={t('common.delete')}
          busyLabel={t('common.deleting')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await tagsApi.remove(deleting.id);
            list.setData((prev) => (prev ?? []).filter((x) => x.id !== deleting.id));
            toast.success(t('tags.deleted', { name: deleting.name }));
          }}
        />
      )}
    </div>
  );
}

function TagDialog({ tag, onClose, onSaved }: {
  tag: Tag | null;
  onClose: () => void;
  onSaved: (tag: Tag, created: boolean) => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState(tag?.name ?? '');
  const [colour, setColour] = useState(tag?.colour ?? TAG_COLOURS[0]);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    setFormError(null);
    const local: Errors = {};
    if (!name.trim()) local.name = t('validation.required');
    else if (name.trim().length > MAX.tag) local.name = t('validation.nameLength', { max: MAX.tag });
    if (!COLOUR_RE.test(colour)) local.colour = t('validation.colour');
    setErrors(local);
    if (hasErrors(local)) return;
    setBusy(true);
    try {
      const body = { name: name.trim(), colour: colour.toLowerCase() };
      const saved = tag ? await tagsApi.update(tag.id, body) : await tagsApi.create(body);
      onSaved(saved, !tag);
    } catch (e) {
      const { form, fields } = splitApiError(t, e, ['name', 'colour'], { tag_exists: 'name' });
      setErrors(fields);
      setFormError(form);
      setBusy(false);
    }
  }

  return (
    <Modal
      title={tag ? t('tags.editTitle') : t('tags.createTitle')}
      onClose={onClose}
      onSubmit={submit}
      busy={busy}
      size="sm"
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : tag ? t('common.save') : t('common.create')}
          </button>
        </>
      }
    >
      <div className="form">
        {formError && <Alert>{formError}</Alert>}
        <TextField
          label={t('tags.name')}
          name="name"
          placeholder={t('tags.namePlaceholder')}
          value={name}
          maxLength={MAX.tag}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
        />
        <fieldset className="field">
          <legend className="field-label">{t('tags.colour')}</legend>
          <div className="swatches" role="radiogroup" aria-label={t('tags.colour')}>
            {TAG_COLOURS.map((c) => (
              <button
                key={c}
                type="button"
                role="radio"
                aria-checked={colour.toLowerCase() === c}
                aria-label={c}
                className="swatch"
                style={{ background: c }}
                onClick={() => setColour(c)}
              >
                {colour.toLowerCase() === c && <Icon name="check" size={14} />}
              </button>
            ))}
            <label className="swatch swatch-custom" title={t('tags.customColour')}>
              <input
                type="color"
                aria-label={t('tags.customColour')}
                value={COLOUR_RE.test(colour) ? colour : '#000000'}
                onChange={(e) => setColour(e.target.value)}
              />
              <Icon name="plus" size={14} />
            </label>
          </div>
          {errors.colour && <p className="field-error">{errors.colour}</p>}
        </fieldset>
        <div className="tag-preview">
          <span className="muted">{t('tags.preview')}</span>
          <TagChip name={name.trim() || t('tags.namePlaceholder')} colour={COLOUR_RE.test(colour) ? colour : '#475569'} />
        </div>
      </div>
    </Modal>
  );
}
