import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ALL_PERMISSIONS, roles as rolesApi, type Role } from '../../../api';
import { useSession } from '../../../auth/session';
import { Alert } from '../../../components/Alert';
import { Badge } from '../../../components/Badge';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { TextField } from '../../../components/Field';
import { Icon } from '../../../components/Icon';
import { LoadError } from '../../../components/LoadError';
import { Modal } from '../../../components/Modal';
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { splitApiError } from '../../../lib/errors';
import { builtinKey, PERMISSION_GROUPS, roleLabel } from '../../../lib/roles';
import { useLoader } from '../../../lib/useLoader';
import { hasErrors, MAX, type Errors } from '../../../lib/validate';

const BUILTIN_ORDER = ['owner', 'admin', 'supervisor', 'agent'];

function sortRoles(list: Role[]): Role[] {
  return [...list].sort((a, b) => {
    if (a.builtin !== b.builtin) return a.builtin ? -1 : 1;
    if (a.builtin) return BUILTIN_ORDER.indexOf(builtinKey(a.name) ?? '') - BUILTIN_ORDER.indexOf(builtinKey(b.name) ?? '');
    return a.name.localeCompare(b.name);
  });
}

export function RolesPage() {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const toast = useToast();
  const list = useLoader(() => rolesApi.list());
  const [open, setOpen] = useState<Role | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);
  const manage = can('roles:manage');
  const items = sortRoles(list.data ?? []);

  return (
    <div className="page">
      <PageHeader
        title={t('roles.title')}
        subtitle={t('roles.subtitle', { business: me?.tenant.name ?? '' })}
        actions={
          manage && (
            <button type="button" className="btn btn-primary" onClick={() => setOpen('new')}>
              <Icon name="plus" size={16} />
              {t('roles.new')}
            </button>
          )
        }
      />
      <div className="card">
        {list.loading && !list.data ? (
          <PageLoading label={t('common.loading')} />
        ) : list.error && !list.data ? (
          <LoadError error={list.error} onRetry={list.reload} />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>{t('roles.colName')}</th>
                <th>{t('roles.colPermissions')}</th>
                <th className="col-actions"><span className="sr-only">{t('common.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((role) => {
                const editable = manage && !role.builtin;
                return (
                  <tr key={role.id} data-testid="role-row">
                    <td>
                      <div className="cell-title">
                        <span className="strong">{roleLabel(t, role.name, role.builtin)}</span>
                        <Badge tone={role.builtin ? 'neutral' : 'brand'}>
                          {role.builtin ? t('roles.builtin') : t('roles.custom')}
                        </Badge>
                      </div>
                    </td>
                    <td>
                      <div className="meter" aria-hidden="true">
                        <span style={{ width: `${(role.permissions.length / ALL_PERMISSIONS.length) * 100}%` }} />
                      </div>
                      <span className="muted small">
                        {t('roles.permissionsCount', { count: role.permissions.length, total: ALL_PERMISSIONS.length })}
                      </span>
                    </td>
                    <td className="col-actions">
                      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setOpen(role)}>
                        <Icon name={editable ? 'pencil' : 'info'} size={15} />
                        {editable ? t('common.edit') : t('common.view')}
                      </button>
                      {editable && (
                        <button
                          type="button"
                          className="btn btn-ghost btn-sm btn-danger-text"
                          onClick={() => setDeleting(role)}
                        >
                          <Icon name="trash" size={15} />
                          {t('common.delete')}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
      {open && (
        <RoleDialog
          role={open === 'new' ? null : open}
          readOnly={!manage || (open !== 'new' && open.builtin)}
          held={new Set(me?.membership.permissions ?? [])}
          onClose={() => setOpen(null)}
          onSaved={(saved, created) => {
            list.setData((prev) =>
              created ? [...(prev ?? []), saved] : (prev ?? []).map((x) => (x.id === saved.id ? saved : x)),
            );
            toast.success(t(created ? 'roles.created' : 'roles.updated', { name: saved.name }));
            setOpen(null);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={t('roles.confirmDeleteTitle', { name: deleting.name })}
          body={t('roles.confirmDeleteBody')}
          confirmLabel={t('common.delete')}
          busyLabel={t('common.deleting')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await rolesApi.remove(deleting.id);
            list.setData((prev) => (prev ?? []).filter((x) => x.id !== deleting.id));
            toast.success(t('roles.deleted', { name: deleting.name }));
          }}
        />
      )}
    </div>
  );
}

function RoleDialog({ role, readOnly, held, onClose, onSaved }: {
  role: Role | null;
  readOnly: boolean;
  held: Set<string>;
  onClose: () => void;
  onSaved: (role: Role, created: boolean) => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState(role?.name ?? '');
  const [perms, setPerms] = useState<Set<string>>(new Set(role?.permissions ?? []));
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function toggle(p: string, on: boolean) {
    setPerms((prev) => {
      const next = new Set(prev);
      if (on) next.add(p);
      else next.delete(p);
      return next;
    });
  }

  async function submit() {
    if (readOnly) return onClose();
    setFormError(null);
    const local: Errors = {};
    if (!name.trim()) local.name = t('validation.required');
    else if (name.trim().length > MAX.role) local.name = t('validation.nameLength', { max: MAX.role });
    setErrors(local);
    if (hasErrors(local)) return;
    setBusy(true);
    try {
      const permissions = ALL_PERMISSIONS.filter((p) => perms.has(p));
      const body = { name: name.trim(), permissions };
      const saved = role ? await rolesApi.update(role.id, body) : await rolesApi.create(body);
      onSaved(saved, !role);
    } catch (e) {
      const { form, fields } = splitApiError(t, e, ['name', 'permissions'], { role_exists: 'name' });
      setErrors(fields);
      setFormError(form);
      setBusy(false);
    }
  }

  const title = readOnly && role
    ? t('roles.viewTitle', { name: roleLabel(t, role.name, role.builtin) })
    : role
      ? t('roles.editTitle')
      : t('roles.createTitle');

  return (
    <Modal
      title={title}
      onClose={onClose}
      onSubmit={submit}
      busy={busy}
      size="lg"
      footer={
        readOnly ? (
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            {t('common.close')}
          </button>
        ) : (
          <>
            <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? t('common.saving') : role ? t('common.save') : t('common.create')}
            </button>
          </>
        )
      }
    >
      <div className="form">
        {role?.builtin && <Alert tone="info">{t('roles.builtinLocked')}</Alert>}
        {formError && <Alert>{formError}</Alert>}
        {!readOnly && (
          <TextField
            label={t('roles.name')}
            name="name"
            placeholder={t('roles.namePlaceholder')}
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={errors.name}
            maxLength={MAX.role}
          />
        )}
        <div className="field">
          <div className="field-label">{t('roles.permissions')}</div>
          {errors.permissions && <p className="field-error">{errors.permissions}</p>}
          <div className="perm-groups">
            {PERMISSION_GROUPS.map((group) => (
              <fieldset key={group.key} className="perm-group">
                <legend>{t(`roles.groups.${group.key}`)}</legend>
                {group.permissions.map((p) => {
                  const notHeld = !held.has(p) && !perms.has(p);
                  const disabled = readOnly || (!held.has(p) && !perms.has(p));
                  return (
                    <label
                      key={p}
                      className={`check${disabled ? ' check-disabled' : ''}`}
                      title={!readOnly && notHeld ? t('roles.notHeld') : undefined}
                    >
                      <input
                        type="checkbox"
                        name={p}
                        checked={perms.has(p)}
                        disabled={disabled}
                        onChange={(e) => toggle(p, e.target.checked)}
                      />
                      <span>
                        {t(`roles.perm.${p}`)}
                        <code className="perm-code">{p}</code>
                      </span>
                    </label>
                  );
                })}
              </fieldset>
            ))}
          </div>
          {!readOnly && ALL_PERMISSIONS.some((p) => !held.has(p)) && (
            <p className="field-hint">{t('roles.notHeld')}</p>
          )}
        </div>
      </div>
    </Modal>
  );
}
