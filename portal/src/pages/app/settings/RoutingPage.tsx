// Routing (`/settings/routing`): what happens to a new conversation, in the order the server does
// it. 1. The routing rules (settings:manage): an ordered list, the first switched-on rule whose
// conditions ALL hold wins (`GET/POST /routing/rules`, `PATCH`/`DELETE /routing/rules/{id}`,
// moving up/down is `PUT /routing/rules/order` with every id). 2. Each number's default team
// (`PUT /routing/numbers/{id}`). 3. Each team's assignment (manual, round-robin, balanced) and
// "reassign after N minutes without a reply" (`PUT /routing/teams/{id}`; empty is null: never).
// 4. Each agent's capacity (`PUT /routing/agents/{id}`). Teams, numbers and agents come from
// `GET /routing` (which teams:manage may read too); tags for the pickers from `GET /tags`.
// The server's errors show next to what they are about: a rule's `conditions[2].pattern` at that
// condition, a row's `reassign_after_minutes` under its input, anything else above the form.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import {
  ASSIGNMENT_MODES,
  PRIORITIES,
  isMissingEndpoint,
  numbers as numbersApi,
  routing as routingApi,
  tags as tagsApi,
  type AgentCapacity,
  type AssignmentMode,
  type NumberRouting,
  type Priority,
  type RoutingRule,
  type RoutingView,
  type RuleAction,
  type RuleActionType,
  type RuleCondition,
  type RuleConditionType,
  type Tag,
  type TeamRouting,
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
import { useLoader } from '../../../lib/useLoader';

export const CONDITION_TYPES: RuleConditionType[] = ['keywords', 'regex', 'language', 'contact_tag', 'contact_attribute', 'number', 'ad_referral', 'business_hours'];
export const ACTION_TYPES: RuleActionType[] = ['set_team', 'add_tag', 'set_priority', 'assign', 'bot'];
const MAX_CONDITIONS = 20;
const MAX_ACTIONS = 10;
const CONDITION_FIELDS = ['type', 'keywords', 'pattern', 'language', 'tag_id', 'key', 'value', 'number_id', 'source_id', 'when'];
const ACTION_FIELDS = ['type', 'team_id', 'tag_id', 'priority', 'membership_id'];

/** A condition as the form edits it: keywords as one comma-separated text, values as text. */
export type ConditionDraft =
  | { type: 'keywords'; text: string }
  | { type: 'regex'; pattern: string }
  | { type: 'language'; language: string }
  | { type: 'contact_tag'; tag_id: string }
  | { type: 'contact_attribute'; key: string; value: string }
  | { type: 'number'; number_id: string }
  | { type: 'ad_referral'; source_id: string }
  | { type: 'business_hours'; when: string };

/** The pickers' choices. */
export interface Choices {
  teams: { id: string; name: string }[];
  tags: { id: string; name: string }[];
  agents: { id: string; name: string }[];
  numbers: { id: string; label: string }[];
}

/** "factura, invoice ,, bill" → ["factura", "invoice", "bill"]. */
export function splitKeywords(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((k) => k.trim())
    .filter(Boolean);
}

/** An attribute value typed in a text box: numbers and true/false that read back the same become one. */
export function attributeValue(text: string): string | number | boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  const n = Number(text);
  if (text.trim() !== '' && Number.isFinite(n) && String(n) === text) return n;
  return text;
}

export function blankCondition(type: RuleConditionType, choices: Choices): ConditionDraft {
  switch (type) {
    case 'keywords':
      return { type, text: '' };
    case 'regex':
      return { type, pattern: '' };
    case 'language':
      return { type, language: 'es' };
    case 'contact_tag':
      return { type, tag_id: choices.tags[0]?.id ?? '' };
    case 'contact_attribute':
      return { type, key: '', value: '' };
    case 'number':
      return { type, number_id: choices.numbers[0]?.id ?? '' };
    case 'ad_referral':
      return { type, source_id: '' };
    case 'business_hours':
      return { type, when: 'outside' };
  }
}

export function blankAction(type: RuleActionType, choices: Choices): RuleAction {
  switch (type) {
    case 'set_team':
      return { type, team_id: choices.teams[0]?.id ?? '' };
    case 'add_tag':
      return { type, tag_id: choices.tags[0]?.id ?? '' };
    case 'set_priority':
      return { type, priority: 'high' };
    case 'assign':
      return { type, membership_id: choices.agents[0]?.id ?? '' };
    case 'bot':
      return { type };
  }
}

export function toConditionDraft(c: RuleCondition): ConditionDraft {
  switch (c.type) {
    case 'keywords':
      return { type: 'keywords', text: c.keywords.join(', ') };
    case 'contact_attribute':
      return { type: 'contact_attribute', key: c.key, value: String(c.value) };
    case 'ad_referral':
      return { type: 'ad_referral', source_id: c.source_id ?? '' };
    default:
      return c;
  }
}

/** What the API takes for a condition (empty optional fields left out). */
export function toCondition(d: ConditionDraft): RuleCondition {
  switch (d.type) {
    case 'keywords':
      return { type: 'keywords', keywords: splitKeywords(d.text) };
    case 'regex':
      return { type: 'regex', pattern: d.pattern };
    case 'contact_attribute':
      return { type: 'contact_attribute', key: d.key.trim(), value: attributeValue(d.value) };
    case 'ad_referral':
      return d.source_id.trim() ? { type: 'ad_referral', source_id: d.source_id.trim() } : { type: 'ad_referral' };
    default:
      return d;
  }
}

/** `ids` with the one at `index` moved up (-1) or down (+1). */
export function moved(ids: string[], index: number, by: -1 | 1): string[] {
  const to = index + by;
  if (to < 0 || to >= ids.length) return ids;
  const out = [...ids];
  [out[index], out[to]] = [out[to], out[index]];
  return out;
}

function numberLabel(n: NumberRouting, known: WhatsAppNumber[]): string {
  const phone = formatPhone(n.display_phone_number);
  const name = known.find((k) => k.id === n.number_id)?.verified_name;
  return name ? `${name} (${phone})` : phone;
}

function quote(s: string) {
  return `“${s}”`;
}

/** One line per rule: "When message contains “factura” and … · Then set team Billing, …". */
export function describeRule(t: TFunction, rule: Pick<RoutingRule, 'conditions' | 'actions'>, choices: Choices): { when: string; then: string } {
  const name = (list: { id: string; name: string }[], id: string) => list.find((x) => x.id === id)?.name ?? `(${t('routing.deletedItem')})`;
  const or = ` ${t('routing.summary.or')} `;
  const conds = rule.conditions.map((c): string => {
    switch (c.type) {
      case 'keywords':
        return t('routing.summary.keywords', { words: c.keywords.map(quote).join(or) });
      case 'regex':
        return t('routing.summary.regex', { pattern: `/${c.pattern}/` });
      case 'language':
        return t('routing.summary.language', { language: t(`routing.languages.${c.language}`, { defaultValue: c.language }) });
      case 'contact_tag':
        return t('routing.summary.contact_tag', { tag: name(choices.tags, c.tag_id) });
      case 'contact_attribute':
        return t('routing.summary.contact_attribute', { key: c.key, value: quote(String(c.value)) });
      case 'number':
        return t('routing.summary.number', { number: choices.numbers.find((n) => n.id === c.number_id)?.label ?? `(${t('routing.deletedItem')})` });
      case 'ad_referral':
        return c.source_id ? t('routing.summary.ad_one', { id: c.source_id }) : t('routing.summary.ad_any');
      case 'business_hours':
        return t(c.when === 'inside' ? 'routing.summary.inside' : 'routing.summary.outside');
      default:
        return String((c as { type: string }).type);
    }
  });
  const acts = rule.actions.map((a): string => {
    switch (a.type) {
      case 'set_team':
        return t('routing.summary.set_team', { team: name(choices.teams, a.team_id) });
      case 'add_tag':
        return t('routing.summary.add_tag', { tag: name(choices.tags, a.tag_id) });
      case 'set_priority':
        return t('routing.summary.set_priority', { priority: t(`inbox.priority.${a.priority}`, { defaultValue: a.priority }) });
      case 'assign':
        return t('routing.summary.assign', { agent: name(choices.agents, a.membership_id) });
      case 'bot':
        return t('routing.summary.bot');
      default:
        return String((a as { type: string }).type);
    }
  });
  return { when: conds.length ? conds.join(` ${t('routing.and')} `) : t('routing.always'), then: acts.join(', ') };
}

export function RoutingPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const allowed = can('settings:manage') || can('teams:manage');
  const manageRules = can('settings:manage');
  const data = useLoader(async () => {
    if (!allowed) return null;
    const [view, tags, numbers] = await Promise.all([routingApi.view(), tagsApi.list().catch(() => [] as Tag[]), numbersApi.list().catch(() => [] as WhatsAppNumber[])]);
    return { view, tags, numbers };
  }, [allowed]);
  const rules = useLoader(() => (allowed && manageRules ? routingApi.rules() : Promise.resolve([] as RoutingRule[])), [allowed, manageRules]);

  if (!allowed) return <Forbidden />;
  const missing = isMissingEndpoint(data.error);
  const loaded = data.data;
  const setView = (view: RoutingView) => data.setData((prev) => (prev ? { ...prev, view } : prev));
  const choices: Choices | null = loaded
    ? {
        teams: loaded.view.teams.map((x) => ({ id: x.team_id, name: x.name })),
        tags: loaded.tags.map((x) => ({ id: x.id, name: x.name })),
        agents: loaded.view.agents.map((x) => ({ id: x.membership_id, name: x.name })),
        numbers: loaded.view.numbers.map((n) => ({ id: n.number_id, label: numberLabel(n, loaded.numbers) })),
      }
    : null;

  return (
    <div className="page">
      <PageHeader title={t('routing.title')} subtitle={t('routing.subtitle')} />
      {data.loading && !loaded ? (
        <div className="card">
          <PageLoading label={t('common.loading')} />
        </div>
      ) : missing ? (
        <div className="card">
          <EmptyState icon="route">{t('routing.unavailable')}</EmptyState>
        </div>
      ) : data.error && !loaded ? (
        <div className="card">
          <LoadError error={data.error} onRetry={data.reload} />
        </div>
      ) : loaded && choices ? (
        <div className="routing">
          {manageRules ? (
            <RulesSection rules={rules.data} loading={rules.loading} error={rules.error} reload={rules.reload} setRules={(next) => rules.setData(next)} choices={choices} />
          ) : (
            <Alert tone="info">{t('routing.readOnlyRules')}</Alert>
          )}
          <NumbersSection view={loaded.view} known={loaded.numbers} onSaved={setView} />
          <TeamsSection view={loaded.view} onSaved={setView} />
          <AgentsSection view={loaded.view} onSaved={setView} />
        </div>
      ) : null}
    </div>
  );
}

function Section({ id, step, title, hint, action, children }: { id: string; step: number; title: string; hint: string; action?: ReactNode; children: ReactNode }) {
  return (
    <section className="card routing-section" aria-labelledby={`${id}-title`} data-testid={id}>
      <header className="routing-section-head">
        <span className="routing-step" aria-hidden="true">
          {step}
        </span>
        <div className="routing-section-text">
          <h2 className="section-title" id={`${id}-title`}>
            {title}
          </h2>
          <p className="section-subtitle">{hint}</p>
        </div>
        {action}
      </header>
      {children}
    </section>
  );
}

// ---------- 1. Rules ----------

function RulesSection({
  rules,
  loading,
  error,
  reload,
  setRules,
  choices,
}: {
  rules: RoutingRule[] | undefined;
  loading: boolean;
  error: unknown;
  reload: () => Promise<void>;
  setRules: (update: (prev: RoutingRule[] | undefined) => RoutingRule[] | undefined) => void;
  choices: Choices;
}) {
  const { t } = useTranslation();
  const toast = useToast();
  const [editing, setEditing] = useState<RoutingRule | 'new' | null>(null);
  const [deleting, setDeleting] = useState<RoutingRule | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const items = rules ?? [];

  async function toggle(rule: RoutingRule) {
    setBusy(rule.id);
    setListError(null);
    try {
      const saved = await routingApi.updateRule(rule.id, { enabled: !rule.enabled });
      setRules((prev) => (prev ?? []).map((r) => (r.id === saved.id ? saved : r)));
      toast.success(t(saved.enabled ? 'routing.enabled' : 'routing.disabled', { name: saved.name }));
    } catch (e) {
      setListError(describeError(t, e));
    } finally {
      setBusy(null);
    }
  }

  async function move(index: number, by: -1 | 1) {
    const ids = moved(
      items.map((r) => r.id),
      index,
      by,
    );
    setBusy(items[index].id);
    setListError(null);
    try {
      const next = await routingApi.orderRules(ids);
      setRules(() => next);
      toast.success(t('routing.moved'));
    } catch (e) {
      setListError(describeError(t, e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Section
      id="routing-rules"
      step={1}
      title={t('routing.rulesTitle')}
      hint={t('routing.rulesHint')}
      action={
        <button type="button" className="btn btn-primary" onClick={() => setEditing('new')} disabled={!rules}>
          <Icon name="plus" size={16} />
          {t('routing.newRule')}
        </button>
      }
    >
      {listError && (
        <div className="routing-section-alert">
          <Alert>{listError}</Alert>
        </div>
      )}
      {loading && !rules ? (
        <PageLoading label={t('common.loading')} />
      ) : error && !rules ? (
        <LoadError error={error} onRetry={reload} />
      ) : items.length === 0 ? (
        <EmptyState icon="route">{t('routing.noRules')}</EmptyState>
      ) : (
        <ol className="routing-rules" aria-label={t('routing.rulesTitle')}>
          {items.map((rule, i) => {
            const { when, then } = describeRule(t, rule, choices);
            return (
              <li key={rule.id} className={`routing-rule${rule.enabled ? '' : ' routing-rule-off'}`} data-testid="routing-rule" aria-label={t('routing.ruleLabel', { n: i + 1, name: rule.name })}>
                <span className="routing-rule-pos">{i + 1}</span>
                <div className="routing-rule-main">
                  <div className="routing-rule-name">
                    <strong>{rule.name}</strong>
                    <Badge tone={rule.enabled ? 'success' : 'neutral'}>{rule.enabled ? t('routing.ruleOn') : t('routing.ruleOff')}</Badge>
                  </div>
                  <p className="routing-rule-line">
                    <span className="routing-rule-key">{t('routing.when')}</span> {when}
                  </p>
                  <p className="routing-rule-line">
                    <span className="routing-rule-key">{t('routing.then')}</span> {then}
                  </p>
                </div>
                <div className="routing-rule-actions">
                  <label className="switch" title={rule.enabled ? t('routing.disable', { name: rule.name }) : t('routing.enable', { name: rule.name })}>
                    <input
                      type="checkbox"
                      role="switch"
                      checked={rule.enabled}
                      disabled={busy !== null}
                      aria-label={rule.enabled ? t('routing.disable', { name: rule.name }) : t('routing.enable', { name: rule.name })}
                      onChange={() => void toggle(rule)}
                    />
                    <span className="switch-track" aria-hidden="true" />
                  </label>
                  <button type="button" className="icon-button icon-button-sm" onClick={() => void move(i, -1)} disabled={i === 0 || busy !== null} aria-label={t('routing.moveUp', { name: rule.name })} title={t('routing.moveUp', { name: rule.name })}>
                    <Icon name="arrowUp" size={16} />
                  </button>
                  <button
                    type="button"
                    className="icon-button icon-button-sm"
                    onClick={() => void move(i, 1)}
                    disabled={i === items.length - 1 || busy !== null}
                    aria-label={t('routing.moveDown', { name: rule.name })}
                    title={t('routing.moveDown', { name: rule.name })}
                  >
                    <Icon name="arrowDown" size={16} />
                  </button>
                  <button type="button" className="icon-button icon-button-sm" onClick={() => setEditing(rule)} aria-label={t('routing.edit', { name: rule.name })} title={t('routing.edit', { name: rule.name })}>
                    <Icon name="pencil" size={16} />
                  </button>
                  <button type="button" className="icon-button icon-button-sm icon-button-danger" onClick={() => setDeleting(rule)} aria-label={t('routing.delete', { name: rule.name })} title={t('routing.delete', { name: rule.name })}>
                    <Icon name="trash" size={16} />
                  </button>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      {editing && (
        <RuleDialog
          rule={editing === 'new' ? null : editing}
          choices={choices}
          onClose={() => setEditing(null)}
          onSaved={(saved, created) => {
            setRules((prev) => (created ? [...(prev ?? []), saved] : (prev ?? []).map((r) => (r.id === saved.id ? saved : r))));
            toast.success(t(created ? 'routing.created' : 'routing.updated', { name: saved.name }));
            setEditing(null);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={t('routing.confirmDeleteTitle', { name: deleting.name })}
          body={t('routing.confirmDeleteBody')}
          confirmLabel={t('common.delete')}
          busyLabel={t('common.deleting')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await routingApi.removeRule(deleting.id);
            setRules((prev) => (prev ?? []).filter((r) => r.id !== deleting.id));
            toast.success(t('routing.deleted', { name: deleting.name }));
          }}
        />
      )}
    </Section>
  );
}

function fieldKeys(prefix: 'conditions' | 'actions', count: number): string[] {
  const names = prefix === 'conditions' ? CONDITION_FIELDS : ACTION_FIELDS;
  return Array.from({ length: count }, (_, i) => [`${prefix}[${i}]`, ...names.map((f) => `${prefix}[${i}].${f}`)]).flat();
}

/** The message for row `i` of `prefix` (any of its fields). */
function rowError(errors: Record<string, string>, prefix: 'conditions' | 'actions', i: number): string | undefined {
  const head = `${prefix}[${i}]`;
  return Object.entries(errors).find(([k]) => k === head || k.startsWith(`${head}.`))?.[1];
}

function RuleDialog({ rule, choices, onClose, onSaved }: { rule: RoutingRule | null; choices: Choices; onClose: () => void; onSaved: (r: RoutingRule, created: boolean) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(rule?.name ?? '');
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [conditions, setConditions] = useState<ConditionDraft[]>(() => (rule?.conditions ?? []).map(toConditionDraft));
  const [actions, setActions] = useState<RuleAction[]>(() => (rule ? rule.actions : [blankAction('set_team', choices)]));
  const [newCondition, setNewCondition] = useState<RuleConditionType>('keywords');
  const [newAction, setNewAction] = useState<RuleActionType>('set_team');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function check(): Record<string, string> {
    const local: Record<string, string> = {};
    const trimmed = name.trim();
    if (!trimmed || [...trimmed].length > 80) local.name = t('routing.nameRequired');
    conditions.forEach((c, i) => {
      const at = (f: string, msg: string) => (local[`conditions[${i}].${f}`] = msg);
      if (c.type === 'keywords' && splitKeywords(c.text).length === 0) at('keywords', t('routing.keywordsRequired'));
      if (c.type === 'regex' && !c.pattern) at('pattern', t('routing.patternRequired'));
      if (c.type === 'contact_attribute' && !c.key.trim()) at('key', t('routing.keyRequired'));
      if (c.type === 'contact_tag' && !c.tag_id) at('tag_id', choices.tags.length ? t('routing.pickRequired') : t('routing.noTags'));
      if (c.type === 'number' && !c.number_id) at('number_id', t('routing.pickRequired'));
    });
    if (actions.length === 0) local.actions = t('routing.actionsRequired');
    actions.forEach((a, i) => {
      const at = (f: string, msg: string) => (local[`actions[${i}].${f}`] = msg);
      if (a.type === 'set_team' && !a.team_id) at('team_id', choices.teams.length ? t('routing.pickRequired') : t('routing.noTeams'));
      if (a.type === 'add_tag' && !a.tag_id) at('tag_id', choices.tags.length ? t('routing.pickRequired') : t('routing.noTags'));
      if (a.type === 'assign' && !a.membership_id) at('membership_id', t('routing.pickRequired'));
    });
    return local;
  }

  async function submit() {
    setFormError(null);
    const local = check();
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const body = { name: name.trim(), enabled, conditions: conditions.map(toCondition), actions };
      const saved = rule ? await routingApi.updateRule(rule.id, body) : await routingApi.createRule(body);
      onSaved(saved, !rule);
    } catch (e) {
      const known = ['name', 'conditions', 'actions', ...fieldKeys('conditions', conditions.length), ...fieldKeys('actions', actions.length)];
      const { form, fields } = splitApiError(t, e, known);
      setErrors(fields);
      setFormError(form);
      setBusy(false);
    }
  }

  const setCondition = (i: number, c: ConditionDraft) => setConditions((prev) => prev.map((x, j) => (j === i ? c : x)));
  const setAction = (i: number, a: RuleAction) => setActions((prev) => prev.map((x, j) => (j === i ? a : x)));

  return (
    <Modal
      size="lg"
      title={rule ? t('routing.editTitle') : t('routing.createTitle')}
      onClose={onClose}
      onSubmit={submit}
      busy={busy}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : rule ? t('common.save') : t('common.create')}
          </button>
        </>
      }
    >
      <div className="form">
        {formError && <Alert>{formError}</Alert>}
        <div className="routing-rule-head">
          <TextField label={t('routing.name')} name="name" value={name} maxLength={80} placeholder={t('routing.namePlaceholder')} onChange={(e) => setName(e.target.value)} error={errors.name} />
          <label className="check routing-enabled">
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
            <span>{t('routing.ruleEnabled')}</span>
          </label>
        </div>

        <fieldset className="routing-group" data-testid="rule-conditions">
          <legend className="field-label">{t('routing.conditions')}</legend>
          <p className="field-hint">{t('routing.conditionsHint')}</p>
          {errors.conditions && <Alert>{errors.conditions}</Alert>}
          {conditions.length === 0 ? (
            <p className="routing-group-empty muted">{t('routing.noConditions')}</p>
          ) : (
            <ol className="routing-items">
              {conditions.map((c, i) => {
                const problem = rowError(errors, 'conditions', i);
                return (
                  <li key={i} className={`routing-item${problem ? ' routing-item-invalid' : ''}`} data-testid="rule-condition" aria-label={t('routing.conditionType', { n: i + 1 })}>
                    <div className="routing-item-head">
                      <span className="routing-item-title">
                        {i > 0 && <span className="routing-item-join">{t('routing.and')}</span>}
                        {t(`routing.conditionTypes.${c.type}`)}
                      </span>
                      <button type="button" className="icon-button icon-button-sm" onClick={() => setConditions((prev) => prev.filter((_, j) => j !== i))} aria-label={t('routing.removeCondition', { n: i + 1 })} title={t('routing.removeCondition', { n: i + 1 })}>
                        <Icon name="x" size={15} />
                      </button>
                    </div>
                    <ConditionFields draft={c} choices={choices} onChange={(next) => setCondition(i, next)} />
                    {problem && (
                      <p className={`field-error${c.type === 'regex' ? ' routing-regex-error' : ''}`} role="alert">
                        {problem}
                      </p>
                    )}
                  </li>
                );
              })}
            </ol>
          )}
          <div className="routing-add">
            <SelectField label={t('routing.newCondition')} value={newCondition} onChange={(e) => setNewCondition(e.target.value as RuleConditionType)} disabled={conditions.length >= MAX_CONDITIONS}>
              {CONDITION_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(`routing.conditionTypes.${type}`)}
                </option>
              ))}
            </SelectField>
            <button type="button" className="btn btn-secondary" onClick={() => setConditions((prev) => [...prev, blankCondition(newCondition, choices)])} disabled={conditions.length >= MAX_CONDITIONS}>
              <Icon name="plus" size={16} />
              {t('routing.addCondition')}
            </button>
          </div>
          {conditions.length >= MAX_CONDITIONS && <p className="field-hint">{t('routing.tooMany', { max: MAX_CONDITIONS })}</p>}
        </fieldset>

        <fieldset className="routing-group" data-testid="rule-actions">
          <legend className="field-label">{t('routing.actions')}</legend>
          <p className="field-hint">{t('routing.actionsHint')}</p>
          {errors.actions && <Alert>{errors.actions}</Alert>}
          {actions.length === 0 ? (
            <p className="routing-group-empty muted">{t('routing.noActions')}</p>
          ) : (
            <ol className="routing-items">
              {actions.map((a, i) => {
                const problem = rowError(errors, 'actions', i);
                return (
                  <li key={i} className={`routing-item${problem ? ' routing-item-invalid' : ''}`} data-testid="rule-action" aria-label={t('routing.actionType', { n: i + 1 })}>
                    <div className="routing-item-head">
                      <span className="routing-item-title">
                        <span className="routing-item-num">{i + 1}.</span>
                        {t(`routing.actionTypes.${a.type}`)}
                      </span>
                      <button type="button" className="icon-button icon-button-sm" onClick={() => setActions((prev) => prev.filter((_, j) => j !== i))} aria-label={t('routing.removeAction', { n: i + 1 })} title={t('routing.removeAction', { n: i + 1 })}>
                        <Icon name="x" size={15} />
                      </button>
                    </div>
                    <ActionFields action={a} choices={choices} onChange={(next) => setAction(i, next)} />
                    {problem && (
                      <p className="field-error" role="alert">
                        {problem}
                      </p>
                    )}
                  </li>
                );
              })}
            </ol>
          )}
          <div className="routing-add">
            <SelectField label={t('routing.newAction')} value={newAction} onChange={(e) => setNewAction(e.target.value as RuleActionType)} disabled={actions.length >= MAX_ACTIONS}>
              {ACTION_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(`routing.actionTypes.${type}`)}
                </option>
              ))}
            </SelectField>
            <button type="button" className="btn btn-secondary" onClick={() => setActions((prev) => [...prev, blankAction(newAction, choices)])} disabled={actions.length >= MAX_ACTIONS}>
              <Icon name="plus" size={16} />
              {t('routing.addAction')}
            </button>
          </div>
          {actions.length >= MAX_ACTIONS && <p className="field-hint">{t('routing.tooMany', { max: MAX_ACTIONS })}</p>}
        </fieldset>
      </div>
    </Modal>
  );
}

/** A picker over `list`; an id not in it (deleted since) stays selectable, marked. */
function Picker({ label, value, list, onChange }: { label: string; value: string; list: { id: string; name: string }[]; onChange: (id: string) => void }) {
  const { t } = useTranslation();
  const stale = value && !list.some((x) => x.id === value);
  return (
    <SelectField label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      {!value && <option value="">{t('routing.pick')}</option>}
      {stale && <option value={value}>({t('routing.deletedItem')})</option>}
      {list.map((x) => (
        <option key={x.id} value={x.id}>
          {x.name}
        </option>
      ))}
    </SelectField>
  );
}

function ConditionFields({ draft, choices, onChange }: { draft: ConditionDraft; choices: Choices; onChange: (d: ConditionDraft) => void }) {
  const { t } = useTranslation();
  const label = (key: string) => t(key);
  switch (draft.type) {
    case 'keywords':
      return <TextField label={label('routing.f.keywords')} value={draft.text} placeholder="factura, invoice, bill" hint={t('routing.f.keywordsHint')} onChange={(e) => onChange({ ...draft, text: e.target.value })} />;
    case 'regex':
      return <TextField label={label('routing.f.pattern')} value={draft.pattern} maxLength={500} className="input-mono" placeholder="\b(refund|reembolso)\b" hint={t('routing.f.patternHint')} onChange={(e) => onChange({ ...draft, pattern: e.target.value })} />;
    case 'language':
      return (
        <SelectField label={label('routing.f.language')} value={draft.language} onChange={(e) => onChange({ ...draft, language: e.target.value })}>
          <option value="en">{t('routing.languages.en')}</option>
          <option value="es">{t('routing.languages.es')}</option>
        </SelectField>
      );
    case 'contact_tag':
      return <Picker label={label('routing.f.tag')} value={draft.tag_id} list={choices.tags} onChange={(tag_id) => onChange({ ...draft, tag_id })} />;
    case 'contact_attribute':
      return (
        <div className="routing-pair">
          <TextField label={label('routing.f.key')} value={draft.key} maxLength={64} placeholder="plan" onChange={(e) => onChange({ ...draft, key: e.target.value })} />
          <TextField label={label('routing.f.value')} value={draft.value} maxLength={500} placeholder="gold" hint={t('routing.f.valueHint')} onChange={(e) => onChange({ ...draft, value: e.target.value })} />
        </div>
      );
    case 'number':
      return (
        <Picker
          label={label('routing.f.number')}
          value={draft.number_id}
          list={choices.numbers.map((x) => ({ id: x.id, name: x.label }))}
          onChange={(number_id) => onChange({ ...draft, number_id })}
        />
      );
    case 'ad_referral':
      return <TextField label={label('routing.f.sourceId')} value={draft.source_id} maxLength={100} hint={t('routing.f.sourceIdHint')} onChange={(e) => onChange({ ...draft, source_id: e.target.value })} />;
    case 'business_hours':
      return (
        <SelectField label={label('routing.f.when')} value={draft.when} onChange={(e) => onChange({ ...draft, when: e.target.value })}>
          <option value="inside">{t('routing.f.inside')}</option>
          <option value="outside">{t('routing.f.outside')}</option>
        </SelectField>
      );
  }
}

function ActionFields({ action, choices, onChange }: { action: RuleAction; choices: Choices; onChange: (a: RuleAction) => void }) {
  const { t } = useTranslation();
  const label = (key: string) => t(key);
  switch (action.type) {
    case 'set_team':
      return <Picker label={label('routing.f.team')} value={action.team_id} list={choices.teams} onChange={(team_id) => onChange({ ...action, team_id })} />;
    case 'add_tag':
      return <Picker label={label('routing.f.tag')} value={action.tag_id} list={choices.tags} onChange={(tag_id) => onChange({ ...action, tag_id })} />;
    case 'set_priority':
      return (
        <SelectField label={label('routing.f.priority')} value={action.priority} onChange={(e) => onChange({ ...action, priority: e.target.value as Priority })}>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {t(`inbox.priority.${p}`)}
            </option>
          ))}
        </SelectField>
      );
    case 'assign':
      return <Picker label={label('routing.f.agent')} value={action.membership_id} list={choices.agents} onChange={(membership_id) => onChange({ ...action, membership_id })} />;
    case 'bot':
      return <p className="field-hint">{t('routing.f.botHint')}</p>;
  }
}

// ---------- 2-4. Numbers, teams, agents: one row each, saved on its own ----------

/** Saves one row; keeps the server's message for it. */
function useRowSave(onSaved: (v: RoutingView) => void) {
  const { t } = useTranslation();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  async function save(call: () => Promise<RoutingView>, fields: string[]) {
    setBusy(true);
    setError(null);
    try {
      onSaved(await call());
      toast.success(t('routing.saved'));
    } catch (e) {
      const { form, fields: byField } = splitApiError(t, e, fields);
      const [field, message] = Object.entries(byField)[0] ?? [null, form ?? t('errors.generic')];
      setError({ field, message });
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, save };
}

function SaveRow({ name, dirty, busy }: { name: string; dirty: boolean; busy: boolean }) {
  const { t } = useTranslation();
  return (
    <button type="submit" className="btn btn-secondary btn-sm" disabled={!dirty || busy} aria-label={t('routing.saveRow', { name })}>
      {busy ? t('common.saving') : t('routing.save')}
    </button>
  );
}

function RowError({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p className="field-error routing-row-error" role="alert">
      {message}
    </p>
  );
}

function NumbersSection({ view, known, onSaved }: { view: RoutingView; known: WhatsAppNumber[]; onSaved: (v: RoutingView) => void }) {
  const { t } = useTranslation();
  return (
    <Section id="routing-numbers" step={2} title={t('routing.numbersTitle')} hint={t('routing.numbersHint')}>
      {view.numbers.length === 0 ? (
        <EmptyState icon="phone">{t('routing.noNumbers')}</EmptyState>
      ) : (
        <table className="table routing-table">
          <thead>
            <tr>
              <th>{t('routing.colNumber')}</th>
              <th>{t('routing.colDefaultTeam')}</th>
              <th className="col-actions">
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {view.numbers.map((n) => (
              <NumberRow key={n.number_id} number={n} label={numberLabel(n, known)} teams={view.teams} onSaved={onSaved} />
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function NumberRow({ number, label, teams, onSaved }: { number: NumberRouting; label: string; teams: TeamRouting[]; onSaved: (v: RoutingView) => void }) {
  const { t } = useTranslation();
  const [team, setTeam] = useState(number.team_id ?? '');
  const row = useRowSave(onSaved);
  const formId = `routing-number-${number.number_id}`;
  return (
    <tr data-testid="routing-number">
      <td>
        <div className="cell-title">
          <span className="number-icon">
            <Icon name="phone" size={15} />
          </span>
          <strong>{label}</strong>
        </div>
      </td>
      <td>
        <select
          className="input select input-sm routing-input"
          form={formId}
          value={team}
          aria-label={t('routing.defaultTeamOf', { number: label })}
          aria-invalid={row.error ? true : undefined}
          onChange={(e) => setTeam(e.target.value)}
        >
          <option value="">{t('routing.noTeam')}</option>
          {teams.map((x) => (
            <option key={x.team_id} value={x.team_id}>
              {x.name}
            </option>
          ))}
        </select>
        <RowError message={row.error?.message} />
      </td>
      <td className="col-actions">
        <form
          id={formId}
          onSubmit={(e) => {
            e.preventDefault();
            void row.save(() => routingApi.setNumber(number.number_id, team || null), ['team_id']);
          }}
        >
          <SaveRow name={label} dirty={team !== (number.team_id ?? '')} busy={row.busy} />
        </form>
      </td>
    </tr>
  );
}

function TeamsSection({ view, onSaved }: { view: RoutingView; onSaved: (v: RoutingView) => void }) {
  const { t } = useTranslation();
  return (
    <Section id="routing-teams" step={3} title={t('routing.teamsTitle')} hint={t('routing.teamsHint')}>
      {view.teams.length === 0 ? (
        <EmptyState icon="team">{t('routing.noTeamsYet')}</EmptyState>
      ) : (
        <>
          <table className="table routing-table">
            <thead>
              <tr>
                <th>{t('routing.colTeam')}</th>
                <th>{t('routing.colMode')}</th>
                <th>{t('routing.colReassign')}</th>
                <th className="col-actions">
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {view.teams.map((team) => (
                <TeamRow key={team.team_id} team={team} onSaved={onSaved} />
              ))}
            </tbody>
          </table>
          <p className="field-hint routing-foot">{t('routing.reassignHint')}</p>
        </>
      )}
    </Section>
  );
}

function TeamRow({ team, onSaved }: { team: TeamRouting; onSaved: (v: RoutingView) => void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<string>(team.assignment);
  const [minutes, setMinutes] = useState(team.reassign_after_minutes == null ? '' : String(team.reassign_after_minutes));
  const row = useRowSave(onSaved);
  const formId = `routing-team-${team.team_id}`;
  const dirty = mode !== team.assignment || minutes.trim() !== (team.reassign_after_minutes == null ? '' : String(team.reassign_after_minutes));
  const minutesError = row.error?.field === 'reassign_after_minutes' ? row.error.message : undefined;
  const otherError = row.error && row.error.field !== 'reassign_after_minutes' ? row.error.message : undefined;

  function submit() {
    const text = minutes.trim();
    const value = text === '' ? null : Number(text);
    if (value !== null && (!Number.isInteger(value) || value < 1 || value > 1440)) {
      row.setError({ field: 'reassign_after_minutes', message: t('routing.reassignRange') });
      return;
    }
    void row.save(() => routingApi.setTeam(team.team_id, { assignment: mode as AssignmentMode, reassign_after_minutes: value }), ['assignment', 'reassign_after_minutes']);
  }

  return (
    <tr data-testid="routing-team">
      <td>
        <strong>{team.name}</strong>
      </td>
      <td>
        <select className="input select input-sm routing-input" form={formId} value={mode} aria-label={t('routing.modeOf', { name: team.name })} aria-invalid={otherError ? true : undefined} onChange={(e) => setMode(e.target.value)}>
          {ASSIGNMENT_MODES.map((m) => (
            <option key={m} value={m}>
              {t(`routing.modes.${m}`)}
            </option>
          ))}
          {!(ASSIGNMENT_MODES as string[]).includes(mode) && <option value={mode}>{mode}</option>}
        </select>
        <RowError message={otherError} />
      </td>
      <td>
        <input
          className="input input-sm routing-minutes"
          form={formId}
          type="number"
          inputMode="numeric"
          min={1}
          max={1440}
          value={minutes}
          placeholder={t('routing.reassignPlaceholder')}
          aria-label={t('routing.reassignOf', { name: team.name })}
          aria-invalid={minutesError ? true : undefined}
          onChange={(e) => setMinutes(e.target.value)}
        />
        <RowError message={minutesError} />
      </td>
      <td className="col-actions">
        <form
          id={formId}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <SaveRow name={team.name} dirty={dirty} busy={row.busy} />
        </form>
      </td>
    </tr>
  );
}

function AgentsSection({ view, onSaved }: { view: RoutingView; onSaved: (v: RoutingView) => void }) {
  const { t } = useTranslation();
  return (
    <Section id="routing-agents" step={4} title={t('routing.agentsTitle')} hint={t('routing.agentsHint')}>
      {view.agents.length === 0 ? (
        <EmptyState icon="users">{t('routing.noAgents')}</EmptyState>
      ) : (
        <table className="table routing-table">
          <thead>
            <tr>
              <th>{t('routing.colAgent')}</th>
              <th>{t('routing.colOpen')}</th>
              <th>{t('routing.colCapacity')}</th>
              <th className="col-actions">
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {view.agents.map((a) => (
              <AgentRow key={a.membership_id} agent={a} onSaved={onSaved} />
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function presenceTone(p: string) {
  return p === 'online' ? 'success' : p === 'away' ? 'warning' : 'neutral';
}

function AgentRow({ agent, onSaved }: { agent: AgentCapacity; onSaved: (v: RoutingView) => void }) {
  const { t } = useTranslation();
  const [max, setMax] = useState(String(agent.max_open));
  const row = useRowSave(onSaved);
  const formId = `routing-agent-${agent.membership_id}`;
  const full = agent.open >= agent.max_open;

  function submit() {
    const value = Number(max.trim());
    if (!max.trim() || !Number.isInteger(value) || value < 1 || value > 500) {
      row.setError({ field: 'max_open', message: t('routing.capacityRange') });
      return;
    }
    void row.save(() => routingApi.setCapacity(agent.membership_id, value), ['max_open']);
  }

  return (
    <tr data-testid="routing-agent">
      <td>
        <div className="cell-title">
          <strong>{agent.name}</strong>
          <Badge tone={presenceTone(agent.presence)}>{t(`presence.${agent.presence}`, { defaultValue: agent.presence })}</Badge>
        </div>
      </td>
      <td>
        <span className={full ? 'routing-full' : undefined}>{t('routing.openOf', { open: agent.open, max: agent.max_open })}</span>
      </td>
      <td>
        <input
          className="input input-sm routing-minutes"
          form={formId}
          type="number"
          inputMode="numeric"
          min={1}
          max={500}
          value={max}
          aria-label={t('routing.capacityOf', { name: agent.name })}
          aria-invalid={row.error ? true : undefined}
          onChange={(e) => setMax(e.target.value)}
        />
        <RowError message={row.error?.message} />
      </td>
      <td className="col-actions">
        <form
          id={formId}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <SaveRow name={agent.name} dirty={max.trim() !== String(agent.max_open)} busy={row.busy} />
        </form>
      </td>
    </tr>
  );
}
