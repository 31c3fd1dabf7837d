// The supervisor floor (`/floor`, reports:view; `GET /api/v1/reports/floor?team_id=`): what is
// happening right now, read live by the server. Big counters (open, unassigned, waiting with the
// longest wait, SLA at risk and breached, pending, snoozed), who is online, away or offline, and
// each agent's load, optionally for one team. It refetches when realtime events arrive (at most
// once a second), every 15 s as a fallback, and says how fresh the figures are.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { teams as teamsApi } from '../../../api';
import { floor as floorApi, type Floor } from '../../../api/supervision';
import { useSession } from '../../../auth/session';
import { EmptyState } from '../../../components/EmptyState';
import { Forbidden } from '../../../components/Forbidden';
import { LoadError } from '../../../components/LoadError';
import { PageHeader } from '../../../components/PageHeader';
import { PageLoading } from '../../../components/Spinner';
import { isPageVisible, useNow } from '../../../lib/live';
import { useRealtimeEvents } from '../../../lib/RealtimeProvider';
import { useLoader } from '../../../lib/useLoader';
import { PresenceDot } from '../inbox/bits';
import '../../../supervision.css';

/** The fallback refresh while nothing happens. */
export const FLOOR_POLL_MS = 15_000;
/** Realtime events refetch at most this often. */
export const FLOOR_THROTTLE_MS = 1_000;
/** Frames that change nothing the floor counts. */
const IGNORED = new Set(['typing', 'viewers', 'notification.created']);

/** "12 min", "2 h 5 min", "3 d 4 h": how long the longest-waiting customer has waited. */
export function waitLabel(t: TFunction, since: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(since)) / 60_000));
  if (minutes < 1) return t('floor.wait.underMinute');
  if (minutes < 60) return t('floor.wait.minutes', { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('floor.wait.hours', { hours, minutes: minutes % 60 });
  return t('floor.wait.days', { days: Math.floor(hours / 24), hours: hours % 24 });
}

/** The floor of `teamId`, refetched on realtime events (throttled) and every 15 s. */
export function useFloor(teamId: string | null) {
  const [data, setData] = useState<Floor | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [fetchedAt, setFetchedAt] = useState<number | null>(null);
  const seq = useRef(0);
  const lastStart = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(async () => {
    clearTimeout(timer.current);
    timer.current = undefined;
    const mine = ++seq.current;
    lastStart.current = Date.now();
    try {
      const value = await floorApi.get(teamId);
      if (mine !== seq.current) return;
      setData(value);
      setError(null);
      setFetchedAt(Date.now());
    } catch (e) {
      if (mine === seq.current) setError(e);
    }
  }, [teamId]);

  useEffect(() => {
    setData(null);
    void load();
    const id = setInterval(() => {
      if (isPageVisible()) void load();
    }, FLOOR_POLL_MS);
    return () => {
      clearInterval(id);
      clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [load]);

  useRealtimeEvents((e) => {
    if (IGNORED.has(e.kind) || timer.current !== undefined) return;
    const wait = Math.max(0, lastStart.current + FLOOR_THROTTLE_MS - Date.now());
    timer.current = setTimeout(() => void load(), wait);
  });

  return { data, error, fetchedAt, reload: load };
}

export function FloorPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  if (!can('reports:view')) return <Forbidden />;
  return <FloorView key="floor" t={t} />;
}

function FloorView({ t }: { t: TFunction }) {
  const [teamId, setTeamId] = useState<string>('');
  const teams = useLoader(() => teamsApi.list().catch(() => []));
  const { data, error, fetchedAt, reload } = useFloor(teamId || null);
  const now = useNow(1000);
  const seconds = fetchedAt ? Math.max(0, Math.floor((now - fetchedAt) / 1000)) : null;

  return (
    <div className="page page-wide floor-page">
      <PageHeader
        title={t('floor.title')}
        subtitle={t('floor.subtitle')}
        actions={
          <div className="floor-actions">
            {seconds != null && (
              <span className="floor-updated" data-testid="floor-updated" aria-live="off">
                <span className="floor-live-dot" aria-hidden="true" />
                {seconds < 2 ? t('floor.updatedNow') : t('floor.updatedAgo', { count: seconds })}
              </span>
            )}
            <label className="floor-team">
              <span className="sr-only">{t('floor.team')}</span>
              <select className="input select" aria-label={t('floor.team')} value={teamId} onChange={(e) => setTeamId(e.target.value)}>
                <option value="">{t('floor.allTeams')}</option>
                {(teams.data ?? []).map((team) => (
                  <option key={team.id} value={team.id}>
                    {team.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
        }
      />
      {!data && error ? (
        <div className="card">
          <LoadError error={error} onRetry={reload} />
        </div>
      ) : !data ? (
        <div className="card">
          <PageLoading label={t('common.loading')} />
        </div>
      ) : (
        <FloorBody floor={data} now={now} t={t} />
      )}
    </div>
  );
}

function Counter({ id, label, value, hint, tone }: { id: string; label: string; value: number; hint?: string; tone?: 'warning' | 'danger' }) {
  const active = tone && value > 0 ? ` floor-counter-${tone}` : '';
  return (
    <div className={`floor-counter${active}`} data-testid={`floor-${id}`}>
      <div className="floor-counter-label" title={label}>
        {label}
      </div>
      <div className="floor-counter-value" data-testid={`floor-${id}-value`}>
        {value.toLocaleString()}
      </div>
      {hint && <div className="floor-counter-hint">{hint}</div>}
    </div>
  );
}

function FloorBody({ floor, now, t }: { floor: Floor; now: number; t: TFunction }) {
  const longest = floor.waiting > 0 && floor.oldest_waiting_since ? t('floor.longestWait', { wait: waitLabel(t, floor.oldest_waiting_since, now) }) : t('floor.nobodyWaits');
  return (
    <>
      <section className="floor-counters" aria-label={t('floor.conversations')}>
        <Counter id="open" label={t('floor.open')} value={floor.open} />
        <Counter id="unassigned" label={t('floor.unassigned')} value={floor.unassigned} />
        <Counter id="waiting" label={t('floor.waiting')} value={floor.waiting} hint={longest} />
        <Counter id="sla-at-risk" label={t('floor.slaAtRisk')} value={floor.sla_at_risk} tone="warning" />
        <Counter id="sla-breached" label={t('floor.slaBreached')} value={floor.sla_breached} tone="danger" />
        <Counter id="pending" label={t('floor.pending')} value={floor.pending} />
        <Counter id="snoozed" label={t('floor.snoozed')} value={floor.snoozed} />
      </section>

      <section className="card floor-agents" aria-labelledby="floor-agents-title">
        <div className="floor-agents-head">
          <h2 className="section-title" id="floor-agents-title">
            {t('floor.agents')}
          </h2>
          <div className="floor-presence" data-testid="floor-presence">
            <span className="floor-presence-item">
              <span className="presence-dot presence-online" aria-hidden="true" />
              {t('floor.presence.online', { count: floor.online })}
            </span>
            <span className="floor-presence-item">
              <span className="presence-dot presence-away" aria-hidden="true" />
              {t('floor.presence.away', { count: floor.away })}
            </span>
            <span className="floor-presence-item">
              <span className="presence-dot presence-offline" aria-hidden="true" />
              {t('floor.presence.offline', { count: floor.offline })}
            </span>
          </div>
        </div>
        {floor.agents.length === 0 ? (
          <EmptyState icon="users">{t('floor.noAgents')}</EmptyState>
        ) : (
          <div>
            <table className="table floor-table">
              <thead>
                <tr>
                  <th>{t('floor.colAgent')}</th>
                  <th className="floor-col-status">{t('floor.colStatus')}</th>
                  <th className="num">{t('floor.colOpen')}</th>
                  <th className="num">{t('floor.colWaiting')}</th>
                </tr>
              </thead>
              <tbody>
                {floor.agents.map((a) => (
                  <tr key={a.membership_id} data-testid="floor-agent" className={a.status === 'offline' ? 'row-muted' : undefined}>
                    <td>
                      <span className="floor-agent-name">
                        <PresenceDot status={a.status} name={a.name} />
                        <span className="strong">{a.name}</span>
                      </span>
                    </td>
                    <td className="muted floor-col-status">{t(`presence.${a.status}`, { defaultValue: a.status })}</td>
                    <td className="num" data-testid="floor-agent-open">
                      {a.open}
                    </td>
                    <td className={`num${a.waiting > 0 ? ' floor-waiting-hot' : ''}`} data-testid="floor-agent-waiting">
                      {a.waiting}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
