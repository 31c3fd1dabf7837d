// Conversation workflow (`/settings/workflow`, settings:manage; `GET/PUT /api/v1/settings/workflow`):
// the window warning (the assignee of a conversation whose customer waits for a reply is told that
// many minutes before the 24-hour window closes) and auto-resolve (a conversation we answered and
// the customer left silent that long is resolved by Chorus, after an optional closing message).
// A switched-off setting is saved as null. The server's field errors (422 `error.fields`) show next
// to their fields.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { workflow, type WorkflowSettings } from '../../../api';
import { useSession } from '../../../auth/session';
import { Alert } from '../../../components/Alert';
import { TextField } from '../../../components/Field';
import { Forbidden } from '../../../components/Forbidden';
import { LoadError } from '../../../components/LoadError';
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { splitApiError } from '../../../lib/errors';
import { useLoader } from '../../../lib/useLoader';

const FIELDS = ['window_warning_minutes', 'auto_resolve_after_hours', 'auto_resolve_message'];
export const MESSAGE_MAX = 1024;
const DEFAULT_WARNING_MINUTES = 60;
const DEFAULT_AUTO_RESOLVE_HOURS = 24;

/** Characters as the server counts them (Unicode scalar values), after trimming. */
export function messageLength(text: string): number {
  return Array.from(text.trim()).length;
}

interface Draft {
  warning_enabled: boolean;
  warning_minutes: string;
  auto_enabled: boolean;
  auto_hours: string;
  message: string;
}

function toDraft(s: WorkflowSettings): Draft {
  return {
    warning_enabled: s.window_warning_minutes != null,
    warning_minutes: String(s.window_warning_minutes ?? DEFAULT_WARNING_MINUTES),
    auto_enabled: s.auto_resolve_after_hours != null,
    auto_hours: String(s.auto_resolve_after_hours ?? DEFAULT_AUTO_RESOLVE_HOURS),
    message: s.auto_resolve_message ?? '',
  };
}

/** Switched off: null. Auto-resolve off also drops the closing message (it has no use then). */
export function toBody(d: Draft): WorkflowSettings {
  return {
    window_warning_minutes: d.warning_enabled ? Number(d.warning_minutes) : null,
    auto_resolve_after_hours: d.auto_enabled ? Number(d.auto_hours) : null,
    auto_resolve_message: d.auto_enabled && d.message.trim() ? d.message.trim() : null,
  };
}

function whole(v: string, min: number, max: number): boolean {
  const n = Number(v);
  return v.trim() !== '' && Number.isInteger(n) && n >= min && n <= max;
}

export function WorkflowPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const allowed = can('settings:manage');
  const settings = useLoader(() => (allowed ? workflow.get() : Promise.resolve(null)), [allowed]);

  if (!allowed) return <Forbidden />;
  return (
    <div className="page">
      <PageHeader title={t('workflow.title')} subtitle={t('workflow.subtitle')} />
      {settings.loading && !settings.data ? (
        <div className="card">
          <PageLoading label={t('common.loading')} />
        </div>
      ) : settings.error && !settings.data ? (
        <div className="card">
          <LoadError error={settings.error} onRetry={settings.reload} />
        </div>
      ) : settings.data ? (
        <WorkflowForm settings={settings.data} onSaved={(s) => settings.setData(() => s)} />
      ) : null}
    </div>
  );
}

function WorkflowForm({ settings, onSaved }: { settings: WorkflowSettings; onSaved: (s: WorkflowSettings) => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [draft, setDraft] = useState<Draft>(() => toDraft(settings));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const messageId = useId();
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const length = messageLength(draft.message);
  const over = length > MESSAGE_MAX;

  async function save() {
    const local: Record<string, string> = {};
    if (draft.warning_enabled && !whole(draft.warning_minutes, 5, 720)) local.window_warning_minutes = t('workflow.warningRange');
    if (draft.auto_enabled && !whole(draft.auto_hours, 1, 720)) local.auto_resolve_after_hours = t('workflow.hoursRange');
    if (draft.auto_enabled && over) local.auto_resolve_message = t('workflow.messageTooLong', { max: MESSAGE_MAX });
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const saved = await workflow.save(toBody(draft));
      toast.success(t('workflow.saved'));
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
      className="hours-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      {formError && <Alert>{formError}</Alert>}

      <section className="card hours-section workflow-section" aria-labelledby="workflow-warning" data-testid="workflow-warning">
        <h2 className="section-title" id="workflow-warning">
          {t('workflow.warning')}
        </h2>
        <p className="field-hint">{t('workflow.warningHint')}</p>
        <label className="check">
          <input type="checkbox" checked={draft.warning_enabled} onChange={(e) => set({ warning_enabled: e.target.checked })} />
          <span>{t('workflow.warningOn')}</span>
        </label>
        {draft.warning_enabled && (
          <TextField
            label={t('workflow.warningMinutes')}
            name="window_warning_minutes"
            type="number"
            min={5}
            max={720}
            className="input-narrow"
            value={draft.warning_minutes}
            hint={t('workflow.warningMinutesHint')}
            error={errors.window_warning_minutes}
            onChange={(e) => set({ warning_minutes: e.target.value })}
          />
        )}
        {!draft.warning_enabled && errors.window_warning_minutes && (
          <p className="field-error" role="alert">
            {errors.window_warning_minutes}
          </p>
        )}
      </section>

      <section className="card hours-section workflow-section" aria-labelledby="workflow-auto" data-testid="workflow-auto">
        <h2 className="section-title" id="workflow-auto">
          {t('workflow.autoResolve')}
        </h2>
        <p className="field-hint">{t('workflow.autoResolveHint')}</p>
        <label className="check">
          <input type="checkbox" checked={draft.auto_enabled} onChange={(e) => set({ auto_enabled: e.target.checked })} />
          <span>{t('workflow.autoResolveOn')}</span>
        </label>
        {draft.auto_enabled && (
          <>
            <TextField
              label={t('workflow.autoResolveHours')}
              name="auto_resolve_after_hours"
              type="number"
              min={1}
              max={720}
              className="input-narrow"
              value={draft.auto_hours}
              hint={t('workflow.autoResolveHoursHint')}
              error={errors.auto_resolve_after_hours}
              onChange={(e) => set({ auto_hours: e.target.value })}
            />
            <div className={`field${errors.auto_resolve_message ? ' field-invalid' : ''}`}>
              <div className="field-label-row">
                <label className="field-label" htmlFor={messageId}>
                  {t('workflow.message')}
                </label>
                <span className={`workflow-count${over ? ' workflow-count-over' : ''}`} data-testid="message-count" aria-live="polite">
                  {t('workflow.messageCount', { n: length, max: MESSAGE_MAX })}
                </span>
              </div>
              <textarea
                id={messageId}
                className="input textarea"
                rows={3}
                value={draft.message}
                placeholder={t('workflow.messagePlaceholder')}
                aria-invalid={errors.auto_resolve_message ? true : undefined}
                onChange={(e) => set({ message: e.target.value })}
              />
              {errors.auto_resolve_message ? (
                <p className="field-error" role="alert">
                  {errors.auto_resolve_message}
                </p>
              ) : (
                <p className="field-hint">{t('workflow.messageHint')}</p>
              )}
            </div>
          </>
        )}
        {!draft.auto_enabled && (errors.auto_resolve_after_hours || errors.auto_resolve_message) && (
          <p className="field-error" role="alert">
            {errors.auto_resolve_after_hours || errors.auto_resolve_message}
          </p>
        )}
        <p className="field-hint" data-testid="auto-resolve-note">
          {t('workflow.autoResolveNote')}
        </p>
      </section>

      <div className="hours-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('common.saving') : t('workflow.save')}
        </button>
      </div>
    </form>
  );
}
