// SLA policies (`/settings/sla`): the response and resolution times the business promises. An
// ordered list (`GET /sla-policies`, readable with settings:manage or reports:view); the first
// enabled policy whose conditions ALL hold applies to a conversation. Changing them needs
// settings:manage: create (`POST`), replace (`PUT /sla-policies/{id}`, the whole policy, also
// for the on/off switch), delete, and move up/down (`PUT /sla-policies/order` with every id).
// Targets are typed as hours + minutes and sent as minutes. Teams, numbers and members for the
// pickers come from `GET /routing` (falling back to /teams and /agents), tags from `GET /tags`,
// number names from `GET /numbers`. The server's field errors (422 `error.fields`, e.g.
// `conditions.tag_ids`, `escalation.team_id`) show next to their fields, anything else above the form.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import {
  PRIORITIES,
  agents as agentsApi,
  isMissingEndpoint,
  numbers as numbersApi,
  routing as routingApi,
  slaPolicies,
  tags as tagsApi,
  teams as teamsApi,
  type Priority,
  type SlaPolicy,
  type SlaPolicyInput,
  type Tag,
  type WhatsAppNumber,
} from '../../../api';
import { useSession } from '../../../auth/session';
import { Alert } from '../../../components/Alert';
import { Badge } from '../../../components/Badge';
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
import { formatPhone } from '../../../lib/phone';
import { describeMinutes, joinMinutes, splitMinutes } from '../../../lib/sla';
import { useLoader } from '../../../lib/useLoader';
import { moved } from './RoutingPage';

export const SLA_TARGETS = ['first_response', 'next_response', 'resolution'] as const;
export type TargetKey = (typeof SLA_TARGETS)[number];
const MAX_MINUTES = 525_600;
const FIELDS = [
  'name',
  'first_response_minutes',
  'next_response_minutes',
  'resolution_minutes',
  'warn_percent',
  'conditions',
  'conditions.priorities',
  'conditions.tag_ids',
  'conditions.team_ids',
  'conditions.number_ids',
  'escalation',
  'escalation.raise_priority',
  'escalation.team_id',
  'escalation.notify_membership_id',
];

/** The pickers' choices. */
export interface SlaChoices {
  teams: { id: string; name: string }[];
  tags: { id: string; name: string }[];
  members: { id: string; name: string }[];
  numbers: { id: string; name: string }[];
}

/** A policy as the form edits it: targets as hours and minutes text. */
export interface SlaDraft {
  name: string;
  enabled: boolean;
  targets: Record<TargetKey, { hours: string; minutes: string }>;
  business_hours: boolean;
  pause_when_pending: boolean;
  pause_when_snoozed: boolean;
  warn_percent: string;
  priorities: Priority[];
  tag_ids: string[];
  team_ids: string[];
  number_ids: string[];
  raise_priority: string;
  team_id: string;
  notify_membership_id: string;
}

export function toDraft(p: SlaPolicy | null): SlaDraft {
  return {
    name: p?.name ?? '',
    enabled: p?.enabled ?? true,
    targets: {
      first_response: splitMinutes(p ? p.first_response_minutes : 60),
      next_response: splitMinutes(p?.next_response_minutes),
      resolution: splitMinutes(p?.resolution_minutes),
    },
    business_hours: p?.business_hours ?? false,
    pause_when_pending: p?.pause_when_pending ?? true,
    pause_when_snoozed: p?.pause_when_snoozed ?? true,
    warn_percent: String(p?.warn_percent ?? 80),
    priorities: (p?.conditions.priorities ?? []) as Priority[],
    tag_ids: p?.conditions.tag_ids ?? [],
    team_ids: p?.conditions.team_ids ?? [],
    number_ids: p?.conditions.number_ids ?? [],
    raise_priority: p?.escalation.raise_priority ?? '',
    team_id: p?.escalation.team_id ?? '',
    notify_membership_id: p?.escalation.notify_membership_id ?? '',
  };
}

/** The whole policy as the API takes it (targets in minutes, empty escalation parts left out). */
export function toInput(d: SlaDraft): SlaPolicyInput {
  const minutes = (k: TargetKey) => joinMinutes(d.targets[k].hours, d.targets[k].minutes);
  const escalation: SlaPolicyInput['escalation'] = {};
  if (d.raise_priority) escalation.raise_priority = d.raise_priority as Priority;
  if (d.team_id) escalation.team_id = d.team_id;
  if (d.notify_membership_id) escalation.notify_membership_id = d.notify_membership_id;
  return {
    name: d.name.trim(),
    enabled: d.enabled,
    conditions: { priorities: d.priorities, tag_ids: d.tag_ids, team_ids: d.team_ids, number_ids: d.number_ids },
    first_response_minutes: minutes('first_response'),
    next_response_minutes: minutes('next_response'),
    resolution_minutes: minutes('resolution'),
    business_hours: d.business_hours,
    pause_when_pending: d.pause_when_pending,
    pause_when_snoozed: d.pause_when_snoozed,
    warn_percent: Number(d.warn_percent),
    escalation,
  };
}

/** The body of a PUT that changes nothing but what `patch` says. */
export function policyInput(p: SlaPolicy, patch: Partial<SlaPolicyInput> = {}): SlaPolicyInput {
  return {
    name: p.name,
    enabled: p.enabled,
    conditions: p.conditions,
    first_response_minutes: p.first_response_minutes,
    next_response_minutes: p.next_response_minutes,
    resolution_minutes: p.resolution_minutes,
    business_hours: p.business_hours,
    pause_when_pending: p.pause_when_pending,
    pause_when_snoozed: p.pause_when_snoozed,
    warn_percent: p.warn_percent,
    escalation: p.escalation,
    ...patch,
  };
}

/** "First response 1h · Resolution 1d" and "Urgent or High · Billing" for the list. */
export function describePolicy(t: TFunction, p: SlaPolicy, choices: SlaChoices): { targets: string; applies: string } {
  const targets = SLA_TARGETS.map((k) => [k, p[`${k}_minutes` as const]] as const)
    .filter(([, m]) => m != null)
    .map(([k, m]) => `${t(`sla.targets.${k}`)} ${describeMinutes(m!)}`)
    .join(' · ');
  const name = (list: { id: string; name: string }[], id: string) => list.find((x) => x.id === id)?.name ?? `(${t('sla.deletedItem')})`;
  const or = ` ${t('sla.or')} `;
  const parts: string[] = [];
  const c = p.conditions;
  if (c.priorities.length) parts.push(t('sla.summary.priority', { list: c.priorities.map((x) => t(`inbox.priority.${x}`, { defaultValue: x })).join(or) }));
  if (c.tag_ids.length) parts.push(t('sla.summary.tag', { list: c.tag_ids.map((x) => name(choices.tags, x)).join(or) }));
  if (c.team_ids.length) parts.push(t('sla.summary.team', { list: c.team_ids.map((x) => name(choices.teams, x)).join(or) }));
  if (c.number_ids.length) parts.push(t('sla.summary.number', { list: c.number_ids.map((x) => name(choices.numbers, x)).join(or) }));
  return { targets, applies: parts.length ? parts.join(` ${t('sla.and')} `) : t('sla.summary.all') };
}

async function loadChoices(): Promise<SlaChoices> {
  const [view, tags, known] = await Promise.all([
    routingApi.view().catch(() => null),
    tagsApi.list().catch(() => [] as Tag[]),
    numbersApi.list().catch(() => [] as WhatsAppNumber[]),
  ]);
  const numberName = (id: string, phone: string) => {
    const n = known.find((k) => k.id === id);
    return n?.verified_name ? `${n.verified_name} (${formatPhone(phone)})` : formatPhone(phone);
  };
  if (view) {
    return {
      teams: view.teams.map((x) => ({ id: x.team_id, name: x.name })),
      tags: tags.map((x) => ({ id: x.id, name: x.name })),
      members: view.agents.map((x) => ({ id: x.membership_id, name: x.name })),
      numbers: view.numbers.map((n) => ({ id: n.number_id, name: numberName(n.number_id, n.display_phone_number) })),
    };
  }
  const [teams, agents] = await Promise.all([teamsApi.list().catch(() => []), agentsApi.list().catch(() => [])]);
  return {
    teams: teams.map((x) => ({ id: x.id, name: x.name })),
    tags: tags.map((x) => ({ id: x.id, name: x.name })),
    members: agents.filter((a) => a.status === 'active').map((a) => ({ id: a.id, name: a.name })),
    numbers: known.map((n) => ({ id: n.id, name: numberName(n.id, n.display_phone_number) })),
  };
}

export function SlaPoliciesPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const manage = can('settings:manage');
  const allowed = manage || can('reports:view');
  const policies = useLoader(() => (allowed ? slaPolicies.list() : Promise.resolve([] as SlaPolicy[])), [allowed]);
  const choices = useLoader(() => (allowed ? loadChoices() : Promise.resolve(null)), [allowed]);

  if (!allowed) return <Forbidden />;
  const missing = isMissingEndpoint(policies.error);
  const items = policies.data;

  return (
    <div className="page">
      <PageHeader title={t('sla.title')} subtitle={t('sla.subtitle')} />
      {policies.loading && !items ? (
        <div className="card">
          <PageLoading label={t('common.loading')} />
        </div>
      ) : missing ? (
        <div className="card">
          <EmptyState icon="clock">{t('sla.unavailable')}</EmptyState>
        </div>
      ) : policies.error && !items ? (
        <div className="card">
          <LoadError error={policies.error} onRetry={policies.reload} />
        </div>
      ) : items ? (
        <PolicyList
          items={items}
          manage={manage}
          choices={choices.data ?? { teams: [], tags: [], members: [], numbers: [] }}
          setItems={(update) => policies.setData((prev) => update(prev ?? []))}
        />
      ) : null}
    </div>
  );
}

function PolicyList({
  items,
  manage,
  choices,
  setItems,
}: {
  items: SlaPolicy[];
  manage: boolean;
  choices: SlaChoices;
  setItems: (update: (prev: SlaPolicy[]) => SlaPolicy[]) => void;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const [editing, setEditing] = useState<SlaPolicy | 'new' | null>(null);
  const [deleting, setDeleting] = useState<SlaPolicy | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [listError, setListError] = useState<string | null>(null);

  async function toggle(p: SlaPolicy) {
    setBusy(p.id);
    setListError(null);
    try {
      const saved = await slaPolicies.replace(p.id, policyInput(p, { enabled: !p.enabled }));
      setItems((prev) => prev.map((x) => (x.id === saved.id ? saved : x)));
      toast.success(t(saved.enabled ? 'sla.enabled' : 'sla.disabled', { name: saved.name }));
    } catch (e) {
      setListError(describeError(t, e));
    } finally {
      setBusy(null);
    }
  }

  async function move(index: number, by: -1 | 1) {
    const ids = moved(
      items.map((p) => p.id),
      index,
      by,
    );
    setBusy(items[index].id);
    setListError(null);
    try {
      const next = await slaPolicies.order(ids);
      setItems(() => next);
      toast.success(t('sla.moved'));
    } catch (e) {
      setListError(describeError(t, e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="card routing-section" aria-labelledby="sla-policies-title" data-testid="sla-policies">
      <header className="routing-section-head">
        <div className="routing-section-text">
          <h2 className="section-title" id="sla-policies-title">
            {t('sla.listTitle')}
          </h2>
          <p className="section-subtitle">{t('sla.listHint')}</p>
        </div>
        {manage && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
            <Icon name="plus" size={16} />
            {t('sla.newPolicy')}
          </button>
        )}
      </header>
      {!manage && (
        <div className="routing-section-alert">
          <Alert tone="info">{t('sla.readOnly')}</Alert>
        </div>
      )}
      {listError && (
        <div className="routing-section-alert">
          <Alert>{listError}</Alert>
        </div>
      )}
      {items.length === 0 ? (
        <EmptyState icon="clock">{t('sla.empty')}</EmptyState>
      ) : (
        <ol className="routing-rules" aria-label={t('sla.listTitle')}>
          {items.map((p, i) => {
            const { targets, applies } = describePolicy(t, p, choices);
            return (
              <li key={p.id} className={`routing-rule${p.enabled ? '' : ' routing-rule-off'}`} data-testid="sla-policy" aria-label={t('sla.policyLabel', { n: i + 1, name: p.name })}>
                <span className="routing-rule-pos">{i + 1}</span>
                <div className="routing-rule-main">
                  <div className="routing-rule-name">
                    <strong>{p.name}</strong>
                    <Badge tone={p.enabled ? 'success' : 'neutral'}>{p.enabled ? t('sla.on') : t('sla.off')}</Badge>
                    <Badge tone="info">{p.business_hours ? t('sla.businessHoursShort') : t('sla.calendarShort')}</Badge>
                  </div>
                  <p className="routing-rule-line">
                    <span className="routing-rule-key">{t('sla.targetsKey')}</span> {targets}
                  </p>
                  <p className="routing-rule-line">
                    <span className="routing-rule-key">{t('sla.appliesKey')}</span> {applies}
                  </p>
                </div>
                {manage && (
                  <div className="routing-rule-actions">
                    <label className="switch" title={p.enabled ? t('sla.disable', { name: p.name }) : t('sla.enable', { name: p.name })}>
                      <input
                        type="checkbox"
                        role="switch"
                        checked={p.enabled}
                        disabled={busy !== null}
                        aria-label={p.enabled ? t('sla.disable', { name: p.name }) : t('sla.enable', { name: p.name })}
                        onChange={() => void toggle(p)}
                      />
                      <span className="switch-track" aria-hidden="true" />
                    </label>
                    <IconButton icon="arrowUp" label={t('sla.moveUp', { name: p.name })} disabled={i === 0 || busy !== null} onClick={() => void move(i, -1)} />
                    <IconButton icon="arrowDown" label={t('sla.moveDown', { name: p.name })} disabled={i === items.length - 1 || busy !== null} onClick={() => void move(i, 1)} />
                    <IconButton icon="pencil" label={t('sla.edit', { name: p.name })} onClick={() => setEditing(p)} />
                    <IconButton icon="trash" danger label={t('sla.delete', { name: p.name })} onClick={() => setDeleting(p)} />
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      )}
      {editing && (
        <PolicyDialog
          policy={editing === 'new' ? null : editing}
          choices={choices}
          onClose={() => setEditing(null)}
          onSaved={(saved, created) => {
            setItems((prev) => (created ? [...prev, saved] : prev.map((x) => (x.id === saved.id ? saved : x))));
            toast.success(t(created ? 'sla.created' : 'sla.updated', { name: saved.name }));
            setEditing(null);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={t('sla.confirmDeleteTitle', { name: deleting.name })}
          body={t('sla.confirmDeleteBody')}
          confirmLabel={t('common.delete')}
          busyLabel={t('common.deleting')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await slaPolicies.remove(deleting.id);
            setItems((prev) => prev.filter((x) => x.id !== deleting.id));
            toast.success(t('sla.deleted', { name: deleting.name }));
          }}
        />
      )}
    </section>
  );
}

function IconButton({ icon, label, onClick, disabled, danger }: { icon: 'arrowUp' | 'arrowDown' | 'pencil' | 'trash'; label: string; onClick: () => void; disabled?: boolean; danger?: boolean }) {
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

function PolicyDialog({ policy, choices, onClose, onSaved }: { policy: SlaPolicy | null; choices: SlaChoices; onClose: () => void; onSaved: (p: SlaPolicy, created: boolean) => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<SlaDraft>(() => toDraft(policy));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<SlaDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const setTarget = (k: TargetKey, patch: Partial<{ hours: string; minutes: string }>) => setDraft((d) => ({ ...d, targets: { ...d.targets, [k]: { ...d.targets[k], ...patch } } }));

  function check(): Record<string, string> {
    const local: Record<string, string> = {};
    const name = draft.name.trim();
    if (!name || [...name].length > 80) local.name = t('sla.nameRequired');
    const values = SLA_TARGETS.map((k) => [k, joinMinutes(draft.targets[k].hours, draft.targets[k].minutes)] as const);
    for (const [k, m] of values) {
      if (m === null) continue;
      if (Number.isNaN(m)) local[`${k}_minutes`] = t('sla.targetWhole');
      else if (m < 1 || m > MAX_MINUTES) local[`${k}_minutes`] = t('sla.targetRange');
    }
    if (values.every(([, m]) => m === null)) local.first_response_minutes = t('sla.targetRequired');
    const warn = Number(draft.warn_percent);
    if (!draft.warn_percent.trim() || !Number.isInteger(warn) || warn < 1 || warn > 99) local.warn_percent = t('sla.warnRange');
    return local;
  }

  async function submit() {
    setFormError(null);
    const local = check();
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const body = toInput(draft);
      const saved = policy ? await slaPolicies.replace(policy.id, body) : await slaPolicies.create(body);
      onSaved(saved, !policy);
    } catch (e) {
      const { form, fields } = splitApiError(t, e, FIELDS);
      setErrors(fields);
      setFormError(form);
      setBusy(false);
    }
  }

  const toggleIn = <K extends 'priorities' | 'tag_ids' | 'team_ids' | 'number_ids'>(key: K, id: SlaDraft[K][number], on: boolean) =>
    setDraft((d) => {
      const list = d[key] as string[];
      const next = on ? [...list.filter((x) => x !== id), id] : list.filter((x) => x !== id);
      return { ...d, [key]: next };
    });

  return (
    <Modal
      size="lg"
      title={policy ? t('sla.editTitle') : t('sla.createTitle')}
      onClose={onClose}
      onSubmit={submit}
      busy={busy}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : policy ? t('common.save') : t('common.create')}
          </button>
        </>
      }
    >
      <div className="form sla-form">
        {formError && <Alert>{formError}</Alert>}
        <div className="routing-rule-head">
          <TextField label={t('sla.name')} name="name" value={draft.name} maxLength={80} placeholder={t('sla.namePlaceholder')} onChange={(e) => set({ name: e.target.value })} error={errors.name} />
          <label className="check routing-enabled">
            <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
            <span>{t('sla.policyEnabled')}</span>
          </label>
        </div>

        <fieldset className="routing-group" data-testid="sla-targets">
          <legend className="field-label">{t('sla.targetsTitle')}</legend>
          <p className="field-hint">{t('sla.targetsHint')}</p>
          {SLA_TARGETS.map((k) => {
            const label = t(`sla.targets.${k}`);
            const error = errors[`${k}_minutes`];
            return (
              <div key={k} className={`sla-target${error ? ' field-invalid' : ''}`} data-testid={`sla-target-${k}`}>
                <div className="sla-target-head">
                  <span className="sla-target-name">{label}</span>
                  <span className="field-hint">{t(`sla.targetHints.${k}`)}</span>
                </div>
                <div className="sla-target-inputs">
                  <label className="sla-amount">
                    <input
                      type="number"
                      className="input input-narrow"
                      min={0}
                      step={1}
                      value={draft.targets[k].hours}
                      aria-label={t('sla.hoursOf', { target: label })}
                      aria-invalid={error ? true : undefined}
                      onChange={(e) => setTarget(k, { hours: e.target.value })}
                    />
                    <span>{t('sla.hours')}</span>
                  </label>
                  <label className="sla-amount">
                    <input
                      type="number"
                      className="input input-narrow"
                      min={0}
                      step={1}
                      value={draft.targets[k].minutes}
                      aria-label={t('sla.minutesOf', { target: label })}
                      aria-invalid={error ? true : undefined}
                      onChange={(e) => setTarget(k, { minutes: e.target.value })}
                    />
                    <span>{t('sla.minutes')}</span>
                  </label>
                  {(draft.targets[k].hours || draft.targets[k].minutes) && (
                    <button type="button" className="btn btn-ghost btn-sm" onClick={() => setTarget(k, { hours: '', minutes: '' })} aria-label={t('sla.clearTarget', { target: label })}>
                      {t('sla.noTarget')}
                    </button>
                  )}
                </div>
                <FieldError message={error} testId={`${k}-error`} />
              </div>
            );
          })}
        </fieldset>

        <fieldset className="routing-group" data-testid="sla-clock">
          <legend className="field-label">{t('sla.clockTitle')}</legend>
          <div className="sla-radios" role="radiogroup" aria-label={t('sla.clockTitle')}>
            <label className="check">
              <input type="radio" name="sla-clock" checked={!draft.business_hours} onChange={() => set({ business_hours: false })} />
              <span>{t('sla.calendar')}</span>
            </label>
            <label className="check">
              <input type="radio" name="sla-clock" checked={draft.business_hours} onChange={() => set({ business_hours: true })} />
              <span>{t('sla.businessHours')}</span>
            </label>
          </div>
          <p className="field-hint">{t('sla.clockHint')}</p>
          <label className="check">
            <input type="checkbox" checked={draft.pause_when_pending} onChange={(e) => set({ pause_when_pending: e.target.checked })} />
            <span>{t('sla.pausePending')}</span>
          </label>
          <label className="check">
            <input type="checkbox" checked={draft.pause_when_snoozed} onChange={(e) => set({ pause_when_snoozed: e.target.checked })} />
            <span>{t('sla.pauseSnoozed')}</span>
          </label>
          <TextField
            label={t('sla.warnPercent')}
            name="warn_percent"
            type="number"
            min={1}
            max={99}
            className="input-narrow"
            value={draft.warn_percent}
            hint={t('sla.warnHint')}
            error={errors.warn_percent}
            onChange={(e) => set({ warn_percent: e.target.value })}
          />
        </fieldset>

        <fieldset className="routing-group" data-testid="sla-conditions">
          <legend className="field-label">{t('sla.conditionsTitle')}</legend>
          <p className="field-hint">{t('sla.conditionsHint')}</p>
          <FieldError message={errors.conditions} />
          <CheckGroup
            title={t('sla.conditionPriorities')}
            items={PRIORITIES.map((p) => ({ id: p, name: t(`inbox.priority.${p}`) }))}
            selected={draft.priorities}
            onToggle={(id, on) => toggleIn('priorities', id as Priority, on)}
            error={errors['conditions.priorities']}
            testId="sla-priorities"
          />
          <CheckGroup title={t('sla.conditionTags')} items={choices.tags} selected={draft.tag_ids} onToggle={(id, on) => toggleIn('tag_ids', id, on)} error={errors['conditions.tag_ids']} empty={t('sla.noTags')} testId="sla-tags" />
          <CheckGroup title={t('sla.conditionTeams')} items={choices.teams} selected={draft.team_ids} onToggle={(id, on) => toggleIn('team_ids', id, on)} error={errors['conditions.team_ids']} empty={t('sla.noTeams')} testId="sla-teams" />
          <CheckGroup title={t('sla.conditionNumbers')} items={choices.numbers} selected={draft.number_ids} onToggle={(id, on) => toggleIn('number_ids', id, on)} error={errors['conditions.number_ids']} empty={t('sla.noNumbers')} testId="sla-numbers" />
        </fieldset>

        <fieldset className="routing-group" data-testid="sla-escalation">
          <legend className="field-label">{t('sla.escalationTitle')}</legend>
          <p className="field-hint">{t('sla.escalationHint')}</p>
          <FieldError message={errors.escalation} />
          <SelectField label={t('sla.raisePriority')} value={draft.raise_priority} error={errors['escalation.raise_priority']} onChange={(e) => set({ raise_priority: e.target.value })}>
            <option value="">{t('sla.dontChange')}</option>
            {PRIORITIES.filter((p) => p !== 'none').map((p) => (
              <option key={p} value={p}>
                {t(`inbox.priority.${p}`)}
              </option>
            ))}
          </SelectField>
          <Picker label={t('sla.moveToTeam')} none={t('sla.dontMove')} value={draft.team_id} list={choices.teams} error={errors['escalation.team_id']} onChange={(team_id) => set({ team_id })} />
          <Picker label={t('sla.notifyMember')} none={t('sla.nobodyElse')} value={draft.notify_membership_id} list={choices.members} error={errors['escalation.notify_membership_id']} onChange={(notify_membership_id) => set({ notify_membership_id })} />
        </fieldset>
      </div>
    </Modal>
  );
}

/** A choice among `list` or none; an id not in it (deleted since) stays selectable, marked. */
function Picker({ label, none, value, list, error, onChange }: { label: string; none: string; value: string; list: { id: string; name: string }[]; error?: string; onChange: (id: string) => void }) {
  const { t } = useTranslation();
  const stale = value && !list.some((x) => x.id === value);
  return (
    <SelectField label={label} value={value} error={error} onChange={(e) => onChange(e.target.value)}>
      <option value="">{none}</option>
      {stale && <option value={value}>({t('sla.deletedItem')})</option>}
      {list.map((x) => (
        <option key={x.id} value={x.id}>
          {x.name}
        </option>
      ))}
    </SelectField>
  );
}

/** Checkboxes for a condition's list; ids no longer known stay listed so they can be unticked. */
function CheckGroup({
  title,
  items,
  selected,
  onToggle,
  error,
  empty,
  testId,
}: {
  title: string;
  items: { id: string; name: string }[];
  selected: string[];
  onToggle: (id: string, on: boolean) => void;
  error?: string;
  empty?: ReactNode;
  testId: string;
}) {
  const { t } = useTranslation();
  const stale = selected.filter((id) => !items.some((x) => x.id === id)).map((id) => ({ id, name: `(${t('sla.deletedItem')})` }));
  const all = [...items, ...stale];
  return (
    <div className={`sla-check-group${error ? ' field-invalid' : ''}`} role="group" aria-label={title} data-testid={testId}>
      <span className="field-label">{title}</span>
      {all.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <div className="check-grid">
          {all.map((x) => (
            <label key={x.id} className="check">
              <input type="checkbox" checked={selected.includes(x.id)} onChange={(e) => onToggle(x.id, e.target.checked)} />
              <span>{x.name}</span>
            </label>
          ))}
        </div>
      )}
      <FieldError message={error} />
    </div>
  );
}
