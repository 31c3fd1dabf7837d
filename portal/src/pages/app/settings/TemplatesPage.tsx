// Message templates (/settings/templates): every template of the business's WhatsApp accounts
// with its review status, and, for people who manage numbers, a form to write a new one (it goes
// to Meta for review; the sandbox approves at once) and "Sync from Meta".
import { useMemo, useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError, templates as templatesApi, numbers as numbersApi, type Template, type TemplateCategory, type WhatsAppNumber } from '../../../api';
import { useSession } from '../../../auth/session';
import { Alert } from '../../../components/Alert';
import { Badge, type BadgeTone } from '../../../components/Badge';
import { EmptyState } from '../../../components/EmptyState';
import { SelectField, TextField } from '../../../components/Field';
import { Icon } from '../../../components/Icon';
import { LoadError } from '../../../components/LoadError';
import { Modal } from '../../../components/Modal';
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { describeError, splitApiError } from '../../../lib/errors';
import { formatDate } from '../../../lib/format';
import { formatPhone } from '../../../lib/phone';
import {
  bodyPreview,
  draftComponents,
  nextVariable,
  normaliseTemplateName,
  placeholders,
  positionalProblem,
  TEMPLATE_LANGUAGE,
  TEMPLATE_NAME,
  type TemplateDraft,
} from '../../../lib/templates';
import { useLoader } from '../../../lib/useLoader';
import { hasErrors, type Errors } from '../../../lib/validate';
import { TemplatePreview } from '../inbox/TemplatePicker';

const STATUS_TONES: Record<string, BadgeTone> = {
  APPROVED: 'success',
  PENDING: 'warning',
  IN_APPEAL: 'warning',
  REJECTED: 'danger',
  PAUSED: 'neutral',
  DISABLED: 'neutral',
};

export const CATEGORIES: TemplateCategory[] = ['UTILITY', 'MARKETING', 'AUTHENTICATION'];
export const LANGUAGES = ['en', 'en_US', 'en_GB', 'es', 'es_ES', 'es_MX', 'es_AR', 'pt_BR', 'pt_PT', 'fr', 'de', 'it', 'nl', 'ca'];
const MAX_BUTTONS = 3;

export function TemplateStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  const key = status.toUpperCase();
  return (
    <span data-testid="template-status">
      <Badge tone={STATUS_TONES[key] ?? 'neutral'}>{t(`templates.status.${key}`, { defaultValue: status })}</Badge>
    </span>
  );
}

function numberName(n: WhatsAppNumber, sandboxLabel: string): string {
  const phone = formatPhone(n.display_phone_number);
  return n.sandbox ? `${sandboxLabel} · ${phone}` : n.verified_name ? `${n.verified_name} · ${phone}` : phone;
}

export function TemplatesPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const toast = useToast();
  const manage = can('numbers:manage');
  const numbers = useLoader(() => numbersApi.list());
  const usable = useMemo(
    () => (numbers.data ?? []).filter((n) => n.status !== 'disconnected').sort((a, b) => Number(a.sandbox) - Number(b.sandbox)),
    [numbers.data],
  );
  const [chosen, setChosen] = useState<string | null>(null);
  const numberId = chosen ?? usable[0]?.id ?? null;
  const number = usable.find((n) => n.id === numberId);
  const list = useLoader(() => (numberId ? templatesApi.list({ number_id: numberId }) : Promise.resolve([])), [numberId]);
  const [creating, setCreating] = useState(false);
  const [syncing, setSyncing] = useState(false);
  const items = [...(list.data ?? [])].sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language));

  async function sync() {
    if (!numberId) return;
    setSyncing(true);
    try {
      await templatesApi.sync(numberId);
      toast.success(t('templates.syncStarted'));
      // Meta answers within seconds; show what changed.
      window.setTimeout(() => void list.reload(), 2500);
    } catch (e) {
      toast.error(describeError(t, e));
    } finally {
      setSyncing(false);
    }
  }

  return (
    <div className="page page-wide">
      <PageHeader
        title={t('templates.title')}
        subtitle={t('templates.subtitle')}
        actions={
          manage &&
          numberId && (
            <>
              <button type="button" className="btn btn-secondary" onClick={() => void sync()} disabled={syncing}>
                <Icon name="sync" size={16} />
                {syncing ? t('templates.syncing') : t('templates.sync')}
              </button>
              <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
                <Icon name="plus" size={16} />
                {t('templates.new')}
              </button>
            </>
          )
        }
      />
      {usable.length > 1 && (
        <div className="templates-toolbar">
          <label className="field-label" htmlFor="templates-number">
            {t('templates.number')}
          </label>
          <select id="templates-number" className="input select input-sm" value={numberId ?? ''} onChange={(e) => setChosen(e.target.value)}>
            {usable.map((n) => (
              <option key={n.id} value={n.id}>
                {numberName(n, t('numbers.sandbox'))}
              </option>
            ))}
          </select>
        </div>
      )}
      {number?.sandbox && <p className="form-note templates-note">{t('templates.sandboxNote')}</p>}
      <div className="card">
        {(list.loading || numbers.loading) && !list.data ? (
          <PageLoading label={t('common.loading')} />
        ) : list.error && !list.data ? (
          <LoadError error={list.error} onRetry={list.reload} />
        ) : numbers.error && !numbers.data ? (
          <LoadError error={numbers.error} onRetry={numbers.reload} />
        ) : items.length === 0 ? (
          <EmptyState icon="template">{manage ? t('templates.emptyManage') : t('templates.empty')}</EmptyState>
        ) : (
          <table className="table templates-table">
            <thead>
              <tr>
                <th>{t('templates.colName')}</th>
                <th>{t('templates.colCategory')}</th>
                <th>{t('templates.colStatus')}</th>
                <th>{t('templates.colBody')}</th>
                <th>{t('templates.colUpdated')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((x) => (
                <TemplateRow key={x.id} template={x} />
              ))}
            </tbody>
          </table>
        )}
      </div>
      {!manage && list.data && <p className="form-note numbers-note">{t('templates.readOnly')}</p>}
      {creating && numberId && (
        <TemplateDialog
          numbers={usable}
          numberId={numberId}
          onClose={() => setCreating(false)}
          onCreated={(created, forNumber) => {
            if (forNumber === numberId) list.setData((prev) => [...(prev ?? []).filter((x) => x.id !== created.id), created]);
            else setChosen(forNumber);
            toast.success(t(created.status.toUpperCase() === 'APPROVED' ? 'templates.createdApproved' : 'templates.createdPending', { name: created.name }));
            setCreating(false);
          }}
        />
      )}
    </div>
  );
}

function TemplateRow({ template: x }: { template: Template }) {
  const { t } = useTranslation();
  return (
    <tr data-testid="template-row">
      <td>
        <span className="cell-title">
          <span className="strong mono-ish">{x.name}</span>
        </span>
        <span className="tpl-lang">{x.language}</span>
      </td>
      <td className="muted">{x.category ? t(`templates.category.${x.category}`, { defaultValue: x.category }) : t('common.none')}</td>
      <td>
        <TemplateStatusBadge status={x.status} />
        {x.rejected_reason && x.status.toUpperCase() === 'REJECTED' && (
          <div className="small templates-reason" data-testid="template-rejected-reason">
            {t('templates.rejectedReason', { reason: humanReason(x.rejected_reason) })}
          </div>
        )}
      </td>
      <td className="templates-body">
        <span className="templates-body-text">{bodyPreview(x)}</span>
      </td>
      <td className="muted nowrap">{formatDate(x.updated_at)}</td>
    </tr>
  );
}

/** Meta's reasons come as INVALID_FORMAT, TAG_CONTENT_MISMATCH…: make them readable. */
function humanReason(reason: string): string {
  if (!/^[A-Z_]+$/.test(reason)) return reason;
  const words = reason.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const emptyDraft = (): TemplateDraft & { name: string; language: string; category: TemplateCategory } => ({
  name: '',
  language: 'en',
  category: 'UTILITY',
  header: '',
  body: '',
  footer: '',
  buttons: [],
  headerSamples: {},
  bodySamples: {},
});

function TemplateDialog({
  numbers,
  numberId: initialNumber,
  onClose,
  onCreated,
}: {
  numbers: WhatsAppNumber[];
  numberId: string;
  onClose: () => void;
  onCreated: (t: Template, numberId: string) => void;
}) {
  const { t } = useTranslation();
  const [numberId, setNumberId] = useState(initialNumber);
  const [draft, setDraft] = useState(emptyDraft);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const bodyVars = placeholders(draft.body);
  const headerVars = placeholders(draft.header);
  const set = (k: 'name' | 'language' | 'header' | 'body' | 'footer') => (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => {
    const value = k === 'name' ? normaliseTemplateName(e.target.value) : e.target.value;
    setDraft((d) => ({ ...d, [k]: value }));
  };
  const preview: Template = {
    id: 'preview',
    waba_id: '',
    name: draft.name,
    language: draft.language,
    status: 'PENDING',
    category: draft.category,
    parameter_format: 'positional',
    components: draftComponents(draft),
    variables: { header: headerVars, header_format: draft.header.trim() ? 'TEXT' : null, body: bodyVars, buttons: [] },
    rejected_reason: null,
    updated_at: new Date().toISOString(),
  };

  function validate(): Errors {
    const e: Errors = {};
    if (!draft.name) e.name = t('validation.required');
    else if (!TEMPLATE_NAME.test(draft.name)) e.name = t('templates.nameShape');
    if (!TEMPLATE_LANGUAGE.test(draft.language.trim())) e.language = t('templates.languageShape');
    const header = draft.header.trim();
    if ([...header].length > 60) e.header = t('validation.nameLength', { max: 60 });
    else if (headerVars.length > 1) e.header = t('templates.headerOneVariable');
    else if (header && positionalProblem(header)) e.header = t('templates.variablesOrder', { example: '{{1}}, {{2}}, …' });
    const body = draft.body.trim();
    if (!body) e.body = t('validation.required');
    else if ([...body].length > 1024) e.body = t('validation.nameLength', { max: 1024 });
    else if (positionalProblem(body)) e.body = t('templates.variablesOrder', { example: '{{1}}, {{2}}, …' });
    if ([...draft.footer.trim()].length > 60) e.footer = t('validation.nameLength', { max: 60 });
    draft.buttons.forEach((b, i) => {
      if (!b.trim()) e[`button${i}`] = t('validation.required');
      else if ([...b.trim()].length > 25) e[`button${i}`] = t('validation.nameLength', { max: 25 });
    });
    for (const v of headerVars) if (!draft.headerSamples[v]?.trim()) e[`headerSample${v}`] = t('validation.required');
    for (const v of bodyVars) if (!draft.bodySamples[v]?.trim()) e[`bodySample${v}`] = t('validation.required');
    return e;
  }

  async function submit() {
    setFormError(null);
    const local = validate();
    setErrors(local);
    if (hasErrors(local)) return;
    setBusy(true);
    try {
      const created = await templatesApi.create({
        number_id: numberId,
        name: draft.name,
        language: draft.language.trim(),
        category: draft.category,
        components: draftComponents(draft),
      });
      onCreated(created, numberId);
    } catch (e) {
      if (isApiError(e) && e.code === 'conflict') {
        setErrors({ name: t('templates.exists') });
        setBusy(false);
        return;
      }
      const { form, fields } = splitApiError(t, e, ['name', 'language', 'category', 'components']);
      const { components, ...rest } = fields;
      setErrors(rest);
      setFormError(components ? [components, form].filter((x) => x && x !== t('validation.fixErrors')).join(' ') || components : form);
      setBusy(false);
    }
  }

  return (
    <Modal
      title={t('templates.createTitle')}
      subtitle={t('templates.createSubtitle')}
      onClose={onClose}
      onSubmit={() => void submit()}
      busy={busy}
      size="lg"
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('templates.submitting') : t('templates.submit')}
          </button>
        </>
      }
    >
      <div className="tpl-form">
        <div className="form">
          {formError && <Alert>{formError}</Alert>}
          {numbers.length > 1 && (
            <SelectField label={t('templates.number')} value={numberId} onChange={(e) => setNumberId(e.target.value)}>
              {numbers.map((n) => (
                <option key={n.id} value={n.id}>
                  {numberName(n, t('numbers.sandbox'))}
                </option>
              ))}
            </SelectField>
          )}
          <TextField
            label={t('templates.name')}
            value={draft.name}
            onChange={set('name')}
            error={errors.name}
            hint={t('templates.nameHint')}
            placeholder="order_update"
            autoComplete="off"
            spellCheck={false}
            maxLength={512}
          />
          <div className="form-row">
            <TextField
              label={t('templates.language')}
              value={draft.language}
              onChange={set('language')}
              error={errors.language}
              list="template-languages"
              autoComplete="off"
              spellCheck={false}
            />
            <datalist id="template-languages">
              {LANGUAGES.map((l) => (
                <option key={l} value={l} />
              ))}
            </datalist>
            <SelectField label={t('templates.categoryLabel')} value={draft.category} onChange={(e) => setDraft((d) => ({ ...d, category: e.target.value as TemplateCategory }))} error={errors.category}>
              {CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {t(`templates.category.${c}`)}
                </option>
              ))}
            </SelectField>
          </div>
          <TextField label={t('templates.headerText')} value={draft.header} onChange={set('header')} error={errors.header} hint={t('templates.headerHint')} maxLength={80} />
          {headerVars.map((v) => (
            <TextField
              key={`h${v}`}
              label={t('templates.sampleFor', { name: `{{${v}}}`, place: t('templates.places.header') })}
              value={draft.headerSamples[v] ?? ''}
              onChange={(e) => setDraft((d) => ({ ...d, headerSamples: { ...d.headerSamples, [v]: e.target.value } }))}
              error={errors[`headerSample${v}`]}
            />
          ))}
          <div className={`field${errors.body ? ' field-invalid' : ''}`}>
            <div className="field-label-row">
              <label className="field-label" htmlFor="template-body">
                {t('templates.body')}
              </label>
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                onClick={() => setDraft((d) => ({ ...d, body: `${d.body}${d.body && !/\s$/.test(d.body) ? ' ' : ''}${nextVariable(d.body)}` }))}
              >
                <Icon name="plus" size={14} />
                {t('templates.addVariable')}
              </button>
            </div>
            <textarea
              id="template-body"
              className="input textarea"
              rows={5}
              value={draft.body}
              onChange={set('body')}
              maxLength={1100}
              aria-invalid={errors.body ? true : undefined}
              placeholder={t('templates.bodyPlaceholder', { first: '{{1}}', second: '{{2}}' })}
            />
            {errors.body ? (
              <p className="field-error" role="alert">
                {errors.body}
              </p>
            ) : (
              <p className="field-hint">{t('templates.bodyHint', { example: '{{1}}, {{2}}' })}</p>
            )}
          </div>
          {bodyVars.map((v) => (
            <TextField
              key={`b${v}`}
              label={t('templates.sampleFor', { name: `{{${v}}}`, place: t('templates.places.body') })}
              value={draft.bodySamples[v] ?? ''}
              onChange={(e) => setDraft((d) => ({ ...d, bodySamples: { ...d.bodySamples, [v]: e.target.value } }))}
              error={errors[`bodySample${v}`]}
            />
          ))}
          <TextField label={t('templates.footer')} value={draft.footer} onChange={set('footer')} error={errors.footer} hint={t('templates.footerHint')} maxLength={80} />
          <div className="field">
            <div className="field-label-row">
              <span className="field-label">{t('templates.buttons')}</span>
              {draft.buttons.length < MAX_BUTTONS && (
                <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDraft((d) => ({ ...d, buttons: [...d.buttons, ''] }))}>
                  <Icon name="plus" size={14} />
                  {t('templates.addButton')}
                </button>
              )}
            </div>
            {draft.buttons.length === 0 && <p className="field-hint">{t('templates.buttonsHint')}</p>}
            {draft.buttons.map((b, i) => (
              <div key={i} className="tpl-form-button">
                <input
                  className="input"
                  value={b}
                  aria-label={t('templates.buttonLabel', { n: i + 1 })}
                  aria-invalid={errors[`button${i}`] ? true : undefined}
                  maxLength={40}
                  onChange={(e) => setDraft((d) => ({ ...d, buttons: d.buttons.map((x, j) => (j === i ? e.target.value : x)) }))}
                />
                <button
                  type="button"
                  className="icon-button"
                  aria-label={t('templates.removeButton', { n: i + 1 })}
                  onClick={() => setDraft((d) => ({ ...d, buttons: d.buttons.filter((_, j) => j !== i) }))}
                >
                  <Icon name="trash" size={16} />
                </button>
                {errors[`button${i}`] && (
                  <p className="field-error" role="alert">
                    {errors[`button${i}`]}
                  </p>
                )}
              </div>
            ))}
          </div>
        </div>
        <div className="tpl-form-preview">
          <span className="field-label">{t('templates.preview')}</span>
          <div className="tpl-form-preview-chat">
            <TemplatePreview template={preview} values={{ header: draft.headerSamples, body: draft.bodySamples, buttons: {} }} />
          </div>
        </div>
      </div>
    </Modal>
  );
}
