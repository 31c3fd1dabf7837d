// Reports (`/reports`, reports:view): the KPIs of a date range for supervisors, from
// `GET /reports/overview`. Filters (kept in the page's URL): a date range (today, the last 7, 30
// or 90 days ending today in the business's time zone, or custom from/to), a number, a team and
// an agent (lists from /numbers, /teams and /agents, falling back to /mentionables). KPI cards,
// daily charts, a weekday × hour heatmap and a sortable per-agent table; a toggle switches the
// duration figures between calendar time and business hours. "Download CSV" fetches
// `GET /reports/overview.csv` with the bearer token and saves the blob. The figures lag the inbox
// by up to 30 s ("Updated … ago" from `rolled_up_at`), so the page refreshes itself every 30 s.
// Medians and p90s are histogram estimates (shown with "≈"). A bad range (422 with `fields.from`
// / `fields.to`) shows at the date fields.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import {
  agents as agentsApi,
  isApiError,
  mentionables as mentionablesApi,
  numbers as numbersApi,
  reportQuery,
  reports as reportsApi,
  teams as teamsApi,
  type DurationStats,
  type Report,
  type ReportQuery,
} from '../../../api';
import { useSession } from '../../../auth/session';
import { Alert } from '../../../components/Alert';
import { EmptyState } from '../../../components/EmptyState';
import { SelectField, TextField } from '../../../components/Field';
import { Forbidden } from '../../../components/Forbidden';
import { Icon } from '../../../components/Icon';
import { LoadError } from '../../../components/LoadError';
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading, Spinner } from '../../../components/Spinner';
import { useToast } from '../../../components/Toasts';
import { describeError } from '../../../lib/errors';
import { formatPhone } from '../../../lib/phone';
import {
  PRESETS,
  formatDuration,
  formatEstimate,
  formatNumber,
  formatPercent,
  hasActivity,
  isPreset,
  isSingle,
  longDay,
  medianOf,
  pick,
  presetRange,
  relativeTime,
  sortAgents,
  type AgentSort,
  type AgentSortKey,
  type Preset,
  type TimeBasis,
} from '../../../lib/reports';
import { useLoader } from '../../../lib/useLoader';
import { DailyCharts, Heatmap } from './ReportCharts';
import './reports.css';

/** How often the page fetches the figures again (the server rolls up every 30 s). */
export const REFRESH_MS = 30_000;

interface Choice {
  id: string;
  name: string;
}

export function ReportsPage() {
  const { can } = useSession();
  if (!can('reports:view')) return <Forbidden />;
  return <Reports />;
}

/** Numbers, teams and agents for the filters; each list is optional (empty when not allowed). */
async function loadChoices(sandboxLabel: string) {
  const [numbers, teams, agents] = await Promise.all([
    numbersApi.list().catch(() => []),
    teamsApi.list().catch(() => []),
    agentsApi
      .list()
      .then((list) => list.map((a) => ({ id: a.id, name: a.name })))
      .catch(() =>
        mentionablesApi
          .list()
          .then((m) => m.agents)
          .catch(() => [] as Choice[]),
      ),
  ]);
  const byName = (a: Choice, b: Choice) => a.name.localeCompare(b.name);
  return {
    numbers: numbers.map((n) => {
      const phone = formatPhone(n.display_phone_number);
      return { id: n.id, name: n.sandbox ? `${sandboxLabel} · ${phone}` : n.verified_name ? `${n.verified_name} · ${phone}` : phone };
    }),
    teams: teams.map((x) => ({ id: x.id, name: x.name })).sort(byName),
    agents: [...agents].sort(byName),
  };
}

function saveFile(blob: Blob, name: string) {
  if (typeof URL.createObjectURL !== 'function') return;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Reports() {
  const { t } = useTranslation();
  const { me } = useSession();
  const toast = useToast();
  const zone = me?.tenant.time_zone;
  const [params, setParams] = useSearchParams();
  const preset: Preset = isPreset(params.get('range')) ? (params.get('range') as Preset) : '7d';
  const basis: TimeBasis = params.get('time') === 'business' ? 'business_hours' : 'calendar';
  const fallback = presetRange(preset === 'custom' ? '7d' : preset, zone);
  const from = preset === 'custom' ? (params.get('from') ?? fallback.from) : fallback.from;
  const to = preset === 'custom' ? (params.get('to') ?? fallback.to) : fallback.to;
  const query: ReportQuery = {
    from,
    to,
    number_id: params.get('number') ?? undefined,
    team_id: params.get('team') ?? undefined,
    agent_id: params.get('agent') ?? undefined,
  };
  const key = reportQuery(query).toString();
  const missing = { from: from ? undefined : t('validation.required'), to: to ? undefined : t('validation.required') };
  const valid = !missing.from && !missing.to;

  const report = useLoader(async () => (valid ? { key, report: await reportsApi.overview(query) } : null), [key, valid]);
  const choices = useLoader(() => loadChoices(t('reports.sandbox')), []);
  const [downloading, setDownloading] = useState(false);
  const [now, setNow] = useState(() => Date.now());

  // The figures lag the inbox by up to 30 s: fetch them again every 30 s while the tab is seen,
  // and keep "Updated … ago" current.
  const reload = report.reload;
  useEffect(() => {
    const tick = window.setInterval(() => setNow(Date.now()), 10_000);
    const refresh = window.setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') void reload();
    }, REFRESH_MS);
    return () => {
      window.clearInterval(tick);
      window.clearInterval(refresh);
    };
  }, [reload]);
  useEffect(() => setNow(Date.now()), [report.data]);

  function update(changes: Record<string, string | null>) {
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes)) {
          // An emptied date stays empty (and is flagged) instead of jumping back to a default.
          if (v === null || (v === '' && k !== 'from' && k !== 'to')) next.delete(k);
          else next.set(k, v);
        }
        return next;
      },
      { replace: true },
    );
  }

  function choosePreset(value: string) {
    if (value === 'custom') update({ range: 'custom', from, to });
    else update({ range: value === '7d' ? null : value, from: null, to: null });
  }

  async function downloadCsv() {
    setDownloading(true);
    try {
      const file = await reportsApi.csv(query);
      saveFile(file.blob, file.filename ?? `chorus-report-${from}-${to}.csv`);
      toast.success(t('reports.downloaded'));
    } catch (e) {
      toast.error(`${t('reports.downloadFailed')} ${describeError(t, e)}`);
    } finally {
      setDownloading(false);
    }
  }

  const error = report.error;
  const rangeError = isApiError(error) && error.status === 422;
  const fieldError = {
    from: missing.from ?? (rangeError ? error.fields.from : undefined),
    to: missing.to ?? (rangeError ? error.fields.to : undefined),
  };
  const current = report.data && report.data.key === key ? report.data.report : null;
  const shown = report.data?.report ?? null;
  const list = choices.data;
  // Agents of the report that the lists do not name (e.g. deactivated people) can still be picked.
  const agentChoices = useMemo(() => {
    const known = list?.agents ?? [];
    const extra = (shown?.agents ?? []).filter((a) => !known.some((k) => k.id === a.agent_id)).map((a) => ({ id: a.agent_id, name: a.name }));
    return [...known, ...extra];
  }, [list, shown]);
  const updated = relativeTime(t, shown?.rolled_up_at, now);

  let body: ReactNode;
  if (!valid || rangeError) {
    body = (
      <Alert tone="info">
        {t('reports.invalidRange')}
        {rangeError && !error.fields.from && !error.fields.to ? ` ${describeError(t, error)}` : ''}
      </Alert>
    );
  } else if (error && !shown) {
    body = (
      <div className="card">
        <LoadError error={error} onRetry={() => void report.reload()} />
      </div>
    );
  } else if (!shown) {
    body = <PageLoading label={t('reports.loading')} />;
  } else {
    body = (
      <>
        {error !== null && error !== undefined && <Alert>{`${t('reports.refreshFailed')} ${describeError(t, error)}`}</Alert>}
        <ReportView report={shown} basis={basis} stale={!current} />
      </>
    );
  }

  return (
    <div className="page page-wide reports-page">
      <PageHeader
        title={t('reports.title')}
        subtitle={t('reports.subtitle')}
        actions={
          <>
            <button type="button" className="btn btn-secondary" onClick={() => void report.reload()} disabled={!valid || report.loading}>
              <Icon name="refresh" size={16} />
              {t('reports.refresh')}
            </button>
            <button type="button" className="btn btn-primary" onClick={downloadCsv} disabled={!valid || downloading}>
              <Icon name="download" size={16} />
              {downloading ? t('reports.downloading') : t('reports.downloadCsv')}
            </button>
          </>
        }
      />

      <div className="card report-filters" role="group" aria-label={t('reports.filters')}>
        <SelectField label={t('reports.range')} value={preset} onChange={(e) => choosePreset(e.target.value)}>
          {PRESETS.map((p) => (
            <option key={p} value={p}>
              {t(`reports.presets.${p}`)}
            </option>
          ))}
        </SelectField>
        {preset === 'custom' && (
          <>
            <TextField
              type="date"
              label={t('reports.from')}
              value={from}
              max={to || undefined}
              error={fieldError.from}
              onChange={(e) => update({ from: e.target.value })}
            />
            <TextField
              type="date"
              label={t('reports.to')}
              value={to}
              min={from || undefined}
              error={fieldError.to}
              onChange={(e) => update({ to: e.target.value })}
            />
          </>
        )}
        <SelectField label={t('reports.number')} value={query.number_id ?? ''} onChange={(e) => update({ number: e.target.value })}>
          <option value="">{t('reports.allNumbers')}</option>
          {(list?.numbers ?? []).map((n) => (
            <option key={n.id} value={n.id}>
              {n.name}
            </option>
          ))}
        </SelectField>
        <SelectField label={t('reports.team')} value={query.team_id ?? ''} onChange={(e) => update({ team: e.target.value })}>
          <option value="">{t('reports.allTeams')}</option>
          {(list?.teams ?? []).map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </SelectField>
        <SelectField label={t('reports.agent')} value={query.agent_id ?? ''} onChange={(e) => update({ agent: e.target.value })}>
          <option value="">{t('reports.allAgents')}</option>
          {agentChoices.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </SelectField>
      </div>

      <div className="report-meta">
        <div className="report-meta-text">
          {preset !== 'custom' && valid && (
            <span className="report-meta-range" data-testid="report-range">
              {from === to ? longDay(from) : t('reports.rangeText', { from: longDay(from), to: longDay(to) })}
            </span>
          )}
          <span className="muted" data-testid="report-updated" title={t('reports.lagHint')}>
            {shown ? (updated ? t('reports.updated', { time: updated }) : t('reports.notRolledUp')) : '\u00a0'}
          </span>
          {report.loading && shown && <Spinner size="sm" label={t('reports.refreshing')} />}
        </div>
        <div className="report-basis">
          <span className="report-basis-label" id="report-basis-label">
            {t('reports.basis')}
          </span>
          <div className="segmented report-segmented" role="group" aria-labelledby="report-basis-label">
            {(['calendar', 'business_hours'] as const).map((b) => (
              <button
                key={b}
                type="button"
                aria-pressed={basis === b}
                className={`segmented-item${basis === b ? ' segmented-item-active' : ''}`}
                title={b === 'calendar' ? t('reports.calendarHint') : t('reports.businessHoursHint')}
                onClick={() => update({ time: b === 'calendar' ? null : 'business' })}
              >
                {b === 'calendar' ? t('reports.calendar') : t('reports.businessHours')}
              </button>
            ))}
          </div>
        </div>
      </div>

      {body}
    </div>
  );
}

/** "≈": the figure is read from a histogram. */
function Approx() {
  const { t } = useTranslation();
  return (
    <span className="approx" title={t('reports.approxHint')} aria-label={t('reports.approx')}>
      ≈
    </span>
  );
}

function Kpi({ label, value, unit, detail, testId }: { label: string; value: ReactNode; unit?: string; detail?: ReactNode; testId: string }) {
  return (
    <div className="card kpi" data-testid={testId}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-figure">
        <span className="kpi-value" data-testid={`${testId}-value`}>
          {value}
        </span>
        {unit && <span className="kpi-unit">{unit}</span>}
      </div>
      {detail && <div className="kpi-detail">{detail}</div>}
    </div>
  );
}

/** A median or p90: "≈4 min", "< 10 s" in the first bucket, or exact for a single duration. */
function Estimate({ secs, exact, mark = true }: { secs: number | null; exact: boolean; mark?: boolean }) {
  const { t } = useTranslation();
  const e = formatEstimate(t, secs, exact);
  return (
    <>
      {e.approx && mark && <Approx />}
      {e.text}
    </>
  );
}

function DurationKpi({ label, stats, basis, testId }: { label: string; stats: DurationStats; basis: TimeBasis; testId: string }) {
  const { t } = useTranslation();
  const s = pick(stats, basis);
  if (stats.count === 0 || s.median_secs === null) {
    return <Kpi label={label} testId={testId} value={t('common.none')} detail={t('reports.noDurations')} />;
  }
  const exact = isSingle(stats, basis);
  return (
    <Kpi
      label={label}
      testId={testId}
      value={<Estimate secs={medianOf(stats, basis)} exact={exact} />}
      unit={t('reports.median')}
      detail={
        <>
          <span className="kpi-detail-line" data-testid={`${testId}-mean`}>
            {t('reports.mean', { value: formatDuration(t, s.mean_secs) })}
          </span>
          <span className="kpi-detail-line" data-testid={`${testId}-p90`}>
            {t('reports.p90')} <Estimate secs={exact ? s.mean_secs : s.p90_secs} exact={exact} />
          </span>
          <span className="kpi-detail-line">{t('reports.fromConversations', { count: stats.count })}</span>
        </>
      }
    />
  );
}

function ReportView({ report, basis, stale }: { report: Report; basis: TimeBasis; stale: boolean }) {
  const { t } = useTranslation();
  const x = report.totals;
  if (!hasActivity(report)) {
    return (
      <div className={`card${stale ? ' report-stale' : ''}`} data-testid="report-empty">
        <EmptyState icon="chart" title={t('reports.emptyTitle')}>
          {t('reports.emptyBody', { from: longDay(report.from), to: longDay(report.to) })}
          {report.open_now > 0 && <p className="report-empty-open">{t('reports.emptyOpen', { count: report.open_now })}</p>}
        </EmptyState>
      </div>
    );
  }
  return (
    <div className={`report${stale ? ' report-stale' : ''}`} aria-busy={stale || undefined} data-testid="report">
      <div className="kpis">
        <Kpi label={t('reports.cards.opened')} testId="kpi-opened" value={formatNumber(x.opened)} />
        <Kpi label={t('reports.cards.resolved')} testId="kpi-resolved" value={formatNumber(x.resolved)} />
        <Kpi label={t('reports.cards.reopened')} testId="kpi-reopened" value={formatNumber(x.reopened)} />
        <Kpi label={t('reports.cards.openNow')} testId="kpi-open-now" value={formatNumber(report.open_now)} detail={t('reports.openNowHint')} />
        <Kpi label={t('reports.cards.messagesIn')} testId="kpi-messages-in" value={formatNumber(x.messages_in)} />
        <Kpi label={t('reports.cards.messagesOut')} testId="kpi-messages-out" value={formatNumber(x.messages_out)} />
        <DurationKpi label={t('reports.cards.firstResponse')} stats={x.first_response} basis={basis} testId="kpi-first-response" />
        <DurationKpi label={t('reports.cards.resolution')} stats={x.resolution} basis={basis} testId="kpi-resolution" />
        <Kpi
          label={t('reports.cards.bot')}
          testId="kpi-bot"
          value={formatPercent(t, x.bot_containment_rate)}
          detail={x.bot_handled ? t('reports.botDetail', { contained: formatNumber(x.bot_contained), handled: formatNumber(x.bot_handled) }) : t('reports.noBot')}
        />
        <Kpi
          label={t('reports.cards.sla')}
          testId="kpi-sla"
          value={formatPercent(t, x.sla_compliance)}
          detail={x.sla_met + x.sla_breached ? t('reports.slaDetail', { met: formatNumber(x.sla_met), breached: formatNumber(x.sla_breached) }) : t('reports.noSla')}
        />
      </div>
      <p className="report-footnote">
        <Icon name="info" size={14} />
        <span>
          {t('reports.approxNote')} {basis === 'business_hours' ? t('reports.businessHoursHint') : t('reports.calendarHint')}
        </span>
      </p>

      <DailyCharts days={report.days} />
      <Heatmap cells={report.heatmap} timeZone={report.time_zone} />
      <AgentTable report={report} basis={basis} />
    </div>
  );
}

const COLUMNS: { key: AgentSortKey; label: string; numeric: boolean; approx?: boolean }[] = [
  { key: 'name', label: 'reports.agents.name', numeric: false },
  { key: 'resolved', label: 'reports.agents.resolved', numeric: true },
  { key: 'messages_out', label: 'reports.agents.messagesOut', numeric: true },
  { key: 'first_response', label: 'reports.agents.firstResponse', numeric: true, approx: true },
  { key: 'resolution', label: 'reports.agents.resolution', numeric: true, approx: true },
];

function AgentTable({ report, basis }: { report: Report; basis: TimeBasis }) {
  const { t } = useTranslation();
  const [sort, setSort] = useState<AgentSort>({ key: 'resolved', dir: 'desc' });
  const rows = sortAgents(report.agents, sort, basis);
  function toggle(key: AgentSortKey) {
    setSort((prev) => (prev.key === key ? { key, dir: prev.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'name' ? 'asc' : 'desc' }));
  }
  return (
    <section className="card report-agents" aria-label={t('reports.agents.title')}>
      <div className="report-chart-head">
        <h2 className="report-chart-title">{t('reports.agents.title')}</h2>
        <p className="report-chart-hint">{basis === 'business_hours' ? t('reports.agents.subtitleBusiness') : t('reports.agents.subtitle')}</p>
      </div>
      {rows.length === 0 ? (
        <p className="report-chart-empty">{t('reports.agents.empty')}</p>
      ) : (
        <div className="report-table-scroll">
          <table className="table report-table" data-testid="agent-table">
            <thead>
              <tr>
                {COLUMNS.map((c) => {
                  const active = sort.key === c.key;
                  return (
                    <th
                      key={c.key}
                      scope="col"
                      className={c.numeric ? 'num' : undefined}
                      aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
                    >
                      <button type="button" className="th-sort" onClick={() => toggle(c.key)} aria-label={t('reports.agents.sortBy', { column: t(c.label) })}>
                        {t(c.label)}
                        {c.approx && (
                          <span className="approx" title={t('reports.approxHint')}>
                            ≈
                          </span>
                        )}
                        <Icon name={active && sort.dir === 'asc' ? 'arrowUp' : 'arrowDown'} size={12} className={active ? 'th-sort-icon th-sort-active' : 'th-sort-icon'} />
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.agent_id} data-testid="agent-row">
                  <td className="strong">{r.name}</td>
                  <td className="num" data-label={t('reports.agents.resolved')}>
                    {formatNumber(r.resolved)}
                  </td>
                  <td className="num" data-label={t('reports.agents.messagesOut')}>
                    {formatNumber(r.messages_out)}
                  </td>
                  <td className="num" data-label={t('reports.agents.firstResponse')}>
                    <Estimate secs={medianOf(r.first_response, basis)} exact={isSingle(r.first_response, basis)} mark={false} />
                  </td>
                  <td className="num" data-label={t('reports.agents.resolution')}>
                    <Estimate secs={medianOf(r.resolution, basis)} exact={isSingle(r.resolution, basis)} mark={false} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
