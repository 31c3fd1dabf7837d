// Operator · Failed jobs (`/operator/jobs`; `GET /api/v1/operator/jobs?job_type=`,
// `POST /api/v1/operator/jobs/{id}/retry`): the dead background jobs of every business, newest
// first, with their last error, and a Retry per row. Only platform operators may call these
// endpoints and the portal has no flag for them, so the page simply asks and shows a clear
// "platform operators only" state on 403.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError, operator, type FailedJob, type FailedJobList } from '../../../api';
import { EmptyState } from '../../../components/EmptyState';
import { LoadError } from '../../../components/LoadError';
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { describeError } from '../../../lib/errors';
import { fullDateTime } from '../../../lib/time';
import { useLoader } from '../../../lib/useLoader';

/** The first block of a UUID, enough to tell businesses and jobs apart at a glance. */
export function shortId(id: string): string {
  return id.split('-')[0] || id;
}

export function FailedJobsPage() {
  const { t } = useTranslation();
  const toast = useToast();
  const [typeInput, setTypeInput] = useState('');
  const [jobType, setJobType] = useState('');
  const [pending, setPending] = useState<Set<string>>(new Set());
  const list = useLoader<FailedJobList>(() => operator.jobs({ job_type: jobType || undefined }), [jobType]);
  const forbidden = isApiError(list.error) && list.error.status === 403;

  async function retry(job: FailedJob) {
    setPending((s) => new Set(s).add(job.id));
    const drop = () =>
      list.setData((prev) => (prev ? { items: prev.items.filter((j) => j.id !== job.id), total: Math.max(0, prev.total - 1) } : prev));
    try {
      await operator.retry(job.id);
      drop();
      toast.success(t('operator.retried', { id: shortId(job.id) }));
    } catch (e) {
      if (isApiError(e) && e.status === 404) {
        drop();
        toast.error(t('operator.notDead'));
      } else {
        toast.error(describeError(t, e));
      }
    } finally {
      setPending((s) => {
        const next = new Set(s);
        next.delete(job.id);
        return next;
      });
    }
  }

  if (forbidden) {
    return (
      <div className="page">
        <PageHeader title={t('operator.title')} />
        <div className="card" data-testid="operator-forbidden">
          <EmptyState icon="lock" title={t('operator.forbiddenTitle')}>
            {t('operator.forbiddenBody')}
          </EmptyState>
        </div>
      </div>
    );
  }

  const data = list.data;
  return (
    <div className="page">
      <PageHeader title={t('operator.title')} subtitle={t('operator.subtitle')} />
      <form
        className="operator-filter"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setJobType(typeInput.trim());
        }}
      >
        <label className="field-label" htmlFor="operator-job-type">
          {t('operator.jobType')}
        </label>
        <input
          id="operator-job-type"
          className="input input-sm"
          value={typeInput}
          placeholder={t('operator.jobTypePlaceholder')}
          onChange={(e) => setTypeInput(e.target.value)}
        />
        <button type="submit" className="btn btn-secondary btn-sm">
          {t('operator.filter')}
        </button>
        {jobType && (
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => {
              setTypeInput('');
              setJobType('');
            }}
          >
            {t('operator.clear')}
          </button>
        )}
        {data && (
          <span className="muted small operator-total" data-testid="operator-total" aria-live="polite">
            {t('operator.total', { count: data.total })}
            {data.total > data.items.length ? ` · ${t('operator.shown', { shown: data.items.length })}` : ''}
          </span>
        )}
      </form>
      <div className="card">
        {list.loading && !data ? (
          <PageLoading label={t('common.loading')} />
        ) : list.error && !data ? (
          <LoadError error={list.error} onRetry={list.reload} />
        ) : data && data.items.length === 0 ? (
          <EmptyState icon="checkCircle">{jobType ? t('operator.emptyFiltered') : t('operator.empty')}</EmptyState>
        ) : data ? (
          <table className="table operator-table">
            <thead>
              <tr>
                <th>{t('operator.colType')}</th>
                <th>{t('operator.colBusiness')}</th>
                <th>{t('operator.colAttempts')}</th>
                <th>{t('operator.colError')}</th>
                <th>{t('operator.colTimes')}</th>
                <th className="col-actions">
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((job) => (
                <tr key={job.id} data-testid="job-row">
                  <td>
                    <span className="strong">{job.job_type}</span>
                    <div className="muted small mono" title={job.id}>
                      {shortId(job.id)}
                    </div>
                  </td>
                  <td>
                    {job.tenant_id ? (
                      <span className="mono" title={job.tenant_id} data-testid="job-business">
                        {shortId(job.tenant_id)}
                      </span>
                    ) : (
                      <span className="muted">{t('operator.platformJob')}</span>
                    )}
                  </td>
                  <td>{t('operator.attempts', { attempts: job.attempts, max: job.max_attempts })}</td>
                  <td>
                    {job.last_error ? (
                      <code className="operator-error" data-testid="job-error">
                        {job.last_error}
                      </code>
                    ) : (
                      <span className="muted">{t('operator.noError')}</span>
                    )}
                  </td>
                  <td className="small">
                    <div>{t('operator.created', { time: fullDateTime(job.created_at) })}</div>
                    <div className="muted">{t('operator.runAt', { time: fullDateTime(job.run_at) })}</div>
                  </td>
                  <td className="col-actions">
                    <button
                      type="button"
                      className="btn btn-secondary btn-sm"
                      disabled={pending.has(job.id)}
                      aria-label={t('operator.retryJob', { type: job.job_type, id: shortId(job.id) })}
                      onClick={() => void retry(job)}
                    >
                      <span aria-hidden="true">{t('operator.retry')}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>
    </div>
  );
}
