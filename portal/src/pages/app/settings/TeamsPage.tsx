import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { agents as agentsApi, teams as teamsApi, type Agent, type Team } from '../../../api';
import { useSession } from '../../../auth/session';
import { Alert } from '../../../components/Alert';
import { Avatar } from '../../../components/Avatar';
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
import { useLoader } from '../../../lib/useLoader';
import { hasErrors, MAX, type Errors } from '../../../lib/validate';

export function TeamsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const toast = useToast();
  const manage = can('teams:manage');
  const canListAgents = can('agents:manage') || can('teams:manage');
  const list = useLoader(async () => {
    const [teams, agents] = await Promise.all([
      teamsApi.list(),
      canListAgents ? agentsApi.list() : Promise.resolve([] as Agent[]),
    ]);
    return { teams, agents };
  }, [canListAgents]);
  const [editing, setEditing] = useState<Team | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Team | null>(null);

  const teams = [...(list.data?.teams ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  const agents = list.data?.agents ?? [];
  const byId = new Map(agents.map((a) => [a.id, a]));

  function replaceTeam(saved: Team, created: boolean) {
    list.setData((prev) =>
      prev && {
        ...prev,
        teams: created ? [...prev.teams, saved] : prev.teams.map((x) => (x.id === saved.id ? saved : x)),
      },
    );
  }

  return (
    <div className="page">
      <PageHeader
        title={t('teams.title')}
        subtitle={t('teams.subtitle')}
        actions={
          manage && (
            <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
              <Icon name="plus" size={16} />
              {t('teams.new')}
            </button>
          )
        }
      />
      <div className="card">
        {list.loading && !list.data ? (
          <PageLoading label={t('common.loading')} />
        ) : list.error && !list.data ? (
          <LoadError error={list.error} onRetry={list.reload} />
        ) : teams.length === 0 ? (
          <EmptyState icon="team">{t('teams.empty')}</EmptyState>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>{t('teams.colName')}</th>
                <th>{t('teams.colMembers')}</th>
                {manage && <th className="col-actions"><span className="sr-only">{t('common.actions')}</span></th>}
              </tr>
            </thead>
            <tbody>
              {teams.map((team) => {
                const members = team.member_ids.map((id) => byId.get(id)).filter((a): a is Agent => !!a);
                const shown = members.slice(0, 3);
                const more = team.member_ids.length - shown.length;
                return (
                  <tr key={team.id} data-testid="team-row">
                    <td className="strong">{team.name}</td>
                    <td>
                      {team.member_ids.length === 0 ? (
                        <span className="muted">{t('teams.noMembers')}</span>
                      ) : (
                        <div className="member-list">
                          <span className="avatar-stack">
                            {shown.map((a) => (
                              <Avatar key={a.id} name={a.name} seed={a.user_id} size={26} />
                            ))}
                          </span>
                          <span className="small">
                            {shown.map((a) => a.name).join(', ')}
                            {more > 0 && <span className="muted"> {t('teams.moreMembers', { count: more })}</span>}
                          </span>
                        </div>
                      )}
                    </td>
                    {manage && (
                      <td className="col-actions">
                        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditing(team)}>
                          <Icon name="pencil" size={15} />
                          {t('common.edit')}
                        </button>
                        <button
                          type="button"
                          className="btn btn-ghost btn-sm btn-danger-text"
                          onClick={() => setDeleting(team)}
                        >
                          <Icon name="trash" size={15} />
                          {t('common.delete')}
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
      {editing && (
        <TeamDialog
          team={editing === 'new' ? null : editing}
          agents={agents}
          onClose={() => setEditing(null)}
          onSaved={(saved, created) => {
            replaceTeam(saved, created);
            toast.success(t(created ? 'teams.created' : 'teams.updated', { name: saved.name }));
            setEditing(null);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={t('teams.confirmDeleteTitle', { name: deleting.name })}
          body={t('teams.confirmDeleteBody')}
          confirmLabel={t('common.delete')}
          busyLabel={t('common.deleting')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await teamsApi.remove(deleting.id);
            list.setData((prev) => prev && { ...prev, teams: prev.teams.filter((x) => x.id !== deleting.id) });
            toast.success(t('teams.deleted', { name: deleting.name }));
          }}
        />
      )}
    </div>
  );
}

function TeamDialog({ team, agents, onClose, onSaved }: {
  team: Team | null;
  agents: Agent[];
  onClose: () => void;
  onSaved: (team: Team, created: boolean) => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState(team?.name ?? '');
  const [members, setMembers] = useState<Set<string>>(new Set(team?.member_ids ?? []));
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Deactivated people stay listed only while they are still members, so they can be removed.
  const candidates = agents
    .filter((a) => a.status === 'active' || members.has(a.id))
    .sort((a, b) => a.name.localeCompare(b.name));

  async function submit() {
    setFormError(null);
    const local: Errors = {};
    if (!name.trim()) local.name = t('validation.required');
    else if (name.trim().length > MAX.team) local.name = t('validation.nameLength', { max: MAX.team });
    setErrors(local);
    if (hasErrors(local)) return;
    setBusy(true);
    try {
      // Keep members this page cannot see (e.g. not in the agent list) untouched.
      const known = new Set(agents.map((a) => a.id));
      const hidden = (team?.member_ids ?? []).filter((id) => !known.has(id));
      const body = { name: name.trim(), member_ids: [...hidden, ...candidates.filter((a) => members.has(a.id)).map((a) => a.id)] };
      const saved = team ? await teamsApi.update(team.id, body) : await teamsApi.create(body);
      onSaved(saved, !team);
    } catch (e) {
      const { form, fields } = splitApiError(t, e, ['name', 'member_ids'], { team_exists: 'name' });
      setErrors(fields);
      setFormError(form);
      setBusy(false);
    }
  }

  return (
    <Modal
      title={team ? t('teams.editTitle') : t('teams.createTitle')}
      onClose={onClose}
      onSubmit={submit}
      busy={busy}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : team ? t('common.save') : t('common.create')}
          </button>
        </>
      }
    >
      <div className="form">
        {formError && <Alert>{formError}</Alert>}
        <TextField
          label={t('teams.name')}
          name="name"
          placeholder={t('teams.namePlaceholder')}
          value={name}
          maxLength={MAX.team}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
        />
        <fieldset className="field">
          <legend className="field-label">{t('teams.members')}</legend>
          {errors.member_ids && <p className="field-error">{errors.member_ids}</p>}
          {candidates.length === 0 ? (
            <p className="muted">{t('teams.noAgents')}</p>
          ) : (
            <div className="check-list">
              {candidates.map((a) => (
                <label key={a.id} className="check check-row">
                  <input
                    type="checkbox"
                    checked={members.has(a.id)}
                    onChange={(e) =>
                      setMembers((prev) => {
                        const next = new Set(prev);
                        if (e.target.checked) next.add(a.id);
                        else next.delete(a.id);
                        return next;
                      })
                    }
                  />
                  <Avatar name={a.name} seed={a.user_id} size={26} />
                  <span className="check-text">
                    <span className="strong">{a.name}</span>
                    <span className="muted small">{a.email}</span>
                  </span>
                </label>
              ))}
            </div>
          )}
        </fieldset>
      </div>
    </Modal>
  );
}
