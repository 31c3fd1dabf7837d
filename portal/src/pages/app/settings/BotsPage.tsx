// Bots (`/settings/bots`): one triage flow per WhatsApp number, plus a business default for the
// numbers without one. A flow is a list of steps (greet, ask a free text checked by a pattern,
// ask with buttons or a list, set an attribute, tag, route to a team, hand over, answer from the
// knowledge base), edited here and checked by the server on save; its errors point at the step
// (`steps[2].pattern`). Customers asking for a person ("agente", "asesor", "human", …) are
// always handed over, whatever the flow. Containment stats come from GET /bots/{id}/stats.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  bots as botsApi,
  isMissingEndpoint,
  numbers as numbersApi,
  tags as tagsApi,
  teams as teamsApi,
  type Bot,
  type BotStats,
  type BotStep,
  type BotStepType,
  type ChoiceOption,
  type Tag,
  type Team,
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
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { splitApiError } from '../../../lib/errors';
import { useLoader } from '../../../lib/useLoader';
import { useDocumentTitle } from '../../../lib/useDocumentTitle';

export const STEP_TYPES: BotStepType[] = ['greet', 'ask_text', 'ask_choice', 'set_attribute', 'add_tag', 'route_to_team', 'handover', 'answer_from_kb'];

/** A new step of a type, with empty fields (the first team or tag preselected). */
export function blankStep(type: BotStepType, teams: Team[], tags: Tag[]): BotStep {
  switch (type) {
    case 'greet':
      return { type, text: '' };
    case 'ask_text':
      return { type, prompt: '', pattern: null, attribute: null, retry_message: null, max_retries: 2 };
    case 'ask_choice':
      return { type, prompt: '', options: [{ title: '' }, { title: '' }], attribute: null, max_retries: 2 };
    case 'set_attribute':
      return { type, key: '', value: '' };
    case 'add_tag':
      return { type, tag_id: tags[0]?.id ?? '' };
    case 'route_to_team':
      return { type, team_id: teams[0]?.id ?? '', message: null };
    case 'handover':
      return { type, message: null };
    case 'answer_from_kb':
      return { type, on_miss: 'handover', miss_message: null };
  }
}

/** Move a step up (-1) or down (+1), fixing "go to step" jumps so they follow the steps. */
export function moveStep(steps: BotStep[], index: number, by: -1 | 1): BotStep[] {
  const to = index + by;
  if (to < 0 || to >= steps.length) return steps;
  const swap = (i: number | null | undefined) => (i === index ? to : i === to ? index : i);
  const out = steps.map((s) => (s.type === 'ask_choice' ? { ...s, options: s.options.map((o) => ({ ...o, next_step: swap(o.next_step) })) } : s));
  [out[index], out[to]] = [out[to], out[index]];
  return out;
}

/** Remove a step; jumps to it go to the next step instead, later jumps shift down. */
export function removeStep(steps: BotStep[], index: number): BotStep[] {
  const fix = (i: number | null | undefined) => (i == null || i === index ? null : i > index ? i - 1 : i);
  return steps
    .filter((_, i) => i !== index)
    .map((s) => (s.type === 'ask_choice' ? { ...s, options: s.options.map((o) => ({ ...o, next_step: fix(o.next_step) })) } : s));
}

/** Empty optional texts are sent as absent. */
function clean(steps: BotStep[]): BotStep[] {
  return steps.map((s) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) {
      if (v === null || v === undefined || v === '') continue;
      if (k === 'options') out[k] = (v as ChoiceOption[]).map((o) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== null && x !== undefined && x !== '')));
      else out[k] = v;
    }
    if (s.type === 'set_attribute') out.value = s.value;
    return out as BotStep;
  });
}

interface Scope {
  numberId: string | null;
  label: string;
}

export function BotsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  useDocumentTitle(t('bots.title'));
  const allowed = can('settings:manage') || can('reports:view');
  const data = useLoader(async () => {
    const [bots, numbers, teams, tags] = await Promise.all([botsApi.list(), numbersApi.list().catch(() => [] as WhatsAppNumber[]), teamsApi.list().catch(() => [] as Team[]), tagsApi.list().catch(() => [] as Tag[])]);
    return { bots, numbers, teams, tags };
  });
  if (!allowed) return <Forbidden />;
  const missing = isMissingEndpoint(data.error);
  const scopes: Scope[] = [{ numberId: null, label: t('bots.businessDefault') }, ...(data.data?.numbers ?? []).map((n) => ({ numberId: n.id, label: n.verified_name ? `${n.verified_name} (+${n.display_phone_number})` : `+${n.display_phone_number}` }))];

  return (
    <div className="page">
      <PageHeader title={t('bots.title')} subtitle={t('bots.subtitle')} />
      {data.loading && !data.data ? (
        <PageLoading label={t('common.loading')} />
      ) : missing ? (
        <div className="card">
          <EmptyState icon="message">{t('bots.unavailable')}</EmptyState>
        </div>
      ) : data.error && !data.data ? (
        <LoadError error={data.error} onRetry={data.reload} />
      ) : (
        scopes.map((scope) => {
          const bot = data.data!.bots.find((b) => b.number_id === scope.numberId) ?? null;
          return (
            <ScopeCard
              key={scope.numberId ?? 'default'}
              scope={scope}
              bot={bot}
              teams={data.data!.teams}
              tags={data.data!.tags}
              manage={can('settings:manage')}
              onChange={(next) =>
                data.setData((prev) =>
                  prev ? { ...prev, bots: next ? [...prev.bots.filter((b) => b.id !== next.id && b.number_id !== scope.numberId), next] : prev.bots.filter((b) => b.number_id !== scope.numberId) } : prev,
                )
              }
            />
          );
        })
      )}
    </div>
  );
}

function ScopeCard({ scope, bot, teams, tags, manage, onChange }: { scope: Scope; bot: Bot | null; teams: Team[]; tags: Tag[]; manage: boolean; onChange: (b: Bot | null) => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <section className="card card-pad" data-testid="bot-scope" aria-label={scope.label}>
      <h2 className="card-title">{scope.label}</h2>
      {scope.numberId === null && <p className="muted">{t('bots.defaultHint')}</p>}
      {error && <Alert>{error}</Alert>}
      {bot ? (
        <BotEditor key={bot.id} bot={bot} teams={teams} tags={tags} manage={manage} onSaved={onChange} onRemoved={() => onChange(null)} />
      ) : manage ? (
        <button
          type="button"
          className="btn btn-secondary"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setError(null);
            try {
              const created = await botsApi.create({ name: t('bots.defaultName'), number_id: scope.numberId, enabled: false, steps: [] });
              onChange(created);
              toast.success(t('bots.created'));
            } catch (e) {
              setError(splitApiError(t, e, []).form);
            } finally {
              setBusy(false);
            }
          }}
        >
          <Icon name="plus" size={16} />
          {t('bots.create')}
        </button>
      ) : (
        <p className="muted">{t('bots.none')}</p>
      )}
    </section>
  );
}

function BotEditor({ bot, teams, tags, manage, onSaved, onRemoved }: { bot: Bot; teams: Team[]; tags: Tag[]; manage: boolean; onSaved: (b: Bot) => void; onRemoved: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [name, setName] = useState(bot.name);
  const [enabled, setEnabled] = useState(bot.enabled);
  const [threshold, setThreshold] = useState(String(Math.round(bot.kb_threshold * 100)));
  const [steps, setSteps] = useState<BotStep[]>(bot.steps);
  const [adding, setAdding] = useState<BotStepType>('greet');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState(false);
  const stats = useLoader<BotStats | null>(() => botsApi.stats(bot.id).catch(() => null), [bot.id]);

  const update = (i: number, s: BotStep) => setSteps((prev) => prev.map((x, j) => (j === i ? s : x)));

  async function save() {
    setBusy(true);
    setFormError(null);
    setErrors({});
    try {
      const kb = Number(threshold);
      const saved = await botsApi.update(bot.id, { name: name.trim(), enabled, steps: clean(steps), kb_threshold: Number.isFinite(kb) ? kb / 100 : bot.kb_threshold });
      onSaved(saved);
      toast.success(t('bots.saved'));
    } catch (e) {
      const fieldNames = ['name', 'steps', 'kb_threshold', ...steps.flatMap((_, i) => stepFieldKeys(i))];
      const { form, fields } = splitApiError(t, e, fieldNames);
      setErrors(fields);
      setFormError(form);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <fieldset disabled={!manage || busy} className="form">
        {formError && <Alert>{formError}</Alert>}
        <div className="bot-head">
          <TextField label={t('bots.name')} name="name" value={name} maxLength={80} onChange={(e) => setName(e.target.value)} error={errors.name} />
          <TextField label={t('bots.threshold')} name="kb_threshold" type="number" min={0} max={100} value={threshold} hint={t('bots.thresholdHint')} onChange={(e) => setThreshold(e.target.value)} error={errors.kb_threshold} />
          <label className="check">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
            <span>{t('bots.enabled')}</span>
          </label>
          <Badge tone={bot.enabled ? 'success' : 'neutral'}>{bot.enabled ? t('bots.on') : t('bots.off')}</Badge>
        </div>
        {stats.data && (
          <p className="muted" data-testid="bot-stats">
            {t('bots.stats', {
              sessions: stats.data.sessions,
              contained: stats.data.contained,
              handedOver: stats.data.handed_over,
              rate: stats.data.containment_rate === null ? '—' : `${Math.round(stats.data.containment_rate * 100)}%`,
            })}
          </p>
        )}
        <h3 className="section-title">{t('bots.steps')}</h3>
        {errors.steps && <Alert>{errors.steps}</Alert>}
        {steps.length === 0 ? (
          <p className="muted">{t('bots.noSteps')}</p>
        ) : (
          <ol className="bot-steps">
            {steps.map((s, i) => (
              <li key={i} className="bot-step card card-pad" data-testid="bot-step" aria-label={t('bots.stepLabel', { n: i + 1, type: t(`bots.types.${s.type}`) })}>
                <div className="bot-step-head">
                  <strong>
                    {i + 1}. {t(`bots.types.${s.type}`)}
                  </strong>
                  <span className="bot-step-actions">
                    <button type="button" className="btn btn-ghost btn-sm" onClick={() => setSteps((p) => moveStep(p, i, -1))} disabled={i === 0} aria-label={t('bots.moveUp', { n: i + 1 })}>
                      ↑
                    </button>
                    <button type="button" className="btn btn-ghost btn-sm" onClick={() => setSteps((p) => moveStep(p, i, 1))} disabled={i === steps.length - 1} aria-label={t('bots.moveDown', { n: i + 1 })}>
                      ↓
                    </button>
                    <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setSteps((p) => removeStep(p, i))} aria-label={t('bots.removeStep', { n: i + 1 })}>
                      <Icon name="trash" size={15} />
                    </button>
                  </span>
                </div>
                <StepFields step={s} index={i} count={steps.length} teams={teams} tags={tags} errors={errors} onChange={(next) => update(i, next)} />
              </li>
            ))}
          </ol>
        )}
        <div className="bot-add">
          <SelectField label={t('bots.addType')} value={adding} onChange={(e) => setAdding(e.target.value as BotStepType)}>
            {STEP_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`bots.types.${type}`)}
              </option>
            ))}
          </SelectField>
          <button type="button" className="btn btn-secondary" onClick={() => setSteps((p) => [...p, blankStep(adding, teams, tags)])}>
            <Icon name="plus" size={16} />
            {t('bots.addStep')}
          </button>
        </div>
        {manage && (
          <div className="form-actions">
            <button type="submit" className="btn btn-primary">
              {busy ? t('common.saving') : t('common.save')}
            </button>
            <button type="button" className="btn btn-ghost btn-danger-text" onClick={() => setRemoving(true)}>
              {t('bots.remove')}
            </button>
          </div>
        )}
      </fieldset>
      {removing && (
        <ConfirmDialog
          title={t('bots.confirmRemoveTitle', { name: bot.name })}
          body={t('bots.confirmRemoveBody')}
          confirmLabel={t('common.delete')}
          busyLabel={t('common.deleting')}
          onClose={() => setRemoving(false)}
          onConfirm={async () => {
            await botsApi.remove(bot.id);
            onRemoved();
            toast.success(t('bots.removed'));
          }}
        />
      )}
    </form>
  );
}

function stepFieldKeys(i: number): string[] {
  const base = ['text', 'prompt', 'pattern', 'attribute', 'retry_message', 'max_retries', 'options', 'button', 'key', 'value', 'tag_id', 'team_id', 'message', 'miss_message'];
  const options = Array.from({ length: 10 }, (_, j) => [`options[${j}].title`, `options[${j}].value`, `options[${j}].next_step`]).flat();
  return [...base, ...options].map((k) => `steps[${i}].${k}`);
}

function StepFields({ step, index, count, teams, tags, errors, onChange }: { step: BotStep; index: number; count: number; teams: Team[]; tags: Tag[]; errors: Record<string, string>; onChange: (s: BotStep) => void }) {
  const { t } = useTranslation();
  const err = (k: string) => errors[`steps[${index}].${k}`];
  const opt = (v: string) => (v === '' ? null : v);
  switch (step.type) {
    case 'greet':
      return <TextField label={t('bots.f.text')} value={step.text} maxLength={4096} onChange={(e) => onChange({ ...step, text: e.target.value })} error={err('text')} />;
    case 'ask_text':
      return (
        <>
          <TextField label={t('bots.f.prompt')} value={step.prompt} onChange={(e) => onChange({ ...step, prompt: e.target.value })} error={err('prompt')} />
          <TextField label={t('bots.f.pattern')} value={step.pattern ?? ''} placeholder="[0-9]{6}" hint={t('bots.f.patternHint')} onChange={(e) => onChange({ ...step, pattern: opt(e.target.value) })} error={err('pattern')} />
          <TextField label={t('bots.f.attribute')} value={step.attribute ?? ''} placeholder="order_number" onChange={(e) => onChange({ ...step, attribute: opt(e.target.value) })} error={err('attribute')} />
          <TextField label={t('bots.f.retryMessage')} value={step.retry_message ?? ''} onChange={(e) => onChange({ ...step, retry_message: opt(e.target.value) })} error={err('retry_message')} />
          <TextField label={t('bots.f.maxRetries')} type="number" min={0} max={5} value={String(step.max_retries ?? 2)} onChange={(e) => onChange({ ...step, max_retries: Number(e.target.value) })} error={err('max_retries')} />
        </>
      );
    case 'ask_choice':
      return (
        <>
          <TextField label={t('bots.f.prompt')} value={step.prompt} onChange={(e) => onChange({ ...step, prompt: e.target.value })} error={err('prompt')} />
          <TextField label={t('bots.f.attribute')} value={step.attribute ?? ''} placeholder="topic" onChange={(e) => onChange({ ...step, attribute: opt(e.target.value) })} error={err('attribute')} />
          <p className="field-hint">{t('bots.f.optionsHint')}</p>
          {err('options') && <Alert>{err('options')}</Alert>}
          {step.options.map((o, j) => {
            const set = (patch: Partial<ChoiceOption>) => onChange({ ...step, options: step.options.map((x, k) => (k === j ? { ...x, ...patch } : x)) });
            return (
              <div className="bot-option" key={j} data-testid="bot-option">
                <TextField label={t('bots.f.optionTitle', { n: j + 1 })} value={o.title} maxLength={24} onChange={(e) => set({ title: e.target.value })} error={err(`options[${j}].title`)} />
                <TextField label={t('bots.f.optionValue', { n: j + 1 })} value={o.value ?? ''} onChange={(e) => set({ value: opt(e.target.value) })} error={err(`options[${j}].value`)} />
                <SelectField label={t('bots.f.optionNext', { n: j + 1 })} value={o.next_step == null ? '' : String(o.next_step)} onChange={(e) => set({ next_step: e.target.value === '' ? null : Number(e.target.value) })} error={err(`options[${j}].next_step`)}>
                  <option value="">{t('bots.f.nextStep')}</option>
                  {Array.from({ length: count }, (_, k) => (
                    <option key={k} value={k}>
                      {t('bots.f.goTo', { n: k + 1 })}
                    </option>
                  ))}
                </SelectField>
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => onChange({ ...step, options: step.options.filter((_, k) => k !== j) })} aria-label={t('bots.f.removeOption', { n: j + 1 })}>
                  <Icon name="x" size={14} />
                </button>
              </div>
            );
          })}
          {step.options.length < 10 && (
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => onChange({ ...step, options: [...step.options, { title: '' }] })}>
              <Icon name="plus" size={14} />
              {t('bots.f.addOption')}
            </button>
          )}
        </>
      );
    case 'set_attribute':
      return (
        <>
          <TextField label={t('bots.f.key')} value={step.key} placeholder="vip" onChange={(e) => onChange({ ...step, key: e.target.value })} error={err('key')} />
          <TextField label={t('bots.f.value')} value={String(step.value)} onChange={(e) => onChange({ ...step, value: e.target.value })} error={err('value')} />
        </>
      );
    case 'add_tag':
      return (
        <SelectField label={t('bots.f.tag')} value={step.tag_id} onChange={(e) => onChange({ ...step, tag_id: e.target.value })} error={err('tag_id')}>
          {tags.map((tag) => (
            <option key={tag.id} value={tag.id}>
              {tag.name}
            </option>
          ))}
        </SelectField>
      );
    case 'route_to_team':
      return (
        <>
          <SelectField label={t('bots.f.team')} value={step.team_id} onChange={(e) => onChange({ ...step, team_id: e.target.value })} error={err('team_id')}>
            {teams.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </SelectField>
          <TextField label={t('bots.f.message')} value={step.message ?? ''} onChange={(e) => onChange({ ...step, message: opt(e.target.value) })} error={err('message')} />
        </>
      );
    case 'handover':
      return <TextField label={t('bots.f.message')} value={step.message ?? ''} onChange={(e) => onChange({ ...step, message: opt(e.target.value) })} error={err('message')} />;
    case 'answer_from_kb':
      return (
        <>
          <SelectField label={t('bots.f.onMiss')} value={step.on_miss ?? 'handover'} onChange={(e) => onChange({ ...step, on_miss: e.target.value as 'handover' | 'continue' })}>
            <option value="handover">{t('bots.f.missHandover')}</option>
            <option value="continue">{t('bots.f.missContinue')}</option>
          </SelectField>
          <TextField label={t('bots.f.missMessage')} value={step.miss_message ?? ''} onChange={(e) => onChange({ ...step, miss_message: opt(e.target.value) })} error={err('miss_message')} />
        </>
      );
  }
}
