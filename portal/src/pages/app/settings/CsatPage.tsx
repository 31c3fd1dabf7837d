// Satisfaction surveys (`/settings/csat`, settings:manage; `GET/PUT /api/v1/settings/csat`): when on,
// resolving a conversation asks the customer for a 1-5 rating: a list inside the 24-hour window,
// the chosen approved template outside it (none: no survey then). An empty question is saved as
// null (the default question in the business's language). The server's 422 field errors show at
// their fields.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { templates as templatesApi, type Template } from '../../../api';
import { csat, type CsatSettings } from '../../../api/supervision';
import { useSession } from '../../../auth/session';
import { Alert } from '../../../components/Alert';
import { SelectField } from '../../../components/Field';
import { Forbidden } from '../../../components/Forbidden';
import { LoadError } from '../../../components/LoadError';
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { splitApiError } from '../../../lib/errors';
import { useLoader } from '../../../lib/useLoader';
import { messageLength } from './WorkflowPage';
import '../../../supervision.css';

const FIELDS = ['enabled', 'question', 'template_id'];
export const QUESTION_MAX = 1024;

interface Draft {
  enabled: boolean;
  question: string;
  template_id: string;
}

function toDraft(s: CsatSettings): Draft {
  return { enabled: s.enabled, question: s.question ?? '', template_id: s.template_id ?? '' };
}

export function toBody(d: Draft): CsatSettings {
  return { enabled: d.enabled, question: d.question.trim() ? d.question.trim() : null, template_id: d.template_id || null };
}

function templateLabel(t: Template): string {
  return [t.name, t.language, t.category?.toLowerCase()].filter(Boolean).join(' · ');
}

export function CsatPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const allowed = can('settings:manage');
  const settings = useLoader(() => (allowed ? csat.get() : Promise.resolve(null)), [allowed]);
  const approved = useLoader(() => (allowed ? templatesApi.list({ status: 'APPROVED' }).catch(() => [] as Template[]) : Promise.resolve([] as Template[])), [allowed]);

  if (!allowed) return <Forbidden />;
  return (
    <div className="page">
      <PageHeader title={t('csat.title')} subtitle={t('csat.subtitle')} />
      {settings.loading && !settings.data ? (
        <div className="card">
          <PageLoading label={t('common.loading')} />
        </div>
      ) : settings.error && !settings.data ? (
        <div className="card">
          <LoadError error={settings.error} onRetry={settings.reload} />
        </div>
      ) : settings.data ? (
        <CsatForm settings={settings.data} templates={(approved.data ?? []).filter((x) => x.status === 'APPROVED')} onSaved={(s) => settings.setData(() => s)} />
      ) : null}
    </div>
  );
}

function CsatForm({ settings, templates, onSaved }: { settings: CsatSettings; templates: Template[]; onSaved: (s: CsatSettings) => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [draft, setDraft] = useState<Draft>(() => toDraft(settings));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const questionId = useId();
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const length = messageLength(draft.question);
  const over = length > QUESTION_MAX;
  // A saved template that is no longer approved still shows, so saving does not drop it silently.
  const options = draft.template_id && !templates.some((x) => x.id === draft.template_id) ? [...templates, { id: draft.template_id, name: draft.template_id } as Template] : templates;

  async function save() {
    const local: Record<string, string> = {};
    if (over) local.question = t('csat.questionTooLong', { max: QUESTION_MAX });
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const saved = await csat.save(toBody(draft));
      toast.success(t('csat.saved'));
      setDraft(toDraft(saved));
      onSaved(saved);
    } catch (e) {
      const { form, fields } = splitApiError(t, e, FIELDS);
      setErrors(fields);
      setFormError(form);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="hours-form csat-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {formError && <Alert>{formError}</Alert>}
      <section className="card hours-section workflow-section" data-testid="csat-settings">
        <label className="check">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
          <span>{t('csat.enabled')}</span>
        </label>
        <p className="field-hint">{t('csat.enabledHint')}</p>
        {errors.enabled && (
          <p className="field-error" role="alert">
            {errors.enabled}
          </p>
        )}

        <div className={`field${errors.question ? ' field-invalid' : ''}`}>
          <div className="field-label-row">
            <label className="field-label" htmlFor={questionId}>
              {t('csat.question')}
            </label>
            <span className={`workflow-count${over ? ' workflow-count-over' : ''}`} data-testid="question-count" aria-live="polite">
              {t('workflow.messageCount', { n: length, max: QUESTION_MAX })}
            </span>
          </div>
          <textarea
            id={questionId}
            className="input textarea"
            rows={2}
            value={draft.question}
            placeholder={t('csat.questionPlaceholder')}
            aria-invalid={errors.question ? true : undefined}
            aria-describedby={`${questionId}-note`}
            onChange={(e) => set({ question: e.target.value })}
          />
          {errors.question ? (
            <p className="field-error" role="alert" id={`${questionId}-note`}>
              {errors.question}
            </p>
          ) : (
            <p className="field-hint" id={`${questionId}-note`}>
              {t('csat.questionHint')}
            </p>
          )}
        </div>

        <SelectField
          label={t('csat.template')}
          value={draft.template_id}
          error={errors.template_id}
          hint={t('csat.templateHint')}
          onChange={(e) => set({ template_id: e.target.value })}
        >
          <option value="">{t('csat.noTemplate')}</option>
          {options.map((x) => (
            <option key={x.id} value={x.id}>
              {templateLabel(x)}
            </option>
          ))}
        </SelectField>
        {templates.length === 0 && <p className="muted small">{t('csat.noApproved')}</p>}
      </section>
      <div className="hours-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : t('csat.save')}
        </button>
      </div>
    </form>
  );
}
