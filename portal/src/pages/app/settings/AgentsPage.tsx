import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  agents as agentsApi,
  invitations as invitationsApi,
  roles as rolesApi,
  teams as teamsApi,
  type Agent,
  type Invitation,
  type Role,
  type Team,
} from '../../../api';
import { useSession } from '../../../auth/session';
import { Alert } from '../../../components/Alert';
import { Avatar } from '../../../components/Avatar';
import { Badge, type BadgeTone } from '../../../components/Badge';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { EmptyState } from '../../../components/EmptyState';
import { SelectField, TextField } from '../../../components/Field';
import { Forbidden } from '../../../components/Forbidden';
import { Icon } from '../../../components/Icon';
import { LoadError } from '../../../components/LoadError';
import { Modal } from '../../../components/Modal';
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { describeError, splitApiError } from '../../../lib/errors';
import { formatDate } from '../../../lib/format';
import { builtinKey, roleLabel } from '../../../lib/roles';
import { useLoader } from '../../../lib/useLoader';
import { EMAIL_RE, hasErrors, type Errors } from '../../../lib/validate';

const INVITATION_TONES: Record<Invitation['status'], BadgeTone> = {
  pending: 'warning',
  accepted: 'success',
  revoked: 'neutral',
  expired: 'neutral',
};

export function AgentsPage() {
  const { can } = useSession();
  if (!can('agents:manage') && !can('teams:manage')) return <Forbidden />;
  return <AgentsContent />;
}

function AgentsContent() {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const toast = useToast();
  const manage = can('agents:manage');
  const data = useLoader(async () => {
    const [agents, roles, teams, invitations] = await Promise.all([
      agentsApi.list(),
      rolesApi.list(),
      teamsApi.list(),
      manage ? invitationsApi.list() : Promise.resolve([] as Invitation[]),
    ]);
    return { agents, roles, teams, invitations };
  }, [manage]);
  const [inviting, setInviting] = useState(false);
  const [deactivating, setDeactivating] = useState<Agent | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const [pending, setPending] = useState<Set<string>>(new Set());

  const business = me?.tenant.name ?? '';
  const roles = data.data?.roles ?? [];
  const teamNames = new Map((data.data?.teams ?? []).map((tm) => [tm.id, tm.name]));
  const agents = [...(data.data?.agents ?? [])].sort(
    (a, b) => Number(a.status === 'deactivated') - Number(b.status === 'deactivated') || a.name.localeCompare(b.name),
  );
  const invitations = [...(data.data?.invitations ?? [])].sort(
    (a, b) => Number(a.status !== 'pending') - Number(b.status !== 'pending') || b.created_at.localeCompare(a.created_at),
  );

  function replaceAgent(saved: Agent) {
    data.setData((prev) => prev && { ...prev, agents: prev.agents.map((a) => (a.id === saved.id ? saved : a)) });
  }

  async function updateAgent(agent: Agent, body: { role_id?: string; status?: Agent['status'] }) {
    setPending((p) => new Set(p).add(agent.id));
    try {
      const saved = await agentsApi.update(agent.id, body);
      replaceAgent(saved);
      return saved;
    } finally {
      setPending((p) => {
        const next = new Set(p);
        next.delete(agent.id);
        return next;
      });
    }
  }

  async function changeRole(agent: Agent, roleId: string) {
    try {
      const saved = await updateAgent(agent, { role_id: roleId });
      const role = roles.find((r) => r.id === saved.role.id);
      toast.success(t('agents.roleChanged', { name: saved.name, role: roleLabel(t, saved.role.name, role?.builtin) }));
    } catch (e) {
      toast.error(describeError(t, e));
    }
  }

  if (data.loading && !data.data) return <PageLoading label={t('common.loading')} />;
  if (data.error && !data.data) {
    return (
      <div className="page">
        <div className="card">
          <LoadError error={data.error} onRetry={data.reload} />
        </div>
      </div>
    );
  }

  return (
    <div className="page">
      <PageHeader
        title={t('agents.title')}
        subtitle={t('agents.subtitle', { business })}
        actions={
          manage && (
            <button type="button" className="btn btn-primary" onClick={() => setInviting(true)}>
              <Icon name="plus" size={16} />
              {t('agents.invite')}
            </button>
          )
        }
      />
      <div className="card">
        {agents.length === 0 ? (
          <EmptyState icon="users">{t('agents.empty')}</EmptyState>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>{t('agents.colName')}</th>
                <th>{t('agents.colRole')}</th>
                <th>{t('agents.colTeams')}</th>
                <th>{t('agents.colStatus')}</th>
                {manage && <th className="col-actions"><span className="sr-only">{t('common.actions')}</span></th>}
              </tr>
            </thead>
            <tbody>
              {agents.map((agent) => {
                const self = agent.id === me?.membership.id;
                const busy = pending.has(agent.id);
                const teamsOf = agent.team_ids.map((id) => teamNames.get(id)).filter(Boolean) as string[];
                return (
                  <tr key={agent.id} data-testid="agent-row" className={agent.status === 'deactivated' ? 'row-muted' : ''}>
                    <td>
                      <div className="person">
                        <Avatar name={agent.name} seed={agent.user_id} size={34} />
                        <div className="person-text">
                          <span className="strong">
                            {agent.name}
                            {self && <span className="muted"> ({t('common.you')})</span>}
                          </span>
                          <span className="muted small">{agent.email}</span>
                        </div>
                      </div>
                    </td>
                    <td>
                      {manage && !self && agent.status === 'active' ? (
                        <select
                          className="input select input-sm"
                          aria-label={t('agents.changeRole', { name: agent.name })}
                          value={agent.role.id}
                          disabled={busy}
                          onChange={(e) => void changeRole(agent, e.target.value)}
                        >
                          {!roles.some((r) => r.id === agent.role.id) && (
                            <option value={agent.role.id}>{roleLabel(t, agent.role.name)}</option>
                          )}
                          {roles.map((r) => (
                            <option key={r.id} value={r.id}>
                              {roleLabel(t, r.name, r.builtin)}
                            </option>
                          ))}
                        </select>
                      ) : (
                        roleLabel(t, agent.role.name)
                      )}
                    </td>
                    <td>
                      {teamsOf.length ? (
                        <span className="chips">
                          {teamsOf.map((n) => (
                            <span key={n} className="chip">
                              {n}
                            </span>
                          ))}
                        </span>
                      ) : (
                        <span className="muted">{t('common.none')}</span>
                      )}
                    </td>
                    <td>
                      <Badge tone={agent.status === 'active' ? 'success' : 'neutral'}>
                        {t(`agents.status_${agent.status}`)}
                      </Badge>
                    </td>
                    {manage && (
                      <td className="col-actions">
                        {!self &&
                          (agent.status === 'active' ? (
                            <button
                              type="button"
                              className="btn btn-ghost btn-sm btn-danger-text"
                              disabled={busy}
                              onClick={() => setDeactivating(agent)}
                            >
                              {t('agents.deactivate')}
                            </button>
                          ) : (
                            <button
                              type="button"
                              className="btn btn-ghost btn-sm"
                              disabled={busy}
                              onClick={async () => {
                                try {
                                  const saved = await updateAgent(agent, { status: 'active' });
                                  toast.success(t('agents.reactivated', { name: saved.name }));
                                } catch (e) {
                                  toast.error(describeError(t, e));
                                }
                              }}
                            >
                              {t('agents.reactivate')}
                            </button>
                          ))}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>

      {manage && (
        <section className="section">
          <div className="section-header">
            <h2 className="section-title">{t('invitations.title')}</h2>
            <p className="section-subtitle">{t('invitations.subtitle')}</p>
          </div>
          <div className="card">
            {invitations.length === 0 ? (
              <EmptyState icon="mail">{t('invitations.empty')}</EmptyState>
            ) : (
              <table className="table">
                <thead>
                  <tr>
                    <th>{t('invitations.colEmail')}</th>
                    <th>{t('invitations.colRole')}</th>
                    <th>{t('invitations.colStatus')}</th>
                    <th>{t('invitations.colExpires')}</th>
                    <th className="col-actions"><span className="sr-only">{t('common.actions')}</span></th>
                  </tr>
                </thead>
                <tbody>
                  {invitations.map((inv) => (
                    <tr key={inv.id} data-testid="invitation-row">
                      <td className="strong">{inv.email}</td>
                      <td>{roleLabel(t, inv.role.name)}</td>
                      <td>
                        <Badge tone={INVITATION_TONES[inv.status] ?? 'neutral'}>
                          {t(`invitations.status_${inv.status}`)}
                        </Badge>
                      </td>
                      <td className="muted">{inv.status === 'pending' ? formatDate(inv.expires_at) : t('common.none')}</td>
                      <td className="col-actions">
                        {inv.status === 'pending' && (
                          <button
                            type="button"
                            className="btn btn-ghost btn-sm btn-danger-text"
                            onClick={() => setRevoking(inv)}
                          >
                            {t('invitations.revoke')}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </section>
      )}

      {inviting && (
        <InviteDialog
          roles={roles}
          teams={data.data?.teams ?? []}
          business={business}
          onClose={() => setInviting(false)}
          onSent={(inv) => {
            data.setData((prev) => prev && { ...prev, invitations: [inv, ...prev.invitations] });
            toast.success(t('invitations.sent', { email: inv.email }));
            setInviting(false);
          }}
        />
      )}
      {deactivating && (
        <ConfirmDialog
          title={t('agents.confirmDeactivateTitle', { name: deactivating.name })}
          body={t('agents.confirmDeactivateBody', { business })}
          confirmLabel={t('agents.deactivate')}
          onClose={() => setDeactivating(null)}
          onConfirm={async () => {
            const saved = await updateAgent(deactivating, { status: 'deactivated' });
            toast.success(t('agents.deactivated', { name: saved.name }));
          }}
        />
      )}
      {revoking && (
        <ConfirmDialog
          title={t('invitations.confirmRevokeTitle')}
          body={t('invitations.confirmRevokeBody', { email: revoking.email })}
          confirmLabel={t('invitations.revoke')}
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            await invitationsApi.revoke(revoking.id);
            data.setData(
              (prev) =>
                prev && {
                  ...prev,
                  invitations: prev.invitations.map((i) => (i.id === revoking.id ? { ...i, status: 'revoked' } : i)),
                },
            );
            toast.success(t('invitations.revoked'));
          }}
        />
      )}
    </div>
  );
}

function InviteDialog({ roles, teams, business, onClose, onSent }: {
  roles: Role[];
  teams: Team[];
  business: string;
  onClose: () => void;
  onSent: (inv: Invitation) => void;
}) {
  const { t } = useTranslation();
  const defaultRole = roles.find((r) => r.builtin && builtinKey(r.name) === 'agent') ?? roles[0];
  const [email, setEmail] = useState('');
  const [roleId, setRoleId] = useState(defaultRole?.id ?? '');
  const [teamIds, setTeamIds] = useState<Set<string>>(new Set());
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    setFormError(null);
    const local: Errors = {};
    if (!email.trim()) local.email = t('validation.required');
    else if (!EMAIL_RE.test(email.trim())) local.email = t('validation.email');
    if (!roleId) local.role_id = t('validation.required');
    setErrors(local);
    if (hasErrors(local)) return;
    setBusy(true);
    try {
      const inv = await invitationsApi.create({ email: email.trim(), role_id: roleId, team_ids: [...teamIds] });
      onSent(inv);
    } catch (e) {
      const { form, fields } = splitApiError(t, e, ['email', 'role_id', 'team_ids'], { already_member: 'email' });
      setErrors(fields);
      setFormError(form);
      setBusy(false);
    }
  }

  return (
    <Modal
      title={t('invitations.dialogTitle')}
      subtitle={t('invitations.dialogSubtitle', { business })}
      onClose={onClose}
      onSubmit={submit}
      busy={busy}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            <Icon name="mail" size={16} />
            {busy ? t('invitations.sending') : t('invitations.send')}
          </button>
        </>
      }
    >
      <div className="form">
        {formError && <Alert>{formError}</Alert>}
        <TextField
          label={t('invitations.email')}
          name="email"
          type="email"
          autoComplete="off"
          placeholder="name@company.com"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
        />
        <SelectField
          label={t('invitations.role')}
          name="role_id"
          value={roleId}
          onChange={(e) => setRoleId(e.target.value)}
          error={errors.role_id}
        >
          {roles.map((r) => (
            <option key={r.id} value={r.id}>
              {roleLabel(t, r.name, r.builtin)}
            </option>
          ))}
        </SelectField>
        <fieldset className="field">
          <legend className="field-label">{t('invitations.teams')}</legend>
          {errors.team_ids && <p className="field-error">{errors.team_ids}</p>}
          {teams.length === 0 ? (
            <p className="muted small">{t('invitations.noTeams')}</p>
          ) : (
            <>
              <div className="check-grid">
                {teams.map((team) => (
                  <label key={team.id} className="check">
                    <input
                      type="checkbox"
                      checked={teamIds.has(team.id)}
                      onChange={(e) =>
                        setTeamIds((prev) => {
                          const next = new Set(prev);
                          if (e.target.checked) next.add(team.id);
                          else next.delete(team.id);
                          return next;
                        })
                      }
                    />
                    <span>{team.name}</span>
                  </label>
                ))}
              </div>
              <p className="field-hint">{t('invitations.teamsHint')}</p>
            </>
          )}
        </fieldset>
      </div>
    </Modal>
  );
}
