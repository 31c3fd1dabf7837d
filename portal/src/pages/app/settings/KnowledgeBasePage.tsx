// Knowledge base (`/settings/knowledge`): questions and answers the business's bots answer
// customers from (and that feed suggested replies). Anyone who reads conversations may look and
// try a search; settings:manage edits. The "try it" box shows each match's confidence, the same
// number a bot compares with its threshold.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isMissingEndpoint, knowledge, type KbEntry, type KbMatch } from '../../../api';
import { useSession } from '../../../auth/session';
import { Alert } from '../../../components/Alert';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { EmptyState } from '../../../components/EmptyState';
import { TextField } from '../../../components/Field';
import { Icon } from '../../../components/Icon';
import { LoadError } from '../../../components/LoadError';
import { Modal } from '../../../components/Modal';
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { describeError, splitApiError } from '../../../lib/errors';
import { useLoader } from '../../../lib/useLoader';
import { useDocumentTitle } from '../../../lib/useDocumentTitle';

/** "42%" for a confidence of 0.42. */
export function percent(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}

export function KnowledgeBasePage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const toast = useToast();
  useDocumentTitle(t('kb.title'));
  const list = useLoader(() => knowledge.list());
  const [editing, setEditing] = useState<KbEntry | 'new' | null>(null);
  const [deleting, setDeleting] = useState<KbEntry | null>(null);
  const manage = can('settings:manage');
  const missing = isMissingEndpoint(list.error);
  const items = list.data ?? [];

  return (
    <div className="page">
      <PageHeader
        title={t('kb.title')}
        subtitle={t('kb.subtitle')}
        actions={
          manage &&
          !missing && (
            <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
              <Icon name="plus" size={16} />
              {t('kb.new')}
            </button>
          )
        }
      />
      {!missing && <TryIt />}
      <div className="card">
        {list.loading && !list.data ? (
          <PageLoading label={t('common.loading')} />
        ) : missing ? (
          <EmptyState icon="help">{t('kb.unavailable')}</EmptyState>
        ) : list.error && !list.data ? (
          <LoadError error={list.error} onRetry={list.reload} />
        ) : items.length === 0 ? (
          <EmptyState icon="help">{t('kb.empty')}</EmptyState>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>{t('kb.colQuestion')}</th>
                <th>{t('kb.colAnswer')}</th>
                <th className="col-actions">
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id} data-testid="kb-row">
                  <td>
                    <div className="canned-title">{e.question}</div>
                    {e.keywords.length > 0 && <div className="muted">{e.keywords.join(', ')}</div>}
                  </td>
                  <td className="canned-body">{e.answer}</td>
                  <td className="col-actions">
                    {manage && (
                      <>
                        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditing(e)} aria-label={`${t('kb.edit')}: ${e.question}`}>
                          <Icon name="pencil" size={15} />
                          {t('kb.edit')}
                        </button>
                        <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setDeleting(e)} aria-label={`${t('kb.delete')}: ${e.question}`}>
                          <Icon name="trash" size={15} />
                          {t('kb.delete')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {editing && (
        <EntryDialog
          item={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(saved, created) => {
            list.setData((prev) => (created ? [...(prev ?? []), saved] : (prev ?? []).map((x) => (x.id === saved.id ? saved : x))));
            toast.success(t(created ? 'kb.created' : 'kb.updated'));
            setEditing(null);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={t('kb.confirmDeleteTitle')}
          body={t('kb.confirmDeleteBody', { question: deleting.question })}
          confirmLabel={t('common.delete')}
          busyLabel={t('common.deleting')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await knowledge.remove(deleting.id);
            list.setData((prev) => (prev ?? []).filter((x) => x.id !== deleting.id));
            toast.success(t('kb.deleted'));
          }}
        />
      )}
    </div>
  );
}

/** Type what a customer might write; see which entries match and how confidently. */
function TryIt() {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [matches, setMatches] = useState<KbMatch[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run() {
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      setMatches(await knowledge.search(text.trim()));
    } catch (e) {
      setError(describeError(t, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="card card-pad form"
      onSubmit={(e) => {
        e.preventDefault();
        void run();
      }}
    >
      <TextField label={t('kb.tryLabel')} name="try" value={text} maxLength={500} placeholder={t('kb.tryPlaceholder')} hint={t('kb.tryHint')} onChange={(e) => setText(e.target.value)} />
      <div>
        <button type="submit" className="btn btn-secondary" disabled={busy || !text.trim()}>
          {busy ? t('kb.searching') : t('kb.search')}
        </button>
      </div>
      {error && <Alert>{error}</Alert>}
      {matches && matches.length === 0 && <p className="muted">{t('kb.noMatch')}</p>}
      {matches && matches.length > 0 && (
        <ol className="kb-matches">
          {matches.map((m) => (
            <li key={m.entry.id} data-testid="kb-match">
              <strong>{m.entry.question}</strong> <span className="muted">{t('kb.confidence', { value: percent(m.confidence) })}</span>
              <div>{m.entry.answer}</div>
            </li>
          ))}
        </ol>
      )}
    </form>
  );
}

function EntryDialog({ item, onClose, onSaved }: { item: KbEntry | null; onClose: () => void; onSaved: (e: KbEntry, created: boolean) => void }) {
  const { t } = useTranslation();
  const answerId = useId();
  const [question, setQuestion] = useState(item?.question ?? '');
  const [answer, setAnswer] = useState(item?.answer ?? '');
  const [keywords, setKeywords] = useState(item?.keywords.join(', ') ?? '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit() {
    setFormError(null);
    const local: Record<string, string> = {};
    if (!question.trim()) local.question = t('validation.required');
    if (!answer.trim()) local.answer = t('validation.required');
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const input = {
        question: question.trim(),
        answer: answer.trim(),
        keywords: keywords
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean),
      };
      const saved = item ? await knowledge.update(item.id, input) : await knowledge.create(input);
      onSaved(saved, !item);
    } catch (e) {
      const { form, fields } = splitApiError(t, e, ['question', 'answer', 'keywords']);
      setErrors(fields);
      setFormError(form);
      setBusy(false);
    }
  }

  return (
    <Modal
      title={item ? t('kb.editTitle') : t('kb.createTitle')}
      onClose={onClose}
      onSubmit={submit}
      busy={busy}
      footer={
        <>
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? t('common.saving') : item ? t('common.save') : t('common.create')}
          </button>
        </>
      }
    >
      <div className="form">
        {formError && <Alert>{formError}</Alert>}
        <TextField label={t('kb.question')} name="question" value={question} maxLength={500} onChange={(e) => setQuestion(e.target.value)} error={errors.question} />
        <div className="field">
          <label className="field-label" htmlFor={answerId}>
            {t('kb.answer')}
          </label>
          <textarea id={answerId} className="input textarea" rows={5} value={answer} maxLength={4096} onChange={(e) => setAnswer(e.target.value)} aria-invalid={Boolean(errors.answer)} />
          {errors.answer && (
            <p className="field-error" role="alert">
              {errors.answer}
            </p>
          )}
        </div>
        <TextField label={t('kb.keywords')} name="keywords" value={keywords} hint={t('kb.keywordsHint')} onChange={(e) => setKeywords(e.target.value)} error={errors.keywords} />
      </div>
    </Modal>
  );
}
