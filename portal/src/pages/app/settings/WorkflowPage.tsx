// Conversation workflow (`/settings/workflow`, settings:manage; `GET/PUT /api/v1/settings/workflow`):
// the window warning (the assignee of a conversation whose customer waits for a reply is told that
// many minutes before the 24-hour window closes) and auto-resolve (a conversation we answered and
// the customer left silent that long is resolved by Chorus, after an optional closing message).
// A switched-off setting is saved as null. The server's field errors (422 `error.fields`) show next
// to their fields. Below, the opt-out keywords card (`GET/PUT /api/v1/settings/opt-out-keywords`)
// saves on its own: the list as edited, `null` to restore the defaults, `[]` to turn keyword
// opt-outs off.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isMissingEndpoint, optOutKeywords, workflow, type WorkflowSettings } from '../../../api';
import { useSession } from '../../../auth/session';
import { Alert } from '../../../components/Alert';
import { TextField } from '../../../components/Field';
import { Forbidden } from '../../../components/Forbidden';
import { Icon } from '../../../components/Icon';
import { LoadError } from '../../../components/LoadError';
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { describeError, fieldErrors, splitApiError } from '../../../lib/errors';
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
      <OptOutKeywordsCard />
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

export const DEFAULT_KEYWORDS = ['STOP', 'BAJA', 'CANCELAR', 'UNSUBSCRIBE'];
export const KEYWORDS_MAX = 20;
const KEYWORD_MAX_CHARS = 30;

/** How the server compares keywords: case and accents aside. */
export function foldKeyword(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}

/** Why `word` can't be added to `list` (null when it can), as a translation key and values. */
export function keywordProblem(word: string, list: string[]): { key: string; values?: Record<string, unknown> } | null {
  const chars = Array.from(word).length;
  if (chars < 1 || chars > KEYWORD_MAX_CHARS) return { key: 'workflow.keywords.tooLong' };
  if (!/[\p{L}\p{N}]/u.test(word)) return { key: 'workflow.keywords.needsLetter' };
  if (list.some((w) => foldKeyword(w) === foldKeyword(word))) return { key: 'workflow.keywords.duplicate', values: { word } };
  if (list.length >= KEYWORDS_MAX) return { key: 'workflow.keywords.tooMany', values: { max: KEYWORDS_MAX } };
  return null;
}

/** The opt-out keywords in force, edited as chips and saved separately from the rest of the page. */
export function OptOutKeywordsCard() {
  const { t } = useTranslation();
  const loaded = useLoader(
    () =>
      optOutKeywords.get().catch((e) => {
        // A server without opt-out keywords: leave the card out.
        if (isMissingEndpoint(e)) return null;
        throw e;
      }),
    [],
  );
  if (loaded.data === null) return null;
  return (
    <section className="card hours-section workflow-section" aria-labelledby="workflow-keywords" data-testid="workflow-keywords">
      <h2 className="section-title" id="workflow-keywords">
        {t('workflow.keywords.title')}
      </h2>
      <p className="field-hint">{t('workflow.keywords.hint')}</p>
      {loaded.loading && !loaded.data ? (
        <PageLoading label={t('common.loading')} />
      ) : loaded.error && !loaded.data ? (
        <LoadError error={loaded.error} onRetry={loaded.reload} />
      ) : loaded.data ? (
        <KeywordsEditor saved={loaded.data.keywords} onSaved={(keywords) => loaded.setData(() => ({ keywords }))} />
      ) : null}
    </section>
  );
}

function KeywordsEditor({ saved, onSaved }: { saved: string[]; onSaved: (keywords: string[]) => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const inputId = useId();
  const [words, setWords] = useState<string[]>(saved);
  const [input, setInput] = useState('');
  const [inputError, setInputError] = useState<string | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dirty = words.join('\n') !== saved.join('\n');

  /** Adds the typed word; returns the list to save (null when the word is not valid). */
  function addTyped(): string[] | null {
    const word = input.trim();
    if (!word) return words;
    const problem = keywordProblem(word, words);
    if (problem) {
      setInputError(t(problem.key, problem.values));
      return null;
    }
    const next = [...words, word];
    setWords(next);
    setInput('');
    setInputError(null);
    return next;
  }

  async function put(keywords: string[] | null, done: string) {
    setBusy(true);
    setListError(null);
    setFormError(null);
    try {
      const res = await optOutKeywords.save(keywords);
      setWords(res.keywords);
      setInput('');
      setInputError(null);
      onSaved(res.keywords);
      toast.success(done);
    } catch (e) {
      const fields = fieldErrors(e);
      if (fields.keywords) setListError(fields.keywords);
      else setFormError(describeError(t, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="keywords-editor">
      {formError && <Alert>{formError}</Alert>}
      <div className="field-label">{t('workflow.keywords.list')}</div>
      {words.length === 0 ? (
        <p className="muted small" data-testid="keywords-empty">
          {saved.length === 0 && !dirty ? t('workflow.keywords.off') : t('workflow.keywords.empty')}
        </p>
      ) : (
        <ul className="keyword-chips" aria-label={t('workflow.keywords.list')} data-testid="keyword-chips">
          {words.map((w) => (
            <li key={w} className="chip keyword-chip" data-testid="keyword-chip">
              <span>{w}</span>
              <button
                type="button"
                className="keyword-chip-remove"
                aria-label={t('workflow.keywords.remove', { word: w })}
                title={t('workflow.keywords.remove', { word: w })}
                disabled={busy}
                onClick={() => {
                  setWords((list) => list.filter((x) => x !== w));
                  setListError(null);
                }}
              >
                <Icon name="x" size={12} />
              </button>
            </li>
          ))}
        </ul>
      )}
      {listError && (
        <p className="field-error" role="alert" data-testid="keywords-error">
          {listError}
        </p>
      )}
      <div className={`field${inputError ? ' field-invalid' : ''}`}>
        <label className="field-label" htmlFor={inputId}>
          {t('workflow.keywords.newKeyword')}
        </label>
        <div className="keyword-add-row">
          <input
            id={inputId}
            className="input input-narrow"
            value={input}
            maxLength={60}
            aria-invalid={inputError ? true : undefined}
            onChange={(e) => {
              setInput(e.target.value);
              setInputError(null);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                addTyped();
              }
            }}
          />
          <button type="button" className="btn btn-secondary btn-sm" disabled={busy || !input.trim()} onClick={() => addTyped()}>
            <Icon name="plus" size={14} />
            {t('workflow.keywords.add')}
          </button>
        </div>
        {inputError ? (
          <p className="field-error" role="alert">
            {inputError}
          </p>
        ) : (
          <p className="field-hint">{t('workflow.keywords.newKeywordHint', { max: KEYWORDS_MAX })}</p>
        )}
      </div>
      <p className="field-hint">{t('workflow.keywords.defaults', { list: DEFAULT_KEYWORDS.join(', ') })}</p>
      <div className="hours-actions keyword-actions">
        {dirty && <span className="muted small">{t('workflow.keywords.unsaved')}</span>}
        <button type="button" className="btn btn-ghost btn-sm" disabled={busy} onClick={() => void put(null, t('workflow.keywords.restored'))}>
          {t('workflow.keywords.restore')}
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          disabled={busy || (saved.length === 0 && words.length === 0)}
          onClick={() => void put([], t('workflow.keywords.turnedOff'))}
        >
          {t('workflow.keywords.turnOff')}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy}
          onClick={() => {
            const list = addTyped();
            if (list) void put(list, t('workflow.keywords.saved'));
          }}
        >
          {busy ? t('common.saving') : t('workflow.keywords.save')}
        </button>
      </div>
    </div>
  );
}
