// The Reports page's charts (recharts): conversations and messages per day, the daily median of
// the first response, the backlog at the end of each day, and a weekday × hour heatmap (a table
// coloured by intensity; recharts has no heatmap).
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ReportDay, ReportHeatCell } from '../../../api/types';
import { axisDuration, formatEstimate, formatNumber, heatGrid, longDay, shortDay, weekdayNames, type HeatMetric } from '../../../lib/reports';

export const COLOURS = {
  opened: '#0f766e',
  resolved: '#6366f1',
  reopened: '#d97706',
  messagesIn: '#0284c7',
  messagesOut: '#65a30d',
  firstResponse: '#7c3aed',
  backlog: '#c2410c',
};

const AXIS = { fontSize: 12, fill: '#667085' };
const HEIGHT = 240;

/** Up to a month, each day is a bar; longer ranges read better as lines. */
const BARS_UP_TO = 31;

export function ChartCard({ title, hint, children, testId }: { title: string; hint?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <section className="card report-chart" data-testid={testId} aria-label={title}>
      <div className="report-chart-head">
        <h2 className="report-chart-title">{title}</h2>
        {hint && <p className="report-chart-hint">{hint}</p>}
      </div>
      <div className="report-chart-body">{children}</div>
    </section>
  );
}

function tooltipProps(valueFormat: (v: number) => string) {
  return {
    labelFormatter: (label: unknown) => longDay(String(label)),
    formatter: (value: unknown, name: unknown) => [typeof value === 'number' ? valueFormat(value) : '—', String(name)] as [string, string],
    contentStyle: { borderRadius: 8, border: '1px solid #e4e7ec', boxShadow: '0 4px 12px rgba(16,24,40,0.08)', fontSize: 13 },
    labelStyle: { fontWeight: 600, color: '#101828', marginBottom: 2 },
    cursor: { fill: 'rgba(15, 118, 110, 0.06)' },
  };
}

const legendProps = {
  iconType: 'circle' as const,
  iconSize: 8,
  wrapperStyle: { fontSize: 12, paddingTop: 4 },
  // The dot carries the colour; the words stay readable grey.
  formatter: (value: unknown) => <span style={{ color: '#344054' }}>{String(value)}</span>,
};

interface Series {
  key: keyof ReportDay;
  name: string;
  colour: string;
}

/** Counts per day (bars up to a month, lines beyond), sharing one axis. */
function CountChart({ days, series, dayTick }: { days: ReportDay[]; series: Series[]; dayTick: (day: string) => string }) {
  const bars = days.length <= BARS_UP_TO;
  // Legend and tooltip in the order of the series (recharts sorts them by name otherwise).
  const order = (key: unknown) => series.findIndex((s) => s.key === key);
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <ComposedChart data={days} margin={{ top: 8, right: 8, bottom: 0, left: -8 }} barGap={2} barCategoryGap={days.length <= 7 ? '28%' : '18%'}>
        <CartesianGrid vertical={false} stroke="#eef0f3" />
        <XAxis dataKey="date" tickFormatter={dayTick} tick={AXIS} tickLine={false} axisLine={{ stroke: '#e4e7ec' }} minTickGap={18} />
        <YAxis allowDecimals={false} tick={AXIS} tickLine={false} axisLine={false} width={44} tickFormatter={(v: number) => formatNumber(v)} />
        <Tooltip {...tooltipProps(formatNumber)} itemSorter={(item) => order(item.dataKey)} />
        <Legend {...legendProps} itemSorter={(item) => order(item.dataKey)} />
        {series.map((s) =>
          bars ? (
            <Bar key={s.key} dataKey={s.key} name={s.name} fill={s.colour} radius={[3, 3, 0, 0]} maxBarSize={28} isAnimationActive={false} />
          ) : (
            <Line key={s.key} type="monotone" dataKey={s.key} name={s.name} stroke={s.colour} strokeWidth={2} dot={false} isAnimationActive={false} />
          ),
        )}
      </ComposedChart>
    </ResponsiveContainer>
  );
}

export function DailyCharts({ days }: { days: ReportDay[] }) {
  const { t, i18n } = useTranslation();
  // New formatters when the language changes, so recharts draws the axes again in it.
  const lang = i18n.resolvedLanguage;
  const dayTick = useMemo(() => (day: string) => (lang ? shortDay(day) : day), [lang]);
  const dots = days.length <= BARS_UP_TO;
  const hasMedian = days.some((d) => d.first_response_median_secs !== null);
  const hasBacklog = days.some((d) => d.backlog !== null);
  return (
    <div className="report-charts">
      <ChartCard title={t('reports.charts.conversations')} testId="chart-conversations">
        <CountChart
          days={days}
          dayTick={dayTick}
          series={[
            { key: 'opened', name: t('reports.charts.opened'), colour: COLOURS.opened },
            { key: 'resolved', name: t('reports.charts.resolved'), colour: COLOURS.resolved },
            { key: 'reopened', name: t('reports.charts.reopened'), colour: COLOURS.reopened },
          ]}
        />
      </ChartCard>
      <ChartCard title={t('reports.charts.messages')} testId="chart-messages">
        <CountChart
          days={days}
          dayTick={dayTick}
          series={[
            { key: 'messages_in', name: t('reports.charts.messagesIn'), colour: COLOURS.messagesIn },
            { key: 'messages_out', name: t('reports.charts.messagesOut'), colour: COLOURS.messagesOut },
          ]}
        />
      </ChartCard>
      <ChartCard title={t('reports.charts.firstResponse')} hint={t('reports.charts.firstResponseHint')} testId="chart-first-response">
        {hasMedian ? (
          <ResponsiveContainer width="100%" height={HEIGHT}>
            <ComposedChart data={days} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
              <CartesianGrid vertical={false} stroke="#eef0f3" />
              <XAxis dataKey="date" tickFormatter={dayTick} tick={AXIS} tickLine={false} axisLine={{ stroke: '#e4e7ec' }} minTickGap={18} />
              <YAxis tick={AXIS} tickLine={false} axisLine={false} width={48} tickFormatter={axisDuration} />
              <Tooltip
                {...tooltipProps((v) => {
                  const e = formatEstimate(t, v);
                  return e.approx ? `≈ ${e.text}` : e.text;
                })}
              />
              <Line
                type="monotone"
                dataKey="first_response_median_secs"
                name={t('reports.charts.median')}
                stroke={COLOURS.firstResponse}
                strokeWidth={2}
                dot={dots ? { r: 3, strokeWidth: 2, fill: '#fff' } : false}
                activeDot={{ r: 5 }}
                connectNulls
                isAnimationActive={false}
              />
            </ComposedChart>
          </ResponsiveContainer>
        ) : (
          <p className="report-chart-empty">{t('reports.charts.noReplies')}</p>
        )}
      </ChartCard>
      <ChartCard title={t('reports.charts.backlog')} hint={t('reports.charts.backlogHint')} testId="chart-backlog">
        {hasBacklog ? (
          <ResponsiveContainer width="100%" height={HEIGHT}>
            <ComposedChart data={days} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
              <CartesianGrid vertical={false} stroke="#eef0f3" />
              <XAxis dataKey="date" tickFormatter={dayTick} tick={AXIS} tickLine={false} axisLine={{ stroke: '#e4e7ec' }} minTickGap={18} />
              <YAxis allowDecimals={false} tick={AXIS} tickLine={false} axisLine={false} width={44} tickFormatter={(v: number) => formatNumber(v)} />
              <Tooltip {...tooltipProps(formatNumber)} />
              <Line
                type="linear"
                dataKey="backlog"
                name={t('reports.charts.backlogSeries')}
                stroke={COLOURS.backlog}
                strokeWidth={2}
                dot={dots ? { r: 3, strokeWidth: 2, fill: '#fff' } : false}
                activeDot={{ r: 5 }}
                isAnimationActive={false}
              />
            </ComposedChart>
          </ResponsiveContainer>
        ) : (
          <p className="report-chart-empty">{t('reports.charts.noBacklog')}</p>
        )}
      </ChartCard>
    </div>
  );
}

/** The weekday × hour grid, in the business's time zone, coloured by intensity. */
export function Heatmap({ cells, timeZone }: { cells: ReportHeatCell[]; timeZone: string }) {
  const { t } = useTranslation();
  const [metric, setMetric] = useState<HeatMetric>('messages_in');
  const { grid, max } = heatGrid(cells, metric);
  const short = weekdayNames('short');
  const long = weekdayNames('long');
  const hours = Array.from({ length: 24 }, (_, h) => h);
  const pad = (h: number) => String(h).padStart(2, '0');
  const label = metric === 'opened' ? t('reports.charts.heatOpened') : t('reports.charts.heatMessages');
  return (
    <section className="card report-chart report-heatmap" data-testid="heatmap" aria-label={t('reports.charts.heatmap')}>
      <div className="report-chart-head report-chart-head-row">
        <div>
          <h2 className="report-chart-title">{t('reports.charts.heatmap')}</h2>
          <p className="report-chart-hint">{t('reports.charts.heatmapHint', { zone: timeZone })}</p>
        </div>
        <div className="segmented report-segmented" role="group" aria-label={t('reports.charts.heatMetric')}>
          {(['messages_in', 'opened'] as const).map((m) => (
            <button
              key={m}
              type="button"
              aria-pressed={metric === m}
              className={`segmented-item${metric === m ? ' segmented-item-active' : ''}`}
              onClick={() => setMetric(m)}
            >
              {m === 'opened' ? t('reports.charts.heatOpened') : t('reports.charts.heatMessages')}
            </button>
          ))}
        </div>
      </div>
      <div className="heatmap-scroll">
        <table className="heatmap">
          <caption className="sr-only">{`${t('reports.charts.heatmap')}: ${label}`}</caption>
          <thead>
            <tr>
              <th scope="col" className="heatmap-corner">
                <span className="sr-only">{t('reports.charts.weekday')}</span>
              </th>
              {hours.map((h) => (
                <th key={h} scope="col" className="heatmap-hour">
                  <span aria-hidden={h % 3 !== 0 ? true : undefined} className={h % 3 === 0 ? undefined : 'heatmap-hour-minor'}>
                    {pad(h)}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {grid.map((row, wi) => (
              <tr key={wi}>
                <th scope="row" className="heatmap-day" title={long[wi]}>
                  {short[wi]}
                </th>
                {row.map((v, h) => {
                  const ratio = max > 0 ? v / max : 0;
                  const title = t('reports.charts.heatCell', { day: long[wi], from: `${pad(h)}:00`, to: `${pad((h + 1) % 24)}:00`, value: formatNumber(v), what: label.toLowerCase() });
                  return (
                    <td
                      key={h}
                      className={`heatmap-cell${v ? '' : ' heatmap-cell-zero'}${ratio > 0.55 ? ' heatmap-cell-strong' : ''}`}
                      style={v ? { backgroundColor: `rgba(15, 118, 110, ${(0.12 + 0.88 * ratio).toFixed(3)})` } : undefined}
                      title={title}
                      data-value={v}
                    >
                      {v ? <span aria-hidden="true">{formatNumber(v)}</span> : null}
                      <span className="sr-only">{title}</span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="heatmap-legend" aria-hidden="true">
        <span>{t('reports.charts.less')}</span>
        {[0.12, 0.34, 0.56, 0.78, 1].map((a) => (
          <span key={a} className="heatmap-swatch" style={{ backgroundColor: `rgba(15, 118, 110, ${a})` }} />
        ))}
        <span>{t('reports.charts.more')}</span>
      </div>
    </section>
  );
}
